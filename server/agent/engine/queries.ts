/**
 * Read models behind the agent API: overview, pipelines, panes, approvals,
 * notifications and the running config (secrets redacted).
 */
import type { HostView } from '../../../schemas/agent-config-view.ts';
import type { AgentConfigView, ConfigIssueView, NotifyTemplateView, StageConfigView } from '../../../schemas/agent-config-view.ts';
import type { ApprovalView, NotificationRecord, Overview, PaneView, PipelineView } from '../../../schemas/agent.ts';
import type { ApprovalsQuery, NotificationsQuery } from '../../../schemas/agent-input.ts';
import type { NotifyTemplate } from '../../../schemas/agent-config.ts';
import { NotificationKind, NotificationText } from '../../../schemas/agent.ts';
import type { NotificationRow } from '../../../schemas/store.ts';
import type { TmuxServer } from '../../../tmux/server.ts';
import { formatIssue } from '../config/index.ts';
import type { CompiledGroup, CompiledPipeline, ConfigIssue } from '../config/types.ts';
import { redact } from '../notify/index.ts';
import type { AgentEngine } from './engine.ts';
import { TAIL_LINES } from './tail.ts';
import { overview, pipelineView } from './views.ts';

export function overviewOf(engine: AgentEngine): Overview {
  const config = engine.config();
  return overview({
    hostNames: config.hosts.map((host) => host.name),
    pipelines: config.policy.pipelines,
    principles: config.policy.principles,
    runtimes: engine.runtimes(),
    pending: engine.approvalRepo.listPending().map((approval) => engine.approvalView(approval)),
  });
}

export function pipelinesOf(engine: AgentEngine): PipelineView[] {
  const runtimes = engine.runtimes();
  return engine.config().policy.pipelines.map((pipeline) => pipelineView(pipeline, runtimes));
}

export function pipelineOf(engine: AgentEngine, name: string): PipelineView | undefined {
  const pipeline = engine.config().policy.pipelines.find((p) => p.name === name);
  return pipeline ? pipelineView(pipeline, engine.runtimes()) : undefined;
}

export function approvalsOf(engine: AgentEngine, query: ApprovalsQuery): ApprovalView[] {
  const repo = engine.approvalRepo;
  const list = (() => {
    switch (query.status ?? 'pending') {
      case 'pending':
        return repo.listPending().slice(0, query.limit ?? 1000);
      case 'decided':
        return repo.listDecided({ limit: query.limit });
      case 'cancelled':
        return repo.listDecided({ statuses: ['cancelled'], limit: query.limit });
      case 'all':
        return [...repo.listPending(), ...repo.listDecided({ statuses: ['approved', 'rejected', 'cancelled'], limit: query.limit })];
    }
  })();
  return list.map((approval) => engine.approvalView(approval));
}

