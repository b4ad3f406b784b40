import { useState } from 'preact/hooks';
import type { PipelinePaneView, StageView } from '../../../schemas/index.ts';
import { duration } from '../../lib/format.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { useStageTransitions } from '../../services/stage-history.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Link } from '../Link.tsx';
import { STAGE_LABEL, StageBadge } from './StageBadge.tsx';
import { Ago, At, Elapsed } from './Time.tsx';

const COLUMNS = 8;

/** The stages of one pane in one pipeline, in order, with their timing, retry and reset. */
export function StageTable({ pipeline, pane }: { pipeline: string; pane: PipelinePaneView }) {
  return (
    <table class="stage-table">
      <caption class="visually-hidden">
        Stages of {pipeline} on {pane.host} {pane.paneId}
      </caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Stage</th>
          <th scope="col">Status</th>
          <th scope="col">Retries</th>
          <th scope="col" title="The last run (running: so far); waiting: how long">
            Duration
          </th>
          <th scope="col">Updated</th>
          <th scope="col">Reason</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {pane.stages.map((stage, i) => (
          <StageRow key={stage.name} index={i} stage={stage} pipeline={pipeline} pane={pane} />
        ))}
      </tbody>
    </table>
  );
}

/** Running: since the run started; waiting: since it began to wait; finished: how long the last run took (all from the server's stage view). */
function StageDuration({ stage }: { stage: StageView }) {
  switch (stage.status) {
    case 'RUNNING':
      return <Elapsed from={stage.startedAt ?? stage.updatedAt} />;
    case 'WAITING_APPROVAL':
      return (
        <span class="muted">
          waiting <Elapsed from={stage.startedAt ?? stage.updatedAt} />
        </span>
      );
    case 'WAITING_TRIGGER':
      return (
        <span class="muted">
          waiting <Elapsed from={stage.updatedAt} />
        </span>
      );
    case 'COMPLETED':
    case 'FAILED':
      if (stage.startedAt && stage.finishedAt) {
        return <span title={`from ${stage.startedAt} to ${stage.finishedAt}`}>{duration(Date.parse(stage.finishedAt) - Date.parse(stage.startedAt))}</span>;
      }
      return <span class="muted">—</span>;
    default:
      return <span class="muted">—</span>;
  }
}

/** The transitions of one stage, newest first: fetched when the row is opened. */
function StageTransitions({ pipeline, pane, stage }: { pipeline: string; pane: PipelinePaneView; stage: string }) {
  const { transitions, error } = useStageTransitions({ pipeline, host: pane.host, paneId: pane.paneId, stage });
  if (!transitions) return <p class="muted small">{error ? `The history could not be loaded: ${error}` : 'Loading the history…'}</p>;
  if (transitions.length === 0) return <p class="muted small">No transitions recorded yet.</p>;
  return (
    <ol class="transitions">
      {transitions.map((t, i) => (
        <li key={`${t.at}-${i}`}>
          <At iso={t.at} /> <span class="transition-change">{t.from ? `${STAGE_LABEL[t.from]} → ${STAGE_LABEL[t.to]}` : STAGE_LABEL[t.to]}</span>
          {t.retries > 0 && <span class="muted"> (retry {t.retries})</span>}
          {t.reason && <span class="reason"> — {t.reason}</span>}
        </li>
      ))}
    </ol>
  );
}

/** A stage waiting for a human: straight to its request in the approval center. */
function DecideLink({ pipeline, stage, pane }: { pipeline: string; stage: string; pane: PipelinePaneView }) {
  const { approvals } = useServices();
  const approval = approvals.data.value?.pending.find((a) => a.pipeline === pipeline && a.stage === stage && a.host === pane.host && a.paneId === pane.paneId);
  if (!approval) return null;
  return (
    <Link href={`/approvals#approval-${approval.id}`} class="button-link small decide-link" aria-label={`Decide on ${stage} of ${pipeline} on ${pane.paneId}`}>
      Decide
    </Link>
  );
}

