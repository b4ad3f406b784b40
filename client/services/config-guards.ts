import type {
  MatchConditionGroupView,
  MatchConditionView,
  NotifyTemplateView,
  StageConditionGroupView,
  StageConditionView,
} from '../../schemas/index.ts';
import { list, str, strOrNull, strings, int, type Obj } from './agent-guards.ts';
import type { ConfigView } from './agent-types.ts';
import { isObject } from './guards.ts';

/*
 * The reader of `GET /api/agent/config`, in the manner of agent-guards.ts: every
 * field the Config page relies on checked, optional ones filled with their empty value.
 */

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

function readIssue(value: unknown): ConfigView['warnings'][number] | undefined {
  if (str(value)) return { file: '', line: 0, column: 0, path: '', message: value, text: value };
  if (!isObject(value)) return undefined;
  const text = str(value.text) ? value.text : str(value.message) ? value.message : undefined;
  if (text === undefined) return undefined;
  return {
    file: str(value.file) ? value.file : '',
    line: int(value.line) ? value.line : 0,
    column: int(value.column) ? value.column : 0,
    path: str(value.path) ? value.path : '',
    message: str(value.message) ? value.message : text,
    text,
  };
}

function readGroup<C>(value: unknown, read: (item: unknown) => C | undefined): { anyOf: C[]; allOf: C[] } | null {
  if (!isObject(value)) return null;
  const group = { anyOf: list(value.anyOf, read), allOf: list(value.allOf, read) };
  return group.anyOf.length + group.allOf.length > 0 ? group : null;
}

function readStageCondition(value: unknown): StageConditionView | undefined {
  if (!isObject(value)) return undefined;
  const c = { logRegex: strOrNull(value.logRegex), messageType: strOrNull(value.messageType), afterStageSuccess: strOrNull(value.afterStageSuccess) };
  return c.logRegex ?? c.messageType ?? c.afterStageSuccess ? c : undefined;
}

function readMatchCondition(value: unknown): MatchConditionView | undefined {
  if (!isObject(value)) return undefined;
  const c = { windowName: strOrNull(value.windowName), paneTitle: strOrNull(value.paneTitle), sessionName: strOrNull(value.sessionName) };
  return c.windowName ?? c.paneTitle ?? c.sessionName ? c : undefined;
}

const readStageGroup = (value: unknown): StageConditionGroupView => readGroup(value, readStageCondition);
const readMatchGroup = (value: unknown): MatchConditionGroupView => readGroup(value, readMatchCondition);
const notify = (stage: Obj): Obj => (isObject(stage.notify) ? stage.notify : {});

function readTemplate(value: unknown): NotifyTemplateView {
  if (!isObject(value)) return null;
  return { title: str(value.title) ? value.title : '', body: str(value.body) ? value.body : '' };
}

/** `GET /api/agent/config`; lists the page iterates are always arrays, objects it reads always objects. */
export function readAgentConfig(value: unknown): ConfigView | undefined {
  if (!isObject(value) || !Array.isArray(value.hosts) || !Array.isArray(value.pipelines)) return undefined;
  const sources = isObject(value.sources) ? value.sources : {};
  const bridge = isObject(value.bridge) ? value.bridge : {};
  const retry = isObject(bridge.notifyRetry) ? bridge.notifyRetry : {};
  const lastError = isObject(value.lastError) ? value.lastError : null;
  return {
    sources: { hostsPath: strOrNull(sources.hostsPath), policyPath: strOrNull(sources.policyPath) },
    hash: str(value.hash) ? value.hash : '',
    loadedAt: str(value.loadedAt) ? value.loadedAt : '',
    dryRun: value.dryRun === true,
    pollIntervalMs: num(value.pollIntervalMs, 0),
    approvalDir: str(value.approvalDir) ? value.approvalDir : '',
    notify: strings(value.notify),
    activeChannels: strings(value.activeChannels),
    bridge: {
      baseUrl: strOrNull(bridge.baseUrl),
      effectiveBaseUrl: str(bridge.effectiveBaseUrl) ? bridge.effectiveBaseUrl : '',
      approvalTtlHours: num(bridge.approvalTtlHours, 0),
      webhookUrls: strings(bridge.webhookUrls),
      serverchanBaseUrl: strOrNull(bridge.serverchanBaseUrl),
      wecomWebhook: strOrNull(bridge.wecomWebhook),
      notifyRetry: { attempts: num(retry.attempts, 0), baseDelayMs: num(retry.baseDelayMs, 0), timeoutMs: num(retry.timeoutMs, 0) },
      shellTimeoutMs: num(bridge.shellTimeoutMs, 0),
      fileApprovals: bridge.fileApprovals !== false,
    },
    hosts: list(value.hosts, (h) => {
      if (!isObject(h) || !str(h.name)) return undefined;
      const ssh = isObject(h.ssh) && str(h.ssh.host) ? h.ssh : null;
      return {
        name: h.name,
        kind: h.kind === 'bridge' || h.kind === 'ssh' ? h.kind : 'local',
        ssh: ssh ? { host: ssh.host as string, port: num(ssh.port, 22), user: strOrNull(ssh.user), key: strOrNull(ssh.key), timeoutSec: num(ssh.timeoutSec, 30) } : null,
        socket: str(h.socket) ? h.socket : 'default',
        sessionFilters: strings(h.sessionFilters),
        paneNamePatterns: strings(h.paneNamePatterns),
        captureLines: num(h.captureLines, 0),
        pollIntervalMs: num(h.pollIntervalMs, 0),
        error: strOrNull(h.error),
        connection: connectionOf(h.connection),
      };
    }),
    principles: strings(value.principles),
    pipelines: list(value.pipelines, (p) => {
      if (!isObject(p) || !str(p.name)) return undefined;
      return {
        name: p.name,
        stages: list(p.stages, (s) => {
          if (!isObject(s) || !str(s.name)) return undefined;
          return {
            name: s.name,
            requireApproval: s.requireApproval === true,
            maxRetries: num(s.maxRetries, 0),
            askHuman: strOrNull(s.askHuman),
            escalate: strOrNull(s.escalate),
            actions: list(s.actions, (a) =>
              isObject(a) && (a.kind === 'send_keys' || a.kind === 'shell') && str(a.command) ? { kind: a.kind, command: a.command } : undefined,
            ),
            triggers: readStageGroup(s.triggers),
            successWhen: readStageGroup(s.successWhen),
            failWhen: readStageGroup(s.failWhen),
            notify: {
              onStart: readTemplate(notify(s).onStart),
              onSuccess: readTemplate(notify(s).onSuccess),
              onFail: readTemplate(notify(s).onFail),
            },
          };
        }),
        match: readMatchGroup(p.match),
      };
    }),
    warnings: list(value.warnings, readIssue),
    lastError: lastError ? { at: str(lastError.at) ? lastError.at : '', errors: list(lastError.errors, readIssue) } : null,
  };
}

const CONNECTION_STATES = ['connecting', 'connected', 'reconnecting', 'auth_failed', 'host_key_failed', 'control_unavailable'] as const;

function connectionOf(value: unknown): ConfigView['hosts'][number]['connection'] {
  if (!isObject(value) || !CONNECTION_STATES.includes(value.state as (typeof CONNECTION_STATES)[number])) return null;
  return {
    state: value.state as (typeof CONNECTION_STATES)[number],
    reason: strOrNull(value.reason),
    since: str(value.since) ? value.since : '',
    mode: value.mode === 'poll' ? 'poll' : 'stream',
  };
}
