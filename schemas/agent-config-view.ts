/**
 * `GET /api/agent/config`: the running hosts.yaml and policy.yaml as the Config page
 * shows them (patterns as written, secrets redacted), with warnings and the last
 * rejected edit. zod/mini: the client checks the answer with it (see common.ts).
 */
import * as z from 'zod/mini';
import { IsoDate } from './common.ts';
import { IssueParams } from './issue-detail-view.ts';

/**
 * A config problem as shown to humans: `file:line:column: path: message` (`text`, in
 * English) plus its parts, and what is wrong as data for a UI in another language:
 * `code` with zod's parameters (as a 400's details carry them), a schema rule's or the
 * loader's own code with `params` (the catalog's `issue.<code>`). An older build's
 * stored events have no code.
 */
export const ConfigIssueView = z.object({
  file: z.string(),
  line: z.int().check(z.minimum(0)),
  column: z.int().check(z.minimum(0)),
  path: z.string(),
  message: z.string(),
  text: z.string(),
  code: z.optional(z.string()),
  ...IssueParams.shape,
});
export type ConfigIssueView = z.infer<typeof ConfigIssueView>;

/** A condition of `triggers`, `success_when` or `fail_when` as written (patterns in Python syntax); any key holding makes it true. */
export const StageConditionView = z.object({
  logRegex: z.nullable(z.string()),
  messageType: z.nullable(z.string()),
  afterStageSuccess: z.nullable(z.string()),
});
export type StageConditionView = z.infer<typeof StageConditionView>;

/** A condition of a pipeline's `match` as written; every key it has must match. */
export const MatchConditionView = z.object({
  windowName: z.nullable(z.string()),
  paneTitle: z.nullable(z.string()),
  sessionName: z.nullable(z.string()),
});
export type MatchConditionView = z.infer<typeof MatchConditionView>;

/** `{any_of, all_of}`: every `allOf` condition and, unless `anyOf` is empty, one of `anyOf`. null when none is given. */
function conditionGroupView<T extends z.ZodMiniType>(condition: T) {
  return z.nullable(z.object({ anyOf: z.array(condition), allOf: z.array(condition) }));
}
export const StageConditionGroupView = conditionGroupView(StageConditionView);
export type StageConditionGroupView = z.infer<typeof StageConditionGroupView>;
export const MatchConditionGroupView = conditionGroupView(MatchConditionView);
export type MatchConditionGroupView = z.infer<typeof MatchConditionGroupView>;

/** A notification template as written (`{pipeline}`, `{stage}`, … unexpanded); null when the stage has none. */
export const NotifyTemplateView = z.nullable(z.object({ title: z.string(), body: z.string() }));
export type NotifyTemplateView = z.infer<typeof NotifyTemplateView>;

/** One stage of the running policy. `on_fail` is shown folded, as it runs: maxRetries, askHuman, escalate. */
export const StageConfigView = z.object({
  name: z.string(),
  requireApproval: z.boolean(),
  maxRetries: z.int(),
  askHuman: z.nullable(z.string()),
  escalate: z.nullable(z.string()),
  /** `actions_on_start`, in order. */
  actions: z.array(z.object({ kind: z.enum(['send_keys', 'shell']), command: z.string() })),
  /** null: no triggers, the stage starts as soon as it is reached. */
  triggers: StageConditionGroupView,
  /** null: never (the stage runs until retried or reset). */
  successWhen: StageConditionGroupView,
  failWhen: StageConditionGroupView,
  notify: z.object({ onStart: NotifyTemplateView, onSuccess: NotifyTemplateView, onFail: NotifyTemplateView }),
});
export type StageConfigView = z.infer<typeof StageConfigView>;

