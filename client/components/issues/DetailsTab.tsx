import { useEffect, useState } from 'preact/hooks';
import { ISSUE_PRIORITIES, ISSUE_STATUSES } from '../../../schemas/issue-constants.ts';
import type { Issue, IssueHistoryEntry, IssuePriority, IssueStatus, UpdateIssueBody } from '../../../schemas/index.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { priorityLabel, statusLabel } from './labels.ts';
import { Markdown } from './Markdown.tsx';
import { absoluteTime, t } from '../../i18n/index.ts';

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 80)}…` : value;
  if (Array.isArray(value)) return value.join(', ') || t('issues.history.none');
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).map(String).join(', ');
  return String(value);
}

/** Edit title, body, priority, labels, status; the body rendered as markdown; the change history. */
export function DetailsTab({ issue, onDeleted }: { issue: Issue; onDeleted: () => void }) {
  const { issues } = useServices();
  const [title, setTitle] = useState(issue.title);
  const [body, setBody] = useState(issue.body);
  const [priority, setPriority] = useState<IssuePriority>(issue.priority);
  const [status, setStatus] = useState<IssueStatus>(issue.status);
  const [labels, setLabels] = useState(issue.labels.join(', '));
  const [editingBody, setEditingBody] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const [history, setHistory] = useState<IssueHistoryEntry[] | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);

  // Another browser changed the issue: show its values (unsaved edits here are replaced, like any live form).
  useEffect(() => {
    setTitle(issue.title);
    setBody(issue.body);
    setPriority(issue.priority);
    setStatus(issue.status);
    setLabels(issue.labels.join(', '));
    void issues.api.history(issue.id).then(setHistory, () => setHistory([]));
  }, [issue.id, issue.updatedAt]);

  const save = async (e: Event) => {
    e.preventDefault();
    const patch: UpdateIssueBody = {};
    const nextLabels = labels.split(',').map((l) => l.trim()).filter(Boolean);
    if (title !== issue.title) patch.title = title;
    if (body !== issue.body) patch.body = body;
    if (priority !== issue.priority) patch.priority = priority;
    if (status !== issue.status) patch.status = status;
    if (JSON.stringify(nextLabels) !== JSON.stringify(issue.labels)) patch.labels = nextLabels;
    setError(undefined);
    try {
      issues.put(await issues.api.update(issue.id, patch));
      setEditingBody(false);
      setSaved(true);
      setTimeout(() => setSaved(false), 1500);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <div class="details-tab">
      <form class="form issue-form" onSubmit={save} noValidate>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <label class="field">
          {t('issues.field.title')}
          <input name="title" value={title} required onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <div class="form-grid">
          <label class="field">
            {t('issues.field.status')}
            <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value as IssueStatus)}>
              {ISSUE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {statusLabel(s)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            {t('issues.field.priority')}
            <select name="priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value as IssuePriority)}>
              {ISSUE_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {priorityLabel(p)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label class="field">
          {t('issues.field.labels')} <span class="muted">{t('issues.field.commaSeparated')}</span>
          <input name="labels" value={labels} onInput={(e) => setLabels(e.currentTarget.value)} />
        </label>
        <div class="field">
          <div class="field-head">
            <span id="body-label">{t('issues.field.description')}</span>
            <button type="button" class="link-button" onClick={() => setEditingBody(!editingBody)}>
              {editingBody ? t('issues.preview') : t('issues.edit')}
            </button>
          </div>
          {editingBody ? (
            <textarea name="body" aria-labelledby="body-label" rows={10} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          ) : (
            <Markdown text={body} />
          )}
        </div>
        <div class="form-actions">
          <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
            {t('issues.delete')}
          </button>
          <span class="spacer" />
          {saved && (
            <span class="muted" role="status">
              {t('issues.saved')}
            </span>
          )}
          <button type="submit" class="primary">
            {t('issues.save')}
          </button>
        </div>
      </form>
      <section class="issue-history" aria-labelledby="history-title">
        <h3 id="history-title">{t('issues.history')}</h3>
        {history === undefined ? (
          <p class="muted">{t('issues.history.loading')}</p>
        ) : (
          <ol>
            {[...history].reverse().map((h) => (
              <li key={h.id}>
                <time dateTime={h.at}>{absoluteTime(h.at)}</time> <span class="history-by">{h.by}</span>{' '}
                {h.field === 'created' ? (
                  t('issues.history.created')
                ) : (
                  <>
                    <strong>{h.field}</strong> {show(h.from)} → {show(h.to)}
                  </>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>
      {confirmDelete && (
        <ConfirmDialog
          title={t('issues.deleteTitle', { id: issue.id })}
          confirmLabel={t('issues.deleteConfirm')}
          danger
          onCancel={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await issues.api.remove(issue.id);
            setConfirmDelete(false);
            onDeleted();
          }}
        >
          <p>{t('issues.deleteBody')}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
