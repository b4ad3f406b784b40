/**
 * Inputs, state and effects of the stage state machine. The machine is pure: the
 * caller loads the stage states of one pane, applies one input, persists the states
 * listed in `changed`, stores the `transition` effects as history and carries out
 * the other effects (actions, notifications, approvals).
 */
import type { StageAction } from '../../../schemas/agent-config.ts';
import type { ApprovalVia, NotificationKind, NotificationText, StageData } from '../../../schemas/agent.ts';
import type { StageStatus } from '../../../schemas/agent.ts';
import type { ParsedMessage } from '../parser.ts';

/** One stage's state, as in a `stage_state` row (times in unix seconds, as tmuxagent stored them). */
export interface StageRuntime {
  readonly status: StageStatus;
  readonly retries: number;
  readonly data: StageData;
  readonly updatedAt: number;
}

/** The states of one pane's stages in one pipeline, by stage name; a missing stage is IDLE. */
export type StageStates = Readonly<Record<string, StageRuntime>>;

export interface PolicyContext {
  readonly host: string;
  readonly paneId: string;
  /** Milliseconds since the epoch (injected so the machine stays pure). */
  readonly now: number;
}

export type PolicyInput =
  /** A complete line of pane output; `message` is parsed from `text` when left out. */
  | { readonly type: 'line'; readonly text: string; readonly message?: ParsedMessage | null }
  /** Re-evaluate without output: stages without triggers, `after_stage_success`. */
  | { readonly type: 'tick' }
  | {
      readonly type: 'approval';
      readonly stage: string;
      readonly decision: 'approve' | 'reject';
      readonly via?: ApprovalVia;
      readonly by?: string | null;
    }
  /** Restart one stage now (web "retry"). */
  | { readonly type: 'retry'; readonly stage: string; readonly by?: string | null }
  /** Back to IDLE: one stage and every stage after it, or the whole pipeline. */
  | { readonly type: 'reset'; readonly stage?: string; readonly by?: string | null };

export type ApprovalKind = 'require_approval' | 'ask_human';

export type PolicyEffect =
  | {
      readonly type: 'transition';
      readonly stage: string;
      readonly from: StageStatus;
      readonly to: StageStatus;
      readonly reason: string;
      readonly retries: number;
    }
  | {
      /** Run the stage's `actions_on_start` (send_keys into the pane, shell commands). */
      readonly type: 'run_actions';
      readonly stage: string;
      readonly actions: readonly StageAction[];
      /** 1 for the first run, 2 after the first retry, ... */
      readonly attempt: number;
      readonly cause: 'start' | 'approved' | 'retry' | 'manual_retry';
    }
  | {
      readonly type: 'notify';
      readonly stage: string;
      readonly kind: NotificationKind;
      readonly title: string;
      readonly body: string;
      /** The text as a code, when the engine words it (not a policy.yaml template). */
      readonly text?: NotificationText;
    }
  | {
      /** Create the approval (request file, signed links) and notify with `title`/`body` plus its links. */
      readonly type: 'request_approval';
      readonly stage: string;
      readonly kind: ApprovalKind;
      readonly prompt: string | null;
      readonly title: string;
      readonly body: string;
    }
  | { readonly type: 'cancel_approval'; readonly stage: string; readonly reason: string };

export interface PolicyResult {
  /** Every stage's state after the input (stages never touched stay absent). */
  readonly states: StageStates;
  /** Stages whose state changed and must be saved, in pipeline order. */
  readonly changed: readonly string[];
  readonly effects: readonly PolicyEffect[];
  /** Why an approval/retry/reset input did nothing (unknown stage, not waiting, ...). */
  readonly ignored: string | null;
}

/** What a pane shows tmux-wise, for pipeline `match` and host filters. */
export interface PaneFacts {
  readonly sessionName: string;
  readonly windowName: string;
  readonly paneTitle: string;
}
