import { useEffect, useState } from 'preact/hooks';
import type { ApprovalDecision, ApprovalView } from '../../schemas/index.ts';
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

const VIA_LABEL = { file: 'request file', link: 'signed link', web: 'web' } as const;

/** Pending approvals to decide (with an optional note), and the decisions made. */
export function ApprovalsPage() {
  const { approvals } = useServices();
  useEffect(() => approvals.use(), []);
  return (
    <div class="page approvals-page">
      <Loaded resource={approvals} what="approvals">
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
        title="Approvals"
        sub={lists.pending.length === 0 ? 'Nothing waits for a decision.' : `${lists.pending.length} waiting for a decision, the longest waiting first.`}
      />
      <section aria-labelledby="pending-heading" class="approvals-pending">
        <h2 id="pending-heading" class="section-title">
          Pending <span class="count-pill">{lists.pending.length}</span>
        </h2>
        {lists.pending.length === 0 ? (
          <Empty title="No approvals are pending.">
            <p>
              A stage with <code>require_approval: true</code>, or one whose failures end in <code>ask_human</code>, waits here. It can also be
              decided by editing its request file or with the signed link sent in the notification.
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
          Decided
        </h2>
        {lists.decided.length === 0 ? <p class="muted">No decisions yet.</p> : <DecidedTable decided={lists.decided} />}
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
        <span class="waiting" title={`requested ${a.requestedAt}`}>
          waiting <Elapsed from={a.requestedAt} />
        </span>
      </div>
      <dl class="facts">
        <div>
          <dt>Pane</dt>
          <dd>
            <ApprovalPane approval={a} /> <TerminalLink host={a.host} paneId={a.paneId} sessionKey={a.sessionKey} />
          </dd>
        </div>
        <div>
          <dt>Why</dt>
          <dd>{a.kind === 'ask_human' ? 'The stage keeps failing: it asks a human (ask_human).' : 'The stage needs approval before it runs.'}</dd>
        </div>
        {a.prompt && (
          <div>
            <dt>Prompt</dt>
            <dd class="prompt">{a.prompt}</dd>
          </div>
        )}
        <div>
          <dt>Request file</dt>
          <dd>
            <code class="path">{a.file}</code>
          </dd>
        </div>
      </dl>
      <form
        class="decision"
        onSubmit={(e) => {
          e.preventDefault();
          void decide('approve');
        }}
      >
        <label class="field-label small" htmlFor={`note-${a.id}`}>
          Note <span class="muted">(optional, kept with the decision)</span>
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
          Ctrl+Enter approves.
        </p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="form-actions">
          <button type="button" class="danger" disabled={busy !== undefined} onClick={() => void decide('reject')} aria-label={`Reject ${a.pipeline} / ${a.stage} on ${a.paneId}`}>
            {busy === 'reject' ? 'Rejecting…' : 'Reject'}
          </button>
          <button type="submit" class="primary" disabled={busy !== undefined} aria-label={`Approve ${a.pipeline} / ${a.stage} on ${a.paneId}`}>
            {busy === 'approve' ? 'Approving…' : 'Approve'}
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
  return a.status === 'approved' ? 'approved' : a.status === 'rejected' ? 'rejected' : 'cancelled';
}

function DecidedTable({ decided }: { decided: readonly ApprovalView[] }) {
  return (
    <table class="data-table decided-table">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Stage</th>
          <th scope="col">Pane</th>
          <th scope="col">Decision</th>
          <th scope="col">How</th>
          <th scope="col">By</th>
          <th scope="col">Note</th>
        </tr>
      </thead>
      <tbody>
        {decided.map((a) => (
          <tr key={a.id} data-approval-id={a.id} data-decision={a.status}>
            <td data-label="When">{a.decidedAt ? <At iso={a.decidedAt} /> : <span class="muted">—</span>}</td>
            <th scope="row" data-label="Stage">
              {a.pipeline} / {a.stage}
            </th>
            <td data-label="Pane">
              {a.host} · {a.paneId}
            </td>
            <td data-label="Decision">
              <span class={`decision-badge decision-${a.status}`}>{decisionLabel(a)}</span>
            </td>
            <td data-label="How">{a.decidedVia ? VIA_LABEL[a.decidedVia] : <span class="muted">—</span>}</td>
            <td data-label="By">{a.decidedBy ?? <span class="muted">—</span>}</td>
            <td data-label="Note" class="note">
              {a.note ?? <span class="muted">—</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
