/**
 * The tmuxagent configuration files, `hosts.yaml` and `policy.yaml`, as zod schemas.
 *
 * The objects are strict so that an unknown key shows up as an `unrecognized_keys`
 * issue; the loader (`server/agent/config`) turns those issues into warnings, drops
 * the keys and parses again, so unknown keys never fail a file. The outputs are
 * normalized (camelCase, defaults filled, the old flat host layout nested, `notify`
 * split into a list); regexes stay strings here and are compiled by the loader.
 */
import { z } from 'zod';
import { rule, worded } from './rule.ts';

/** YAML gives `null` for a key with nothing after it: treat it as absent. */
function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => (value === null ? undefined : value));
}

/** What a number counts, said after it; the UI words it as `issue.config_unit.<unit>`. */
const UNITS = { '': '', seconds: ' (seconds)', ms: ' (milliseconds)', poll_ms: ' (milliseconds; tmuxagent never polled faster than 100)' } as const;

/*
 * The messages below are `worded` (rule.ts): English as the loader reports it, and a
 * rule code the UI words in its own language (`issue.config_…` in the config catalogs).
 */

/** An integer, also accepted as a string of digits (as pydantic's lax mode did). */
function intLike(min: number, max = Number.MAX_SAFE_INTEGER, unit: keyof typeof UNITS = '') {
  const hint = UNITS[unit];
  const whole = worded('config_whole_number', `expected a whole number${hint}`, { unit });
  return z
    .union([z.number(), z.string().regex(/^\s*\d+\s*$/, whole)], { error: whole })
    .transform((value) => (typeof value === 'string' ? Number(value.trim()) : value))
    .pipe(
      z
        .number()
        .int(whole)
        .min(min, worded('config_at_least', `must be at least ${min}${hint}`, { minimum: min, unit }))
        .max(max, worded('config_at_most', `must be at most ${max}${hint}`, { maximum: max, unit })),
    );
}

/** "is required" when the key has no value, else that the value is of the wrong kind. */
const missing = (code: string, what: string) => {
  const required = worded('config_required', 'is required');
  const wrong = worded(code, `expected ${what} (quote it in YAML)`);
  return (issue: { input?: unknown }) => (issue.input === undefined ? required : wrong);
};
const TRUE_OR_FALSE = worded('config_bool', 'expected true or false');
const NOT_EMPTY = worded('config_not_empty', 'must not be empty');
const Text = z.string({ error: missing('config_expected_string', 'a string') });
const RegexText = z.string({ error: missing('config_expected_regex', 'a regular expression as a string') });
const TextList = z.array(Text);
/**
 * Free text where YAML may have produced a number or boolean (`escalate: 42`,
 * `body: yes`): read as its text, as tmuxagent passed on_fail values through untyped.
 */
const Scalar = z
  .union([z.string(), z.number(), z.boolean()], { error: missing('config_expected_text', 'text') })
  .transform((value) => String(value));
const NonEmptyScalar = Scalar.pipe(z.string().min(1, NOT_EMPTY));

/* ------------------------------------------------------------------ hosts.yaml */

/** Channels tmux-bridge can send to; the loader warns about (and drops) any other name. */
export const NotifyChannelName = z.enum(['stdout', 'serverchan', 'wecom', 'webhook']);
export type NotifyChannelName = z.infer<typeof NotifyChannelName>;

/** `notify: "stdout,wecom"` or `notify: [stdout, wecom]`. */
export const NotifySetting = z
  .union([Text, TextList], { error: worded('config_notify_setting', 'expected a channel name, "a,b" or a list of channel names') })
  .transform((value) =>
    (typeof value === 'string' ? value.split(',') : value).map((item) => item.trim()).filter((item) => item.length > 0),
  );

export const SshConfig = z
  .strictObject({
    host: Text.min(1, worded('config_ssh_host_empty', 'the ssh host must not be empty')),
    port: optional(intLike(1, 65535)),
    user: optional(Text),
    key: optional(Text),
    /** tmuxagent's field name for `key`. */
    key_path: optional(Text),
    /** Accepted for compatibility; never used (ssh runs with BatchMode=yes). */
    password: optional(Text),
    timeout: optional(intLike(1, 3600, 'seconds')),
    /** known_hosts file to check the host key against (default: ssh's own, ~/.ssh/known_hosts). */
    known_hosts: optional(Text.min(1)),
    /** Record the host key on the first connection (`StrictHostKeyChecking=accept-new`); off by default. */
    accept_new_host_key: optional(z.boolean({ error: TRUE_OR_FALSE })),
    /** false: poll with captures instead of the live connection (hosts whose tmux is older than 3.2). */
    live: optional(z.boolean({ error: TRUE_OR_FALSE })),
  })
  .transform((s) => ({
    host: s.host,
    port: s.port ?? 22,
    user: s.user ?? null,
    key: s.key ?? s.key_path ?? null,
    timeoutSec: s.timeout ?? 30,
    knownHosts: s.known_hosts ?? null,
    acceptNewHostKey: s.accept_new_host_key ?? false,
    live: s.live ?? true,
  }));
