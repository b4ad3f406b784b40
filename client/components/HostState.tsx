import type { HostView } from '../../schemas/index.ts';
import { t } from '../i18n/index.ts';
import { hostReasonText } from '../services/host-reason.ts';

type State = HostView['state'];

/** A host's connection state in words (shared by the dashboard, the config page and the session list). */
export function hostStateText(state: State): string {
  switch (state) {
    case 'connected':
      return t('host.connected');
    case 'connecting':
      return t('host.connecting');
    case 'reconnecting':
      return t('host.reconnecting');
    case 'auth_failed':
      return t('host.authFailed');
    case 'host_key_failed':
      return t('host.hostKeyFailed');
    case 'control_unavailable':
      return t('host.polled');
  }
}

/** connected / reconnecting (reason on hover and for screen readers) / auth failed … */
export function HostStateBadge({ state, reason: sent, showReason = false }: { state: State; reason: string | null; showReason?: boolean }) {
  const reason = hostReasonText(sent);
  return (
    <span class="host-state-wrap">
      <span class={`host-state host-${state}`} data-host-state={state} title={reason ?? undefined}>
        {hostStateText(state)}
      </span>
      {showReason && reason && <span class="host-reason">{reason}</span>}
    </span>
  );
}
