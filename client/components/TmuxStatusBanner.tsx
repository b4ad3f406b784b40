import { plural, t } from '../i18n/index.ts';
import { shortTime } from '../i18n/format.ts';
import { useServices } from '../services/index.ts';

/** A line under the top bar while the server cannot reach tmux (or tmux answers slowly). */
export function TmuxStatusBanner() {
  const control = useServices().serverStatus.control.value;
  if (!control || control.state === 'connected' || control.state === 'closed') return null;
  const slow = control.state === 'slow';
  return (
    <div class={`app-banner ${slow ? 'banner-info' : 'banner-warn'}`} role={slow ? 'status' : 'alert'} data-testid="tmux-status" data-state={control.state}>
      {slow
        ? plural('tmux.slow', control.pending)
        : t('tmux.down', { since: shortTime(control.since) })}
      {!slow && control.lastProblem ? <span class="app-banner-detail"> {control.lastProblem}</span> : null}
    </div>
  );
}