export type SshConfig = z.output<typeof SshConfig>;

/** `socket: bridge`: follow the bridge's own `--socket`, so one hosts.yaml works with any. */
export const BRIDGE_SOCKET = 'bridge';

export const TmuxHostConfig = z
  .strictObject({
    socket: optional(Text.min(1)),
    session_filters: optional(z.array(RegexText)),
    pane_name_patterns: optional(z.array(RegexText)),
    capture_lines: optional(intLike(1, 1_000_000)),
    poll_interval_ms: optional(intLike(100, 3_600_000, 'ms')),
  })
  .transform((t) => ({
    /**
     * `default` is the user's default tmux server; `bridge` (BRIDGE_SOCKET) is the
     * bridge's own server, whatever `--socket` says (resolved when the config is
     * compiled); any other name means `tmux -L <socket>`.
     */
    socket: t.socket ?? 'default',
    sessionFilters: t.session_filters ?? [],
    paneNamePatterns: t.pane_name_patterns ?? [],
    captureLines: t.capture_lines ?? 2000,
    pollIntervalMs: t.poll_interval_ms ?? null,
  }));
export type TmuxHostConfig = z.output<typeof TmuxHostConfig>;

/** One host in the nested layout; the loader moves flat-layout keys under `ssh`/`tmux` first. */
export const HostConfig = z
  .strictObject({
    name: optional(Text.min(1, worded('config_host_name_empty', 'a host name must not be empty'))),
    ssh: optional(SshConfig),
    tmux: optional(TmuxHostConfig),
  })
  .transform((h) => ({
    name: h.name ?? 'local',
    ssh: h.ssh ?? null,
    tmux: h.tmux ?? TmuxHostConfig.parse({}),
  }));
export type HostConfig = z.output<typeof HostConfig>;

/** `bridge.notify_language`: the UI's languages (client/i18n), whose catalog words the engine's own notifications. */
export const NOTIFY_LANGUAGES = ['en', 'zh-CN'] as const;
export const NotifyLanguage = z.enum(NOTIFY_LANGUAGES, { error: worded('config_notify_language', 'expected en (English) or zh-CN (Simplified Chinese)') });
export type NotifyLanguage = z.infer<typeof NotifyLanguage>;

/**
 * tmux-bridge extensions, under a top-level `bridge:` key so that the file still
 * loads in tmuxagent (pydantic ignored unknown top-level keys). See docs/agent.md.
 */
export const BridgeExtensions = z
  .strictObject({
    /** Public base URL for approval links: `{base_url}/a/{token}/approve`. */
    base_url: optional(z.url({ error: worded('config_base_url', 'expected an absolute URL such as http://127.0.0.1:7690', { example: 'http://127.0.0.1:7690' }) })),
    /** Lifetime of signed approval links. */
    approval_ttl_hours: optional(z.number().positive().max(24 * 365)),
    /** Generic JSON webhook(s) for the `webhook` channel. */
    webhook_url: optional(z.union([z.url(), z.array(z.url())])),
    /** Endpoint overrides (tests, proxies, self-hosted relays). */
    notify_endpoints: optional(
      z.strictObject({
        serverchan: optional(z.url()),
        wecom: optional(z.url()),
        webhook: optional(z.union([z.url(), z.array(z.url())])),
      }),
    ),
    notify_retry: optional(
      z.strictObject({
        attempts: optional(intLike(1, 20)),
        base_delay_ms: optional(intLike(0, 600_000, 'ms')),
        timeout_ms: optional(intLike(100, 600_000, 'ms')),
      }),
    ),
    /** Time limit of one `shell` action. */
    shell_timeout_ms: optional(intLike(100, 86_400_000, 'ms')),
    /** `file: false` accepts decisions only from the web and signed links (any local process can write a file). */
    approvals: optional(z.strictObject({ file: optional(z.boolean({ error: TRUE_OR_FALSE })) })),
    /** The language of the titles and bodies the engine writes itself, on every channel (policy.yaml templates go as written). */
    notify_language: optional(NotifyLanguage),
  })
  .transform((b) => {
    const webhooks = [b.webhook_url ?? [], b.notify_endpoints?.webhook ?? []].flat();
    return {
      baseUrl: b.base_url ? b.base_url.replace(/\/+$/, '') : null,
      approvalTtlMs: Math.round((b.approval_ttl_hours ?? 24) * 3_600_000),
      webhookUrls: [...new Set(webhooks)],
      serverchanBaseUrl: b.notify_endpoints?.serverchan ?? null,
      wecomWebhook: b.notify_endpoints?.wecom ?? null,
      notifyRetry: {
        attempts: b.notify_retry?.attempts ?? 4,
        baseDelayMs: b.notify_retry?.base_delay_ms ?? 500,
        timeoutMs: b.notify_retry?.timeout_ms ?? 5000,
      },
      shellTimeoutMs: b.shell_timeout_ms ?? 60_000,
      fileApprovals: b.approvals?.file ?? true,
      notifyLanguage: b.notify_language ?? 'en',
    };
  });
