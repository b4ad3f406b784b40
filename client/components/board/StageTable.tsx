import { useState } from 'preact/hooks';
import type { PipelinePaneView, StageView } from '../../../schemas/index.ts';
import { duration } from '../../lib/format.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { useStageTransitions } from '../../services/stage-history.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Link } from '../Link.tsx';
import { stageLabel, StageBadge } from './StageBadge.tsx';
import { Rich, t } from '../../i18n/index.ts';
import { Ago, At, Elapsed } from './Time.tsx';
import { reasonText } from '../../services/stage-reason.ts';

const COLUMNS = 8;

/** The stages of one pane in one pipeline, in order, with their timing, retry and reset. */
export function StageTable({ pipeline, pane }: { pipeline: string; pane: PipelinePaneView }) {
  return (
    <table class="stage-table">
      <caption class="visually-hidden">
        {t('st.caption', { pipeline, host: pane.host, pane: pane.paneId })}
      </caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">{t('st.stage')}</th>
          <th scope="col">{t('st.status')}</th>
          <th scope="col">{t('st.retries')}</th>
          <th scope="col" title={t('st.durationTitle')}>
            {t('st.duration')}
          </th>
          <th scope="col">{t('st.updated')}</th>
          <th scope="col">{t('st.reason')}</th>
          <th scope="col">
            <span class="visually-hidden">{t('st.actions')}</span>
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
          <Rich k="board.waiting" values={{ time: <Elapsed from={stage.startedAt ?? stage.updatedAt} /> }} />
        </span>
      );
    case 'WAITING_TRIGGER':
      return (
        <span class="muted">
          <Rich k="board.waiting" values={{ time: <Elapsed from={stage.updatedAt} /> }} />
        </span>
      );
    case 'COMPLETED':
    case 'FAILED':
      if (stage.startedAt && stage.finishedAt) {
        return <span title={t('time.range', { from: stage.startedAt, to: stage.finishedAt })}>{duration(Date.parse(stage.finishedAt) - Date.parse(stage.startedAt))}</span>;
      }
      return <span class="muted">—</span>;
    default:
      return <span class="muted">—</span>;
  }
}

/** The transitions of one stage, newest first: fetched when the row is opened. */
function StageTransitions({ pipeline, pane, stage }: { pipeline: string; pane: PipelinePaneView; stage: string }) {
  const { transitions, error } = useStageTransitions({ pipeline, host: pane.host, paneId: pane.paneId, stage });
  if (!transitions) return <p class="muted small">{error ? t('st.historyFailed', { error }) : t('st.historyLoading')}</p>;
  if (transitions.length === 0) return <p class="muted small">{t('st.noTransitions')}</p>;
  return (
    <ol class="transitions">
      {transitions.map((tr, i) => (
        <li key={`${tr.at}-${i}`}>
          <At iso={tr.at} /> <span class="transition-change">{tr.from ? `${stageLabel(tr.from)} → ${stageLabel(tr.to)}` : stageLabel(tr.to)}</span>
          {tr.retries > 0 && <span class="muted">{t('st.retryN', { n: tr.retries })}</span>}
          {tr.reason && <span class="reason"> — {reasonText(tr)}</span>}
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
    <Link href={`/approvals#approval-${approval.id}`} class="button-link small decide-link" aria-label={t('st.decideLabel', { stage, pipeline, pane: pane.paneId })}>
      {t('st.decide')}
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
      <th scope="row" data-label={t('st.stage')} class="stage-name">
        <button type="button" class="disclosure" aria-expanded={open} aria-controls={historyId} onClick={() => setOpen(!open)} title={t('st.showTransitions')}>
          <span class="disclosure-mark" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {stage.name}
        </button>
        {stage.requireApproval && (
          <span class="tag" title={t('st.approvalTagTitle')}>
            {t('st.approvalTag')}
          </span>
        )}
      </th>
      <td data-label={t('st.status')}>
        <StageBadge status={stage.status} />
      </td>
      <td data-label={t('st.retries')} class="num" title={stage.maxRetries > 0 ? t('st.retriesMax') : t('st.retriesTitle')}>
        {retries}
      </td>
      <td data-label={t('st.duration')}>
        <StageDuration stage={stage} />
      </td>
      <td data-label={t('st.updated')}>
        <Ago iso={stage.updatedAt} />
      </td>
      <td data-label={t('st.reason')} class="stage-reason">
        {stage.reason && <span class="reason">{reasonText(stage)}</span>}
        {stage.escalateCode && (
          <span class="escalate" title={t('board.escalateCode')}>
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
          aria-label={t('st.retryLabel', { stage: stage.name, pane: pane.paneId })}
          title={t('st.retryTitle')}
        >
          {busy === 'retry' ? t('st.retrying') : t('st.retry')}
        </button>
        <button
          type="button"
          class="small"
          disabled={busy !== undefined}
          onClick={() => setConfirmReset(true)}
          aria-label={t('st.resetLabel', { stage: stage.name, pane: pane.paneId })}
          title={t('st.resetTitle')}
        >
          {busy === 'reset' ? t('st.resetting') : t('st.reset')}
        </button>
        {confirmReset && (
          <ConfirmDialog
            title={t('st.resetConfirm', { stage: stage.name })}
            confirmLabel={t('st.reset')}
            onCancel={() => setConfirmReset(false)}
            onConfirm={async () => {
              await run('reset');
              setConfirmReset(false);
            }}
          >
            <p>
              <Rich k="st.resetText" values={{ stage: <strong>{stage.name}</strong>, host: pane.host, pane: pane.paneId }} />
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