function toRecord(row: NotificationRow): NotificationRecord {
  const links = (row.payload?.links ?? {}) as Record<string, unknown>;
  const kind = NotificationKind.safeParse(row.kind);
  const text = NotificationText.safeParse(row.payload?.text);
  return {
    deliveryId: `${row.notificationId}.${row.channel}`,
    notificationId: row.notificationId,
    channel: row.channel,
    title: row.title,
    body: row.body,
    kind: kind.success ? kind.data : 'info',
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    httpStatus: row.httpStatus,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    payload: {
      host: row.host,
      paneId: row.paneId,
      pipeline: row.pipeline,
      stage: row.stage,
      links: Object.fromEntries(Object.entries(links).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
      ...(text.success ? { text: text.data } : {}),
    },
  };
}

export function notificationsOf(engine: AgentEngine, query: NotificationsQuery): NotificationRecord[] {
  return engine.store.notifications.list({ status: query.status, limit: query.limit ?? 100 }).map(toRecord);
}

function issueView(issue: ConfigIssue): ConfigIssueView {
  return { ...issue, text: formatIssue(issue) };
}

function groupView<C extends { readonly written: W }, W>(group: CompiledGroup<C> | null): { anyOf: W[]; allOf: W[] } | null {
  return group && { anyOf: group.anyOf.map((c) => ({ ...c.written })), allOf: group.allOf.map((c) => ({ ...c.written })) };
}

const templateView = (template: NotifyTemplate | null): NotifyTemplateView => (template ? { title: template.title, body: template.body } : null);

/**
 * A pipeline as the policy file says it, with every condition and template. Nothing in
 * policy.yaml is a secret (those live in the environment and hosts.yaml's bridge block),
 * so nothing here is redacted.
 */
function pipelineConfigView(pipeline: CompiledPipeline): AgentConfigView['pipelines'][number] {
  return {
    name: pipeline.name,
    match: groupView(pipeline.match),
    stages: pipeline.stages.map(
      (stage): StageConfigView => ({
        name: stage.name,
        requireApproval: stage.requireApproval,
        maxRetries: stage.onFail.retryMax,
        askHuman: stage.onFail.askHuman,
        escalate: stage.onFail.escalate,
        actions: stage.actionsOnStart.map((action) => ({ kind: action.kind, command: action.command })),
        triggers: groupView(stage.triggers),
        successWhen: groupView(stage.successWhen),
        failWhen: groupView(stage.failWhen),
        notify: { onStart: templateView(stage.onStartNotify), onSuccess: templateView(stage.onSuccessNotify), onFail: templateView(stage.onFailNotify) },
      }),
    ),
  };
}

export function configViewOf(engine: AgentEngine): AgentConfigView {
  const config = engine.config();
  const problem = engine.lastProblem;
  const watchers = new Map(engine.hostWatchers().map((watcher) => [watcher.name, watcher]));
  return {
    sources: config.sources,
    hash: config.hash,
    loadedAt: engine.configLoadedAt,
    dryRun: engine.dryRun,
    pollIntervalMs: config.pollIntervalMs,
    approvalDir: config.approvalDir,
    notify: [...config.notify],
    activeChannels: [...engine.channels],
    bridge: {
      baseUrl: config.bridge.baseUrl,
      effectiveBaseUrl: engine.baseUrl,
      approvalTtlHours: config.bridge.approvalTtlMs / 3_600_000,
      // Webhook URLs carry their secret in the path or query: never shown whole.
      webhookUrls: config.bridge.webhookUrls.map(redact),
      serverchanBaseUrl: config.bridge.serverchanBaseUrl,
      wecomWebhook: config.bridge.wecomWebhook ? redact(config.bridge.wecomWebhook) : null,
      notifyRetry: { ...config.bridge.notifyRetry },
      shellTimeoutMs: config.bridge.shellTimeoutMs,
      fileApprovals: config.bridge.fileApprovals,
      notifyLanguage: config.bridge.notifyLanguage,
    },
    hosts: config.hosts.map((host) => {
      const watcher = watchers.get(host.name);
      return {
        name: host.name,
        kind: watcher?.kind ?? (host.ssh ? 'ssh' : 'local'),
        ssh: host.ssh ? { ...host.ssh } : null,
        socket: host.tmux.socket,
        // As written: the compiled RegExps hold the translation (`(?i)x` becomes /x/i).
        sessionFilters: [...host.tmux.sessionFilters],
        paneNamePatterns: [...host.tmux.paneNamePatterns],
        captureLines: host.tmux.captureLines,
        pollIntervalMs: host.tmux.pollIntervalMs ?? config.pollIntervalMs,
        error: watcher?.error ?? null,
        connection: watcher?.connection ?? null,
      };
    }),
    principles: [...config.policy.principles],
    pipelines: config.policy.pipelines.map(pipelineConfigView),
    warnings: engine.warnings.map(issueView),
    lastError: problem ? { at: problem.at, errors: problem.errors.map(issueView) } : null,
  };
}

/**
 * Every watched pane of every host, and every pane of the bridge's own server (the
 * unwatched ones get their last lines from a capture, over the control client).
 */
export async function panesOf(engine: AgentEngine, bridge: TmuxServer, sessionKeyOf: (paneId: string) => string | null): Promise<PaneView[]> {
  const out: PaneView[] = [];
  const watchedBridgePanes = new Set<string>();
  for (const watcher of engine.hostWatchers()) {
    for (const runtime of watcher.runtimes()) {
      if (watcher.kind === 'bridge') watchedBridgePanes.add(runtime.paneId);
      out.push({
        host: watcher.name,
        paneId: runtime.paneId,
        sessionKey: engine.sessionKeyOf(watcher.name, runtime.paneId),
        session: runtime.pane.sessionName,
        window: runtime.pane.windowName,
        title: runtime.pane.paneTitle,
        watched: true,
        pipelines: runtime.pipelines.map((p) => p.name),
        status: runtime.pane.dead ? 'dead' : runtime.mode,
        lastLines: [...runtime.tail],
      });
    }
  }
  const bridgeHost = engine.hostWatchers().find((watcher) => watcher.kind === 'bridge')?.name ?? 'local';
  const others = bridge.monitor.list().filter((pane) => !watchedBridgePanes.has(pane.paneId));
  const tails = await Promise.all(
    others.map((pane) =>
      bridge.control
        .run(['capture-pane', '-p', '-J', '-t', pane.paneId, '-S', `-${TAIL_LINES}`])
        .then((lines) => {
          while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
          return lines.slice(-TAIL_LINES).map((line) => line.replace(/\s+$/, ''));
        })
        .catch(() => [] as string[]),
    ),
  );
  others.forEach((pane, i) => {
    out.push({
      host: bridgeHost,
      paneId: pane.paneId,
      sessionKey: sessionKeyOf(pane.paneId),
      session: pane.sessionName,
      window: pane.windowName,
      title: pane.title,
      watched: false,
      pipelines: [],
      status: pane.dead ? 'dead' : 'unwatched',
      lastLines: tails[i] ?? [],
    });
  });
  return out;
}

/** Every configured host with its connection: `GET /api/hosts`. */
export function hostsOf(engine: AgentEngine): HostView[] {
  const watchers = new Map(engine.hostWatchers().map((watcher) => [watcher.name, watcher]));
  return engine.config().hosts.map((host) => {
    const watcher = watchers.get(host.name);
    const connection = watcher?.connection ?? null;
    return {
      name: host.name,
      kind: watcher?.kind ?? (host.ssh ? 'ssh' : 'local'),
      target: host.ssh ? `${host.ssh.user ? `${host.ssh.user}@` : ''}${host.ssh.host}:${host.ssh.port}` : null,
      socket: host.tmux.socket,
      // Local hosts are connected when their server answers (no error).
      state: connection?.state ?? (watcher?.error ? 'reconnecting' : 'connected'),
      reason: connection ? connection.reason : (watcher?.error ?? null),
      since: connection?.since ?? null,
      mode: connection?.mode ?? 'stream',
      panes: watcher?.runtimes().length ?? 0,
    };
  });
}
