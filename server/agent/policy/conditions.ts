/**
 * Condition groups (`triggers`, `success_when`, `fail_when`) against one input.
 *
 * `any_of` needs one condition to hold; `all_of` needs every condition to have held
 * — lines arrive one at a time, so a stage remembers (in `data.matched`) which
 * conditions matched since it entered its current phase, and `all_of: [A, B]` is met
 * once A and B were each seen, in any order. The memory is cleared whenever the stage
 * starts, retries or is reset. A condition with several keys holds when any of them
 * does (tmuxagent checked each key on its own).
 */
import type { CompiledGroup, CompiledStageCondition } from '../config/types.ts';
import type { ParsedMessage } from '../parser.ts';
import type { StageStates } from './types.ts';
import { conditionText } from '../../../schemas/stage-reason.ts';

export type GroupName = 'triggers' | 'success_when' | 'fail_when';

export interface ConditionInput {
  /** The line, trailing blanks trimmed; `null` for a tick. */
  readonly text: string | null;
  readonly message: ParsedMessage | null;
  /** Current states, for `after_stage_success`. */
  readonly states: StageStates;
}

export interface GroupOutcome {
  readonly satisfied: boolean;
  /** Memory to keep when not satisfied (indexes: all_of first, then any_of). */
  readonly matched: readonly number[];
  /** The memory differs from what the stage had. */
  readonly memoryChanged: boolean;
  /** Human-readable: which condition fired, for history reasons. */
  readonly because: string;
}

function holds(condition: CompiledStageCondition, input: ConditionInput): string | null {
  if (condition.logRegex && input.text !== null && condition.logRegex.test(input.text)) {
    return `log_regex ${condition.logRegex.source}`;
  }
  if (condition.messageType !== null && input.message !== null && input.message.kind === condition.messageType) {
    return `message_type ${condition.messageType}`;
  }
  if (condition.afterStageSuccess !== null && input.states[condition.afterStageSuccess]?.status === 'COMPLETED') {
    return `after_stage_success ${condition.afterStageSuccess}`;
  }
  return null;
}

const NOTHING: GroupOutcome = Object.freeze({ satisfied: false, matched: Object.freeze([]) as readonly number[], memoryChanged: false, because: '' });

export function evaluateGroup(
  group: CompiledGroup<CompiledStageCondition> | null,
  name: GroupName,
  remembered: readonly number[] | undefined,
  input: ConditionInput,
): GroupOutcome {
  if (group === null) {
    // No triggers: start when reached. No success_when/fail_when: never.
    return { satisfied: name === 'triggers', matched: [], memoryChanged: false, because: name === 'triggers' ? conditionText.noTriggers() : '' };
  }
  if (remembered === undefined || remembered.length === 0) {
    // Most lines match nothing: answer without allocating (evaluation runs per line).
    let anyHolds = false;
    for (const condition of group.allOf) if (holds(condition, input) !== null) anyHolds = true;
    for (const condition of group.anyOf) if (!anyHolds && holds(condition, input) !== null) anyHolds = true;
    if (!anyHolds) return NOTHING;
  }
  const seen = new Set(remembered ?? []);
  const before = seen.size;
  const conditions = [...group.allOf, ...group.anyOf];
  let because = '';
  conditions.forEach((condition, index) => {
    const why = holds(condition, input);
    if (why !== null) {
      seen.add(index);
      if (because === '') because = why;
    }
  });
  const allCount = group.allOf.length;
  const allHeld = group.allOf.every((_, index) => seen.has(index));
  const anyHeld = group.anyOf.length === 0 || group.anyOf.some((_, index) => seen.has(allCount + index));
  const satisfied = allHeld && anyHeld;
  return {
    satisfied,
    matched: [...seen].sort((a, b) => a - b),
    memoryChanged: seen.size !== before,
    because: satisfied && allCount > 1 ? conditionText.allOfComplete(allCount, because) : because,
  };
}