interface RowProps {
  readonly index: number;
  readonly stage: StageView;
  readonly pipeline: string;
  readonly pane: PipelinePaneView;
}

function StageRow({ index, stage, pipeline, pane }: RowProps) {
  const { agent } = useServices();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<'retry' | 'reset' | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [confirmReset, setConfirmReset] = useState(false);
  const run = async (command: 'retry' | 'reset') => {
    setBusy(command);
    setError(undefined);
    try {
      await agent.stageCommand(command, pipeline, stage.name, pane.host, pane.paneId);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      throw err;
    } finally {
      setBusy(undefined);
    }
  };
  const retries = stage.maxRetries > 0 ? `${stage.retries}/${stage.maxRetries}` : String(stage.retries);
  const historyId = `history-${pane.host}-${pane.paneId}-${pipeline}-${stage.name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return (
    <>
    <tr class={`stage-row status-${stage.status.toLowerCase()}`} data-stage={stage.name} data-status={stage.status}>
      <td data-label="#" class="stage-index">
        {index + 1}
      </td>
      <th scope="row" data-label="Stage" class="stage-name">
        <button type="button" class="disclosure" aria-expanded={open} aria-controls={historyId} onClick={() => setOpen(!open)} title="Show the stage's transitions">
          <span class="disclosure-mark" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {stage.name}
        </button>
        {stage.requireApproval && (
          <span class="tag" title="require_approval: a human approves before it runs">
            approval
          </span>
        )}
      </th>
      <td data-label="Status">
        <StageBadge status={stage.status} />
      </td>
      <td data-label="Retries" class="num" title={stage.maxRetries > 0 ? 'retries / max' : 'retries'}>
        {retries}
      </td>
      <td data-label="Duration">
        <StageDuration stage={stage} />
      </td>
      <td data-label="Updated">
        <Ago iso={stage.updatedAt} />
      </td>
      <td data-label="Reason" class="stage-reason">
        {stage.reason && <span class="reason">{stage.reason}</span>}
        {stage.escalateCode && (
          <span class="escalate" title="escalate code">
            {stage.escalateCode}
          </span>
        )}
        {!stage.reason && !stage.escalateCode && <span class="muted">—</span>}
        {error && (
          <span class="field-error" role="alert">
            {error}
          </span>
        )}
      </td>
      <td class="stage-actions">
        {stage.status === 'WAITING_APPROVAL' && <DecideLink pipeline={pipeline} stage={stage.name} pane={pane} />}
        <button
          type="button"
          class="small"
          disabled={busy !== undefined}
          onClick={() => void run('retry').catch(() => undefined)}
          aria-label={`Retry stage ${stage.name} on ${pane.paneId}`}
          title="Run this stage again now (its actions run; a pending approval is cancelled)"
        >
          {busy === 'retry' ? 'Retrying…' : 'Retry'}
        </button>
        <button
          type="button"
          class="small"
          disabled={busy !== undefined}
          onClick={() => setConfirmReset(true)}
          aria-label={`Reset stage ${stage.name} on ${pane.paneId}`}
          title="Send this stage and the ones after it back to idle"
        >
          {busy === 'reset' ? 'Resetting…' : 'Reset'}
        </button>
        {confirmReset && (
          <ConfirmDialog
            title={`Reset “${stage.name}”?`}
            confirmLabel="Reset"
            onCancel={() => setConfirmReset(false)}
            onConfirm={async () => {
              await run('reset');
              setConfirmReset(false);
            }}
          >
            <p>
              Stage <strong>{stage.name}</strong> and every stage after it go back to idle on {pane.host} {pane.paneId}; a pending approval is
              cancelled. The pipeline is evaluated again at once.
            </p>
          </ConfirmDialog>
        )}
      </td>
    </tr>
    {open && (
      <tr class="stage-history-row" id={historyId}>
        <td colSpan={COLUMNS}>
          <StageTransitions pipeline={pipeline} pane={pane} stage={stage.name} />
        </td>
      </tr>
    )}
    </>
  );
}