export type BridgeExtensions = z.output<typeof BridgeExtensions>;

export const HostsFile = z
  .strictObject({
    poll_interval_ms: optional(intLike(100, 3_600_000, 'poll_ms')),
    tmux_bin: optional(Text.min(1)),
    sqlite_path: optional(Text),
    approval_dir: optional(Text),
    notify: optional(NotifySetting),
    /** tmuxagent's alias of `notify`. */
    notify_channel: optional(NotifySetting),
    hosts: optional(z.array(HostConfig)),
    bridge: optional(BridgeExtensions),
  })
  .transform((f) => ({
    pollIntervalMs: f.poll_interval_ms ?? 1500,
    tmuxBin: f.tmux_bin ?? 'tmux',
    sqlitePath: f.sqlite_path ?? '~/.tmux_agent/state.db',
    approvalDir: f.approval_dir ?? '~/.tmux_agent/approvals',
    notify: f.notify ?? f.notify_channel ?? ['stdout'],
    // An empty list means one local host, as in tmuxagent.
    hosts: f.hosts && f.hosts.length > 0 ? f.hosts : [HostConfig.parse({ name: 'local' })],
    bridge: f.bridge ?? BridgeExtensions.parse({}),
  }));
export type HostsFileInput = z.input<typeof HostsFile>;
export type HostsConfig = z.output<typeof HostsFile>;

/** Keys of the old flat host layout and where they belong in the nested one. */
export const FLAT_TMUX_KEYS = ['socket', 'session_filters', 'pane_name_patterns', 'capture_lines', 'poll_interval_ms'] as const;
export const FLAT_SSH_KEYS = ['host', 'port', 'user', 'key', 'key_path', 'password', 'timeout', 'known_hosts', 'accept_new_host_key', 'live'] as const;

/* ----------------------------------------------------------------- policy.yaml */

/** A condition inside `triggers`, `success_when` or `fail_when`; any of its keys matching makes it true (as in tmuxagent). */
export const StageCondition = z
  .strictObject({
    log_regex: optional(RegexText),
    message_type: optional(NonEmptyScalar),
    after_stage_success: optional(Text.min(1)),
  })
  .refine(
    (c) => c.log_regex !== undefined || c.message_type !== undefined || c.after_stage_success !== undefined,
    rule('config_condition_keys', 'a condition needs log_regex, message_type or after_stage_success'),
  )
  .transform((c) => ({
    logRegex: c.log_regex ?? null,
    messageType: c.message_type ?? null,
    afterStageSuccess: c.after_stage_success ?? null,
  }));
export type StageCondition = z.output<typeof StageCondition>;

/** A condition of `match`; every key it has must match (window_name and pane_title both given = both must match). */
export const MatchCondition = z
  .strictObject({
    window_name: optional(RegexText),
    pane_title: optional(RegexText),
    session_name: optional(RegexText),
  })
  .refine(
    (c) => c.window_name !== undefined || c.pane_title !== undefined || c.session_name !== undefined,
    rule('config_match_keys', 'a match condition needs window_name, pane_title or session_name'),
  )
  .transform((c) => ({
    windowName: c.window_name ?? null,
    paneTitle: c.pane_title ?? null,
    sessionName: c.session_name ?? null,
  }));
export type MatchCondition = z.output<typeof MatchCondition>;

/** `{any_of: [...]}` and/or `{all_of: [...]}`; `null` when no condition is given at all. */
function conditionGroup<T extends z.ZodType>(condition: T) {
  return z
    .strictObject({ any_of: optional(z.array(condition)), all_of: optional(z.array(condition)) })
    .transform((g) => {
      const anyOf = (g.any_of ?? []) as z.output<T>[];
      const allOf = (g.all_of ?? []) as z.output<T>[];
      return anyOf.length === 0 && allOf.length === 0 ? null : { anyOf, allOf };
    });
}
export const StageConditionGroup = conditionGroup(StageCondition);
export type StageConditionGroup = NonNullable<z.output<typeof StageConditionGroup>>;
export const MatchConditionGroup = conditionGroup(MatchCondition);
export type MatchConditionGroup = NonNullable<z.output<typeof MatchConditionGroup>>;

