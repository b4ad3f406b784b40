import { useState } from 'preact/hooks';
import { ISSUE_PRIORITIES } from '../../../schemas/issue-constants.ts';
import type { Issue, IssuePriority } from '../../../schemas/index.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { Modal } from '../Modal.tsx';
import { priorityLabel } from './labels.ts';
import { t } from '../../i18n/index.ts';

/** Title (required), description, priority, labels. */
export function NewIssueDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (issue: Issue) => void }) {
  const { issues } = useServices();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [priority, setPriority] = useState<IssuePriority>('medium');
  const [labels, setLabels] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const issue = await issues.api.create({ title, body, priority, labels: labels.split(',').map((l) => l.trim()).filter(Boolean) });
      issues.put(issue);
      onCreated(issue);
    } catch (err) {
      setBusy(false);
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <Modal titleId="new-issue-title" onDismiss={() => !busy && onClose()} class="new-issue-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <h2 id="new-issue-title">{t('issues.new')}</h2>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <label class="field">
          {t('issues.field.title')}
          <input name="title" value={title} autofocus required onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <label class="field">
          {t('issues.field.description')} <span class="muted">{t('issues.field.markdown')}</span>
          <textarea name="body" rows={6} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </label>
        <div class="form-grid">
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
          <label class="field">
            {t('issues.field.labels')}
            <input name="labels" value={labels} placeholder="bug, ui" onInput={(e) => setLabels(e.currentTarget.value)} />
          </label>
        </div>
        <div class="form-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t('issues.cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {t('issues.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
