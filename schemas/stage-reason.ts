import type { StageReasonCode } from './agent.ts';
import { readTextPattern, type TextPattern } from './text-patterns.ts';

/**
 * Why a stage moved, as words (what tmuxagent wrote, what the history table and
 * API users read) and as a code with parameters (what the board words in its own
 * language). The engine builds the words with `stageReasonText`; `stageReasonOf`
 * reads any reason back, stored rows from before the codes included. Free parts
 * (the condition that matched, the line, who decided) stay as they were written.
 */

export interface StageReason {
  readonly code: StageReasonCode;
  readonly params: Readonly<Record<string, string>>;
}

const onLine = (line: string | null) => (line === null ? '' : ` on line ${JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)}`);
const after = (retries: number | null) => (retries === null ? '' : ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}`);
const by = (who: string | undefined) => (who ? ` by ${who}` : '');
const via = (how: string | undefined) => (how ? ` via ${how}` : '');

/** The English words of each transition the engine makes (the formats `stageReasonOf` reads). */
export const stageReasonText = {
  waitingTrigger: () => 'waiting for trigger',
  triggered: (because: string, line: string | null, approval: boolean) => `triggered by ${because}${onLine(line)}${approval ? '; waiting for approval' : ''}`,
  succeeded: (because: string, line: string | null) => `success_when ${because}${onLine(line)}`,
  retrying: (because: string, line: string | null, attempt: number, max: number) => `fail_when ${because}${onLine(line)}; retry ${attempt}/${max}`,
  failed: (because: string, line: string | null, retries: number | null, askingHuman: boolean) => `fail_when ${because}${onLine(line)}${after(retries)}${askingHuman ? '; asking a human' : ''}`,
  decided: (decision: 'approved' | 'rejected', who?: string, how?: string) => `${decision}${by(who)}${via(how)}`,
  retryRequested: (who?: string) => `retry requested${by(who)}`,
  reset: (who?: string) => `reset${by(who)}`,
};

/** The engine's own words inside a reason's `detail` (the rest of a detail is the condition as configured). */
export const conditionText = {
  noTriggers: () => 'no triggers defined',
  allOfComplete: (count: number, last: string) => `all_of (${count} conditions) complete with ${last}`,
};

/** A reason's `detail` taken apart: the engine's words as a code, the condition as written as `condition`. */
export type ConditionDetail =
  | { readonly code: 'no_triggers' }
  | { readonly code: 'all_of_complete'; readonly count: string; readonly condition: string }
  | { readonly code: 'condition'; readonly condition: string };

export function conditionDetailOf(detail: string): ConditionDetail {
  if (detail === conditionText.noTriggers()) return { code: 'no_triggers' };
  const all = /^all_of \((\d+) conditions\) complete with (.*)$/s.exec(detail);
  if (all) return { code: 'all_of_complete', count: all[1]!, condition: all[2]! };
  return { code: 'condition', condition: detail };
}

const LINE = String.raw`(?: on line ("(?:[^"\\]|\\.)*"))?`;
const TRIED = String.raw`(?: after (\d+) retr(?:y|ies))?`;
const PATTERNS: ReadonlyArray<TextPattern<StageReasonCode>> = [
  ['fail_condition', /^fail_condition$/, []],
  ['waiting_trigger', /^waiting for trigger$/, []],
  ['triggered_approval', new RegExp(`^triggered by (.*?)${LINE}; waiting for approval$`, 's'), ['detail', 'line']],
  ['triggered', new RegExp(`^triggered by (.*?)${LINE}$`, 's'), ['detail', 'line']],
  ['succeeded', new RegExp(`^success_when (.*?)${LINE}$`, 's'), ['detail', 'line']],
  ['retrying', new RegExp(`^fail_when (.*?)${LINE}; retry (\\d+)/(\\d+)$`, 's'), ['detail', 'line', 'attempt', 'max']],
  ['asking_human', new RegExp(`^fail_when (.*?)${LINE}${TRIED}; asking a human$`, 's'), ['detail', 'line', 'retries']],
  ['failed', new RegExp(`^fail_when (.*?)${LINE}${TRIED}$`, 's'), ['detail', 'line', 'retries']],
  ['approved', /^approved(?: by (.*?))?(?: via (file|link|web))?$/s, ['by', 'via']],
  ['rejected', /^rejected(?: by (.*?))?(?: via (file|link|web))?$/s, ['by', 'via']],
  ['retry_requested', /^retry requested(?: by (.*))?$/s, ['by']],
  ['reset', /^reset(?: by (.*))?$/s, ['by']],
];

/** A quoted line back to its text (as written when it does not parse). */
function unquote(name: string, value: string): string {
  if (name !== 'line') return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value;
  }
}

/** The code and parameters of a reason the engine wrote; null for other text (a tool's own words, an older format). */
export function stageReasonOf(text: string | null | undefined): StageReason | null {
  return readTextPattern(PATTERNS, text, unquote);
}

/** `reasonCode` and `reasonParams` for a view that shows `reason` (both absent when the text has no code). */
export function reasonFields(text: string | null | undefined): { reasonCode?: StageReasonCode; reasonParams?: Record<string, string> } {
  const reason = stageReasonOf(text);
  return reason ? { reasonCode: reason.code, reasonParams: { ...reason.params } } : {};
}