export const StageAction = z
  .strictObject({ send_keys: optional(Scalar), shell: optional(NonEmptyScalar) })
  .refine((a) => a.send_keys !== undefined || a.shell !== undefined, rule('config_action_keys', 'an action needs send_keys or shell'))
  .transform((a) => {
    // One entry may hold both (tmuxagent ran both); keep file order: send_keys first.
    const out: Array<{ kind: 'send_keys' | 'shell'; command: string }> = [];
    if (a.send_keys !== undefined) out.push({ kind: 'send_keys', command: a.send_keys });
    if (a.shell !== undefined) out.push({ kind: 'shell', command: a.shell });
    return out;
  });
export type StageAction = z.output<typeof StageAction>[number];

const IfStillFail = z.strictObject({ ask_human: optional(Scalar), escalate: optional(NonEmptyScalar) });

export const OnFailEntry = z.strictObject({
  retry: optional(z.strictObject({ max: optional(intLike(0, 1000)) })),
  ask_human: optional(Scalar),
  escalate: optional(NonEmptyScalar),
  if_still_fail: optional(IfStillFail),
});

/**
 * `on_fail` folded the way tmuxagent folded it: later entries override earlier ones;
 * `if_still_fail` sets the same ask_human/escalate as the top-level forms.
 */
export const OnFailList = z.array(OnFailEntry).transform((entries) => {
  let retryMax = 0;
  let askHuman: string | null = null;
  let escalate: string | null = null;
  for (const entry of entries) {
    if (entry.retry !== undefined) retryMax = entry.retry.max ?? 0;
    if (entry.ask_human !== undefined) askHuman = entry.ask_human;
    if (entry.escalate !== undefined) escalate = entry.escalate;
    if (entry.if_still_fail?.ask_human !== undefined) askHuman = entry.if_still_fail.ask_human;
    if (entry.if_still_fail?.escalate !== undefined) escalate = entry.if_still_fail.escalate;
  }
  return { retryMax, askHuman, escalate };
});
export type OnFailPolicy = z.output<typeof OnFailList>;

export const NotifyTemplate = z
  .strictObject({ title: optional(Scalar), body: optional(Scalar) })
  .transform((n) => ({ title: n.title ?? '', body: n.body ?? '' }));
export type NotifyTemplate = z.output<typeof NotifyTemplate>;

export const StageConfig = z
  .strictObject({
    name: Text.min(1, worded('config_stage_name', 'a stage needs a name')),
    triggers: optional(StageConditionGroup),
    actions_on_start: optional(z.array(StageAction)),
    success_when: optional(StageConditionGroup),
    fail_when: optional(StageConditionGroup),
    on_fail: optional(OnFailList),
    require_approval: optional(z.boolean({ error: TRUE_OR_FALSE })),
    on_start_notify: optional(NotifyTemplate),
    on_success_notify: optional(NotifyTemplate),
    on_fail_notify: optional(NotifyTemplate),
  })
  .transform((s) => ({
    name: s.name,
    triggers: s.triggers ?? null,
    actionsOnStart: (s.actions_on_start ?? []).flat(),
    successWhen: s.success_when ?? null,
    failWhen: s.fail_when ?? null,
    onFail: s.on_fail ?? { retryMax: 0, askHuman: null, escalate: null },
    requireApproval: s.require_approval ?? false,
    onStartNotify: s.on_start_notify ?? null,
    onSuccessNotify: s.on_success_notify ?? null,
    onFailNotify: s.on_fail_notify ?? null,
  }));
export type StageConfig = z.output<typeof StageConfig>;

export const PipelineConfig = z
  .strictObject({
    name: Text.min(1, worded('config_pipeline_name', 'a pipeline needs a name')),
    match: optional(MatchConditionGroup),
    stages: z.array(StageConfig, { error: worded('config_stage_list', 'expected a list of stages') }).min(1, worded('config_stages_min', 'a pipeline needs at least one stage')),
  })
  .transform((p) => ({ name: p.name, match: p.match ?? null, stages: p.stages }));
export type PipelineConfig = z.output<typeof PipelineConfig>;

export const PolicyFile = z
  .strictObject({
    principles: optional(z.array(Scalar)),
    pipelines: optional(z.array(PipelineConfig)),
  })
  .transform((p) => ({ principles: p.principles ?? [], pipelines: p.pipelines ?? [] }));
export type PolicyFileInput = z.input<typeof PolicyFile>;
export type PolicyConfig = z.output<typeof PolicyFile>;
