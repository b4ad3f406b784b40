import type { FlowRun } from '../../../schemas/index.ts';
import { t } from '../../i18n/index.ts';

/** The run's reason in the UI language when it has a code; the node's own error stays as it wrote it. */
export function runReasonText(run: Pick<FlowRun, 'reason' | 'reasonCode' | 'reasonParams'>): string {
  const p = run.reasonParams ?? {};
  switch (run.reasonCode) {
    case 'paused':
      return t('flows.reason.paused');
    case 'stopped':
      return t('flows.reason.stopped');
    case 'node_failed':
    case 'node_paused':
      return t(run.reasonCode === 'node_failed' ? 'flows.reason.nodeFailed' : 'flows.reason.nodePaused', { node: p.node ?? '', error: p.error ?? t('flows.reason.seeOutput') });
    default:
      return run.reason ?? '';
  }
}
