import { plural, t, type MessageKey } from '../i18n/index.ts';
import { conditionDetailOf } from '../../schemas/stage-reason.ts';
import type { StageReasonCode } from '../../schemas/index.ts';

/** What a view says about why a stage moved: the words, and the code the board words itself when there is one. */
export interface ReasonLike {
  readonly reason?: string | null;
  readonly reasonCode?: StageReasonCode;
  readonly reasonParams?: Readonly<Record<string, string>>;
}

/** The condition that held: as configured, inside the engine's words (no triggers, all of N complete) in the UI language. */
function detailText(detail: string): string {
  const parsed = conditionDetailOf(detail);
  if (parsed.code === 'no_triggers') return t('reason.detail.noTriggers');
  if (parsed.code === 'all_of_complete') return t('reason.detail.allOfComplete', { count: parsed.count, condition: parsed.condition });
  return parsed.condition;
}

const VIA: Readonly<Record<string, MessageKey>> = { web: 'reason.via.web', file: 'reason.via.file', link: 'reason.via.link' };

/**
 * A stage's reason in the UI language. The code's fixed words come from the
 * catalog; the free parts (the condition that matched, the line, who decided)
 * stay as written. A reason without a code (a tool's own words) shows as sent.
 */
export function reasonText(view: ReasonLike): string {
  if (!view.reasonCode) return view.reason ?? '';
  const p = view.reasonParams ?? {};
  const fill = {
    detail: p.detail === undefined ? '' : detailText(p.detail),
    line: p.line === undefined ? '' : t('reason.onLine', { line: JSON.stringify(p.line) }),
    by: p.by ? t('reason.by', { who: p.by }) : '',
    via: p.via ? t('reason.via', { how: VIA[p.via] ? t(VIA[p.via]!) : p.via }) : '',
    tried: p.retries === undefined ? '' : plural('reason.tried', Number(p.retries)),
    attempt: p.attempt ?? '',
    max: p.max ?? '',
  };
  return t(`reason.${view.reasonCode}` as MessageKey, fill);
}
