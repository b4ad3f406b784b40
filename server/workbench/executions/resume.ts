import type { ResumeStrategy } from '../../../schemas/index.ts';
import type { ResumeRepository, ResumeTurn } from '../../store/index.ts';
import { sessionUuidFor, type NativeResume, type ToolAdapter } from '../tools/index.ts';

export interface ResumeOptions {
  /** promptConcat: most history bytes prepended (default 32 KiB); the oldest turns are dropped first. */
  readonly maxHistoryBytes?: number;
}

export const DEFAULT_MAX_HISTORY_BYTES = 32 * 1024;

/** What one run does about its resumeKey. */
export interface ResumePlan {
  readonly resumeKey: string | null;
  /** The strategy actually used for this run (nativeResume falls back to promptConcat). */
  readonly strategy: ResumeStrategy | null;
  /** The prompt given to the tool (with history for promptConcat). */
  readonly prompt: string;
  readonly native?: NativeResume;
  /** Why the strategy differs from the one asked for. */
  readonly note?: string;
  /** promptConcat: how many stored turns went into the prompt. */
  readonly turnsUsed?: number;
}

function turnText(turn: Pick<ResumeTurn, 'prompt' | 'answer'>): string {
  return `User: ${turn.prompt}\n\nAssistant: ${turn.answer}\n\n`;
}

const HEADER = 'Earlier in this conversation (oldest first):\n\n';
const FOOTER = '---\n\nContinue the conversation. New message:\n\n';

/** The prompt with the newest turns that fit in `maxBytes` prepended (oldest dropped first). */
export function concatPrompt(turns: readonly Pick<ResumeTurn, 'prompt' | 'answer'>[], prompt: string, maxBytes = DEFAULT_MAX_HISTORY_BYTES): { prompt: string; used: number } {
  const kept: string[] = [];
  let bytes = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const text = turnText(turns[i]!);
    const size = Buffer.byteLength(text);
    if (bytes + size > maxBytes) break;
    kept.unshift(text);
    bytes += size;
  }
  if (kept.length === 0) return { prompt, used: 0 };
  return { prompt: `${HEADER}${kept.join('')}${FOOTER}${prompt}`, used: kept.length };
}

/** Decides how a run continues its resumeKey's conversation. */
export class ResumePlanner {
  constructor(
    private readonly repo: ResumeRepository,
    private readonly options: ResumeOptions = {},
  ) {}

  plan(adapter: ToolAdapter, prompt: string, resumeKey: string | null | undefined, strategy: ResumeStrategy | null | undefined): ResumePlan {
    if (!resumeKey) return { resumeKey: null, strategy: null, prompt };
    const wanted: ResumeStrategy = strategy ?? (adapter.supports.nativeResume ? 'nativeResume' : 'promptConcat');
    if (wanted === 'nativeResume') {
      const binding = this.repo.binding(resumeKey);
      if (!adapter.supports.nativeResume) return this.concat(resumeKey, prompt, `${adapter.name} cannot resume its own sessions`);
      if (binding?.fallbackAt && binding.tool === adapter.name) {
        return this.concat(resumeKey, prompt, `native resume fell back to promptConcat on ${binding.fallbackAt}: ${binding.fallbackReason ?? ''}`.trim());
      }
      if (binding?.nativeSessionId && binding.tool === adapter.name) {
        return { resumeKey, strategy: 'nativeResume', prompt, native: { kind: 'resume', id: binding.nativeSessionId } };
      }
      if (adapter.choosesSessionId) return { resumeKey, strategy: 'nativeResume', prompt, native: { kind: 'new', id: sessionUuidFor(resumeKey, adapter.name) } };
      // First run: the tool picks its id and prints it; we learn it at the end.
      return { resumeKey, strategy: 'nativeResume', prompt };
    }
    return this.concat(resumeKey, prompt);
  }

  /**
   * The chosen id of a first run is taken already (the tool kept a session the bridge has no
   * record of, e.g. after its resume key was forgotten or a first run failed late): resume it.
   */
  resumeChosen(plan: ResumePlan): ResumePlan {
    if (plan.native?.kind !== 'new') return plan;
    return { ...plan, native: { kind: 'resume', id: plan.native.id }, note: `session ${plan.native.id} exists already: resumed it` };
  }

  /** The same request once more with promptConcat (after the tool said its session is unknown). */
  fallback(plan: ResumePlan, originalPrompt: string, reason: string): ResumePlan {
    return this.concat(plan.resumeKey!, originalPrompt, reason);
  }

  private concat(resumeKey: string, prompt: string, note?: string): ResumePlan {
    const turns = this.repo.turns(resumeKey);
    const built = concatPrompt(turns, prompt, this.options.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES);
    return { resumeKey, strategy: 'promptConcat', prompt: built.prompt, turnsUsed: built.used, ...(note ? { note } : {}) };
  }

  /** After a run: store the turn, learn or keep the tool's session id. */
  async record(
    adapter: ToolAdapter,
    plan: ResumePlan,
    run: { executionId: string; originalPrompt: string; output: string; answerOutput?: string; succeeded: boolean },
  ): Promise<string | null> {
    if (!plan.resumeKey) return adapter.sessionIdFrom(run.output);
    const now = new Date().toISOString();
    const printed = adapter.sessionIdFrom(run.output);
    let nativeId: string | null = printed;
    if (plan.strategy === 'nativeResume') {
      nativeId = printed ?? plan.native?.id ?? null;
      const existing = this.repo.binding(plan.resumeKey);
      if (run.succeeded && nativeId) {
        await this.repo.putBinding({ resumeKey: plan.resumeKey, tool: adapter.name, nativeSessionId: nativeId, fallbackAt: null, fallbackReason: null, updatedAt: now });
      } else if (!existing) {
        await this.repo.putBinding({ resumeKey: plan.resumeKey, tool: adapter.name, nativeSessionId: null, fallbackAt: null, fallbackReason: null, updatedAt: now });
      }
    }
    // Turns are kept for both strategies, so a fallback still has the history.
    if (run.succeeded) {
      await this.repo.addTurn({ resumeKey: plan.resumeKey, executionId: run.executionId, prompt: run.originalPrompt, answer: adapter.answerFrom(run.answerOutput ?? run.output), at: now });
    }
    return nativeId;
  }

  async recordFallback(adapter: ToolAdapter, resumeKey: string, reason: string): Promise<void> {
    const existing = this.repo.binding(resumeKey);
    await this.repo.putBinding({
      resumeKey,
      tool: adapter.name,
      nativeSessionId: existing?.nativeSessionId ?? null,
      fallbackAt: new Date().toISOString(),
      fallbackReason: reason,
      updatedAt: new Date().toISOString(),
    });
  }
}
