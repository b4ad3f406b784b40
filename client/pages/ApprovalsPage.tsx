import { useEffect, useState } from 'preact/hooks';
import { plural, Rich, t, type MessageKey } from '../i18n/index.ts';
import type { ApprovalDecision, ApprovalView } from '../../schemas/index.ts';
import { NotifyToggle } from '../components/board/NotifyToggle.tsx';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { Empty, Loaded } from '../components/board/States.tsx';
import { At, Elapsed } from '../components/board/Time.tsx';
import { TerminalLink } from '../components/board/TerminalLink.tsx';
import { PaneName } from '../components/board/PaneName.tsx';
import { Link } from '../components/Link.tsx';
import { ApiError } from '../services/api.ts';
import type { ApprovalLists } from '../services/approvals.ts';
import { useServices } from '../services/index.ts';
import { pipelineHref } from '../services/router.ts';

const VIA_LABEL = { file: 'ap.viaFile', link: 'ap.viaLink', web: 'ap.viaWeb' } as const satisfies Record<string, MessageKey>;

/** Pending approvals to decide (with an optional note), and the decisions made. */
export function ApprovalsPage() {
  const { approvals } = useServices();
  useEffect(() => approvals.use(), []);
  return (
    <div class="page approvals-page">
      <Loaded resource={approvals} what={t('ap.what')}>
        {(data) => <Approvals lists={data} />}
      </Loaded>
    </div>
  );
}

