/**
 * The loaded agent configuration: both files validated, normalized and with every
 * regex compiled once, ready for the watcher and the policy engine.
 */
import type {
  BridgeExtensions,
  MatchCondition,
  NotifyChannelName,
  NotifyTemplate,
  OnFailPolicy,
  SshConfig,
  StageAction,
  StageCondition,
  TmuxHostConfig,
} from '../../../schemas/agent-config.ts';
import type { IssueParams } from '../../../schemas/issue-detail-view.ts';

export type IssuePath = ReadonlyArray<string | number>;

/**
 * An error or warning about a config file, pointing at the bad key. `message` is
 * English; `code` and the parameters let a UI word it in its own language (zod's code
 * and parameters, a schema rule's `params.rule`, or the loader's own code: words.ts).
 */
export interface ConfigIssue extends IssueParams {
  readonly file: string;
  /** 1-based; 0 when the problem is the file itself (missing, unreadable). */
  readonly line: number;
  readonly column: number;
  /** `pipelines[0].stages[1].triggers`; empty for file-level problems. */
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

export interface CompiledStageCondition {
  readonly logRegex: RegExp | null;
  readonly messageType: string | null;
  readonly afterStageSuccess: string | null;
  /** As written in policy.yaml (Python patterns, before translation), for the config view. */
  readonly written: StageCondition;
}

export interface CompiledMatchCondition {
  readonly windowName: RegExp | null;
  readonly paneTitle: RegExp | null;
  readonly sessionName: RegExp | null;
  /** As written in policy.yaml, for the config view. */
  readonly written: MatchCondition;
}

/** Satisfied when every `allOf` condition holds and, if `anyOf` is not empty, one of `anyOf` does. */
export interface CompiledGroup<C> {
  readonly anyOf: readonly C[];
  readonly allOf: readonly C[];
}

export interface CompiledStage {
  readonly name: string;
  /** Position in the pipeline (evaluation order). */
  readonly index: number;
  /** `null`: no triggers defined, the stage starts as soon as it is reached. */
  readonly triggers: CompiledGroup<CompiledStageCondition> | null;
  readonly actionsOnStart: readonly StageAction[];
  /** `null`: never true. */
  readonly successWhen: CompiledGroup<CompiledStageCondition> | null;
  readonly failWhen: CompiledGroup<CompiledStageCondition> | null;
  readonly onFail: OnFailPolicy;
  readonly requireApproval: boolean;
  readonly onStartNotify: NotifyTemplate | null;
  readonly onSuccessNotify: NotifyTemplate | null;
  readonly onFailNotify: NotifyTemplate | null;
}

export interface CompiledPipeline {
  readonly name: string;
  /** `null`: every watched pane. */
  readonly match: CompiledGroup<CompiledMatchCondition> | null;
  readonly stages: readonly CompiledStage[];
}

export interface CompiledPolicy {
  readonly principles: readonly string[];
  readonly pipelines: readonly CompiledPipeline[];
}

export interface CompiledHost {
  readonly name: string;
  readonly ssh: SshConfig | null;
  readonly tmux: TmuxHostConfig;
  /** `tmux.session_filters` compiled; empty: every session. */
  readonly sessionFilters: readonly RegExp[];
  /** `tmux.pane_name_patterns` compiled, tried on pane_title or window_name; empty: every pane. */
  readonly paneNamePatterns: readonly RegExp[];
}

export interface AgentConfig {
  readonly pollIntervalMs: number;
  readonly tmuxBin: string;
  /** `~` expanded. tmux-bridge keeps its state in its own store; kept for display. */
  readonly sqlitePath: string;
  /** `~` expanded. */
  readonly approvalDir: string;
  readonly notify: readonly NotifyChannelName[];
  readonly bridge: BridgeExtensions;
  readonly hosts: readonly CompiledHost[];
  readonly policy: CompiledPolicy;
  readonly sources: { readonly hostsPath: string | null; readonly policyPath: string | null };
  /** sha256 over both files' contents: equal hashes mean nothing changed. */
  readonly hash: string;
}

export type LoadResult =
  | { readonly ok: true; readonly config: AgentConfig; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[]; readonly warnings: readonly ConfigIssue[] };
