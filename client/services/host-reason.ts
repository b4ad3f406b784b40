import { hostReasonOf } from '../../schemas/host-reason.ts';
import { locale, t, type MessageKey } from '../i18n/index.ts';

/**
 * Why a host is not connected, in the UI language when the bridge built the reason
 * (schemas/host-reason.ts): its fixed words from the catalog, the host and what ssh or
 * tmux said as sent. English, and a reason the bridge did not build, show as sent.
 */
export function hostReasonText(reason: string | null): string | null {
  if (reason === null || locale.value === 'en') return reason;
  const parsed = hostReasonOf(reason);
  if (!parsed) return reason;
  const { why, ...params } = parsed.params;
  return t(`hostReason.${parsed.code}` as MessageKey, why === undefined ? params : { ...params, why: hostReasonText(why) ?? why });
}