function Approvals({ lists }: { lists: ApprovalLists }) {
  // /approvals#approval-<id> (from the dashboard): bring that request into view and focus its note.
  useEffect(() => {
    const id = decodeURIComponent(location.hash.replace(/^#/, ''));
    if (!id) return;
    const target = document.getElementById(id);
    target?.scrollIntoView({ block: 'center' });
    target?.querySelector<HTMLElement>('textarea')?.focus();
  }, []);
  return (
    <>
      <PageHeader
        title={t('nav.approvals')}
        sub={lists.pending.length === 0 ? t('ap.nothing') : plural('ap.waitingSub', lists.pending.length)}
      >
        <NotifyToggle />
      </PageHeader>
      <section aria-labelledby="pending-heading" class="approvals-pending">
        <h2 id="pending-heading" class="section-title">
          {t('ap.pending')} <span class="count-pill">{lists.pending.length}</span>
        </h2>
        {lists.pending.length === 0 ? (
          <Empty title={t('ap.nonePending')}>
            <p>
              <Rich k="ap.nonePendingHelp" values={{ require: <code>require_approval: true</code>, ask: <code>ask_human</code> }} />
            </p>
          </Empty>
        ) : (
          <ul class="approval-list">
            {lists.pending.map((a) => (
              <PendingApproval key={a.id} approval={a} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="decided-heading" class="approvals-decided">
        <h2 id="decided-heading" class="section-title">
          {t('ap.decided')}
        </h2>
        {lists.decided.length === 0 ? <p class="muted">{t('ap.noDecisions')}</p> : <DecidedTable decided={lists.decided} />}
      </section>
    </>
  );
}

function PendingApproval({ approval: a }: { approval: ApprovalView }) {
  const { approvals } = useServices();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<ApprovalDecision | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const decide = async (decision: ApprovalDecision) => {
    if (busy) return;
    setBusy(decision);
    setError(undefined);
    try {
      await approvals.decide(a.id, decision, note.trim() || undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(undefined);
    }
  };
  const titleId = `approval-title-${a.id}`;
  return (
    <li id={`approval-${a.id}`} class="approval-card" data-approval-id={a.id} aria-labelledby={titleId}>
      <div class="approval-head">
        <h3 id={titleId}>
          <Link href={pipelineHref(a.pipeline)}>{a.pipeline}</Link> / {a.stage}
        </h3>
        <span class="waiting" title={t('ap.requested', { time: a.requestedAt })}>
          <Rich k="board.waiting" values={{ time: <Elapsed from={a.requestedAt} /> }} />
        </span>
      </div>
      <dl class="facts">
        <div>
          <dt>{t('ap.pane')}</dt>
          <dd>
            <ApprovalPane approval={a} /> <TerminalLink host={a.host} paneId={a.paneId} sessionKey={a.sessionKey} />
          </dd>
        </div>
        <div>
          <dt>{t('ap.why')}</dt>
          <dd>{a.kind === 'ask_human' ? t('ap.whyAsk') : t('ap.whyApproval')}</dd>
        </div>
        {a.prompt && (
          <div>
            <dt>{t('ap.prompt')}</dt>
            <dd class="prompt">{a.prompt}</dd>
          </div>
        )}
        {a.file && (
          <div>
            <dt>{t('ap.requestFile')}</dt>
            <dd>
              <code class="path">{a.file}</code>
            </dd>
          </div>
        )}
      </dl>
      <form
        class="decision"
        onSubmit={(e) => {
          e.preventDefault();
          void decide('approve');
        }}
      >
        <label class="field-label small" htmlFor={`note-${a.id}`}>
          {t('ap.note')} <span class="muted">{t('ap.noteOptional')}</span>
        </label>
        <textarea
          id={`note-${a.id}`}
          rows={2}
          maxLength={2000}
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Ctrl/Cmd+Enter approves from the note, as in chat apps.
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void decide('approve');
            }
          }}
          aria-describedby={`note-help-${a.id}`}
        />
        <p class="hint" id={`note-help-${a.id}`}>
          {t('ap.ctrlEnter')}
        </p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="form-actions">
          <button type="button" class="danger" disabled={busy !== undefined} onClick={() => void decide('reject')} aria-label={t('ap.rejectLabel', { pipeline: a.pipeline, stage: a.stage, pane: a.paneId })}>
            {busy === 'reject' ? t('ap.rejecting') : t('ap.reject')}
          </button>
          <button type="submit" class="primary" disabled={busy !== undefined} aria-label={t('ap.approveLabel', { pipeline: a.pipeline, stage: a.stage, pane: a.paneId })}>
            {busy === 'approve' ? t('ap.approving') : t('ap.approve')}
          </button>
        </div>
      </form>
    </li>
  );
}

/** The pane by the names people know (session:window and title), as the server saw it; host · pane id when it is not watched. */
function ApprovalPane({ approval: a }: { approval: ApprovalView }) {
  if (!a.pane) return <>{`${a.host} · ${a.paneId}`}</>;
  return <PaneName host={a.host} paneId={a.paneId} session={a.pane.sessionName} window={a.pane.windowName} title={a.pane.paneTitle} />;
}

function decisionLabel(a: ApprovalView): string {
  return t(a.status === 'approved' ? 'decision.approved' : a.status === 'rejected' ? 'decision.rejected' : 'decision.cancelled');
}

function DecidedTable({ decided }: { decided: readonly ApprovalView[] }) {
  return (
    <table class="data-table decided-table">
      <thead>
        <tr>
          <th scope="col">{t('ap.when')}</th>
          <th scope="col">{t('ap.stage')}</th>
          <th scope="col">{t('ap.pane')}</th>
          <th scope="col">{t('ap.decision')}</th>
          <th scope="col">{t('ap.how')}</th>
          <th scope="col">{t('ap.by')}</th>
          <th scope="col">{t('ap.note')}</th>
        </tr>
      </thead>
      <tbody>
        {decided.map((a) => (
          <tr key={a.id} data-approval-id={a.id} data-decision={a.status}>
            <td data-label={t('ap.when')}>{a.decidedAt ? <At iso={a.decidedAt} /> : <span class="muted">—</span>}</td>
            <th scope="row" data-label={t('ap.stage')}>
              {a.pipeline} / {a.stage}
            </th>
            <td data-label={t('ap.pane')}>
              {a.host} · {a.paneId}
            </td>
            <td data-label={t('ap.decision')}>
              <span class={`decision-badge decision-${a.status}`}>{decisionLabel(a)}</span>
            </td>
            <td data-label={t('ap.how')}>{a.decidedVia ? t(VIA_LABEL[a.decidedVia]) : <span class="muted">—</span>}</td>
            <td data-label={t('ap.by')}>{a.decidedBy ?? <span class="muted">—</span>}</td>
            <td data-label={t('ap.note')} class="note">
              {a.note ?? <span class="muted">—</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