/** `GET /api/agent/config`: the running config (secrets redacted), its warnings, and the last rejected edit. */
export const AgentConfigView = z.object({
  sources: z.object({ hostsPath: z.nullable(z.string()), policyPath: z.nullable(z.string()) }),
  hash: z.string(),
  loadedAt: IsoDate,
  dryRun: z.boolean(),
  pollIntervalMs: z.int(),
  approvalDir: z.string(),
  notify: z.array(z.string()),
  /** Channels actually sending (a channel without its secret is left out). */
  activeChannels: z.array(z.string()),
  bridge: z.object({
    baseUrl: z.nullable(z.string()),
    effectiveBaseUrl: z.string(),
    approvalTtlHours: z.number(),
    webhookUrls: z.array(z.string()),
    serverchanBaseUrl: z.nullable(z.string()),
    wecomWebhook: z.nullable(z.string()),
    notifyRetry: z.object({ attempts: z.int(), baseDelayMs: z.int(), timeoutMs: z.int() }),
    shellTimeoutMs: z.int(),
    /** Whether writing into a request file decides (`bridge.approvals.file`). */
    fileApprovals: z.boolean(),
    /** `bridge.notify_language`: the language of the engine's own notification texts on the channels. */
    notifyLanguage: z.enum(['en', 'zh-CN']),
  }),
  hosts: z.array(
    z.object({
      /** A remote host's connection and how its output is read; null for local hosts. */
      connection: z.nullable(z.lazy(() => HostConnectionView)),
      name: z.string(),
      kind: z.enum(['bridge', 'local', 'ssh']),
      ssh: z.nullable(
        z.object({
          host: z.string(),
          port: z.int(),
          user: z.nullable(z.string()),
          key: z.nullable(z.string()),
          timeoutSec: z.int(),
          knownHosts: z.nullable(z.string()),
          acceptNewHostKey: z.boolean(),
          /** false: polled with captures instead of the live connection. */
          live: z.boolean(),
        }),
      ),
      socket: z.string(),
      /** Patterns as written in hosts.yaml (Python syntax). */
      sessionFilters: z.array(z.string()),
      paneNamePatterns: z.array(z.string()),
      captureLines: z.int(),
      pollIntervalMs: z.int(),
      /** Connection or listing problem, if any. */
      error: z.nullable(z.string()),
    }),
  ),
  principles: z.array(z.string()),
  pipelines: z.array(
    z.object({
      name: z.string(),
      /** null: the pipeline applies to every watched pane. */
      match: MatchConditionGroupView,
      stages: z.array(StageConfigView),
    }),
  ),
  warnings: z.array(ConfigIssueView),
  /** The last edit that was rejected (the config above kept running); null once a valid version loaded. */
  lastError: z.nullable(z.object({ at: IsoDate, errors: z.array(ConfigIssueView) })),
});
export type AgentConfigView = z.infer<typeof AgentConfigView>;

/**
 * A remote host's connection: `connected`, `reconnecting` (reason says why),
 * `auth_failed`, `host_key_failed`, `control_unavailable` (polled instead), `connecting`.
 * `mode`: `stream` = live output over the ssh connection; `poll` = captures every interval.
 */
export const HostConnectionView = z.object({
  state: z.enum(['connecting', 'connected', 'reconnecting', 'auth_failed', 'host_key_failed', 'control_unavailable']),
  reason: z.nullable(z.string()),
  since: z.string(),
  mode: z.enum(['stream', 'poll']),
});
export type HostConnectionView = z.infer<typeof HostConnectionView>;

/** One host on `GET /api/hosts`. */
export const HostView = z.object({
  name: z.string(),
  kind: z.enum(['bridge', 'local', 'ssh']),
  /** `user@host:port` of a remote host, null for local ones. */
  target: z.nullable(z.string()),
  socket: z.string(),
  state: HostConnectionView.shape.state,
  reason: z.nullable(z.string()),
  since: z.nullable(z.string()),
  mode: HostConnectionView.shape.mode,
  /** Watched panes. */
  panes: z.int(),
});
export type HostView = z.infer<typeof HostView>;

/** `GET /api/hosts`. */
export const HostList = z.object({ hosts: z.array(HostView) });
export type HostList = z.infer<typeof HostList>;
