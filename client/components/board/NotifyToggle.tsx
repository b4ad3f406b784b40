import { t } from '../../i18n/index.ts';
import { useServices } from '../../services/index.ts';

/** Turns browser notifications (approvals requested, stages failed) on or off; the permission prompt comes from this click. */
export function NotifyToggle() {
  const { notifier } = useServices();
  const state = notifier.state.value;
  if (state === 'unsupported') return null;
  if (state === 'denied') return <span class="hint" data-testid="notify-state" data-state="denied">{t('notify.denied')}</span>;
  return state === 'on' ? (
    <button type="button" class="small pressed" aria-pressed="true" title={t('notify.onTitle')} data-testid="notify-toggle" data-state="on" onClick={() => notifier.disable()}>
      {t('notify.on')}
    </button>
  ) : (
    <button type="button" class="small" aria-pressed="false" title={t('notify.enableTitle')} data-testid="notify-toggle" data-state="off" onClick={() => void notifier.enable()}>
      {t('notify.enable')}
    </button>
  );
}
