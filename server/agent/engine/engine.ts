/**
 * AgentEngine: the running agent board. It owns the config (and its live reload),
 * one watcher per host, the approval service and the notifications (notifications.ts), and implements the
 * EngineContext every pane runtime uses.
 *
 * About 400 lines on purpose: what is left is the EngineContext's methods, each a few
 * lines that hand over to the part that does the work; splitting them would only
 * move the context's one face into several files.
 */
import { join } from 'node:path';
import type { Approval, ApprovalDecision, ApprovalView } from '../../../schemas/agent.ts';
import type { EventPayload, EventType } from '../../../schemas/events.ts';
import type { EventBus } from '../../events/index.ts';
import { AgentApprovalRepository, PaneProgressRepository, type Store } from '../../store/index.ts';
import type { TmuxServer } from '../../../tmux/server.ts';
import { ApprovalService, approvalDirProblem, approvalNotice, tokenDigest, type ApprovalKey } from '../approvals/index.ts';
import { ConfigWatcher, defaultAgentConfig, formatIssue, loadAgentConfig } from '../config/index.ts';
import type { AgentConfig, CompiledHost, ConfigIssue } from '../config/types.ts';
import { LocalHostWatcher, type HostWatcher } from './hosts.ts';
import { loadOrCreateSecret, StoreApprovalPersistence, StoreNotificationRecorder } from './persistence.ts';
import { EngineNotifications } from './notifications.ts';
import type { PaneRuntime } from './runtime.ts';
import { SshHostWatcher } from './ssh-host.ts';
import { SshTmuxRunner } from './ssh-runner.ts';
import { RemoteTmuxServer, type RemoteHostDropped } from '../../../tmux/remote-server.ts';
import type { ApprovalRequest, EngineContext, EngineNotification } from './types.ts';
import { errorMessage } from '../../../base/errors.ts';
import { closeOnce, type IAsyncDisposable } from '../../../base/lifecycle.ts';
import { hostReasonText } from '../../../schemas/host-reason.ts';

export interface AgentEngineOptions {
  readonly configPath?: string | null;
  readonly policyPath?: string | null;
  readonly dryRun: boolean;
  readonly dataDir: string;
  /** The bridge's own tmux socket name: a local host on it shares the bridge's server. */
  readonly socketName: string;
  /** The bridge's URL, for approval links unless `bridge.base_url` is set. */
  readonly baseUrl: () => string;
  /** Environment for notification secrets and endpoints (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the stdout channel prints (default process.stdout). */
  readonly stdout?: (text: string) => void;
  /** Config files are checked this often besides fs.watch (ms). */
  readonly configPollMs?: number;
  /** Approval request files are read this often (ms). */
  readonly approvalPollMs?: number;
}

export interface AgentEngineDeps {
  readonly tmux: TmuxServer;
  readonly store: Store;
  readonly bus: EventBus;
  readonly options: AgentEngineOptions;
  readonly log: (message: string) => void;
  /** The bridge session showing a pane of the bridge's own server, if any. */
  readonly sessionKeyOf?: (paneId: string) => string | null;
  /**
   * Typing into a pane of the bridge's own server goes through the bridge's one
   * input path (ordered with the user's typing, audited as the agent's).
   */
  readonly typeIntoBridgePane?: (paneId: string, text: string, options: { enter: boolean }) => Promise<void>;
  /**
   * A remote host's live connection was made (server) or let go (null, and why): the
   * workbench runs that host's sessions over it.
   */
  readonly onRemoteHost?: (host: string, server: RemoteTmuxServer | null, why?: RemoteHostDropped) => void;
  /** The workbench session showing a pane of a remote host, if any. */
  readonly remoteSessionKeyOf?: (host: string, paneId: string) => string | null;
  /**
   * Typing into a pane of a remote host goes through the workbench's input path of
   * that host (ordered with a person's typing in its terminal, audited as the agent's).
   */
  readonly typeIntoRemotePane?: (host: string, paneId: string, text: string, options: { enter: boolean }) => Promise<void>;
}

export interface ConfigProblem {
  readonly at: string;
  readonly errors: readonly ConfigIssue[];
}

function hostIdentity(host: CompiledHost, bridgeSocket: string): string {
  return JSON.stringify({ name: host.name, ssh: host.ssh, tmux: host.tmux, bridge: !host.ssh && host.tmux.socket === bridgeSocket });
}

export class AgentEngine implements EngineContext, IAsyncDisposable {
  readonly progress: PaneProgressRepository;
  readonly approvalRepo: AgentApprovalRepository;
  readonly approvals: ApprovalService;
  readonly dryRun: boolean;
  private readonly notifications: EngineNotifications;
  private current: AgentConfig;
  private configWarnings: readonly ConfigIssue[] = [];
  private problem: ConfigProblem | null = null;
  private loadedAt = new Date().toISOString();
  private watcher: ConfigWatcher | undefined;
  private readonly hosts = new Map<string, { watcher: HostWatcher; identity: string }>();
  private closed = false;
  private hostChain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly deps: AgentEngineDeps,
    secret: Buffer,
  ) {
    this.dryRun = deps.options.dryRun;
    this.progress = new PaneProgressRepository(deps.store);
    this.approvalRepo = new AgentApprovalRepository(deps.store);
    this.current = defaultAgentConfig(deps.options.socketName);
    const persistence = new StoreApprovalPersistence(this.approvalRepo);
    this.approvals = new ApprovalService({
      persistence,
      secret,
      approvalDir: () => this.current.approvalDir,
      baseUrl: () => this.baseUrl,
      ttlMs: () => this.current.bridge.approvalTtlMs,
      files: () => this.current.bridge.fileApprovals,
      pollMs: deps.options.approvalPollMs,
    });
    persistence.digestFor = (approval) => tokenDigest(this.approvals.links(approval).token);
    this.approvals.onDecided(({ approval, decision }) => this.onDecided(approval, decision));
    this.approvals.onCancelled((approval) => this.publish('APPROVAL_DECIDED', { approval: this.approvalView(approval), decision: null }));
    this.approvals.onError((error) => this.log(`agent: approval request file problem: ${errorMessage(error)}`));
    this.notifications = new EngineNotifications(
      {
        recorder: new StoreNotificationRecorder(deps.store.notifications),
        onRecord: (record) => this.publish('NOTIFICATION', { notification: record }),
        log: (message) => this.log(message),
        env: deps.options.env ?? process.env,
        stdout: deps.options.stdout,
      },
      this.current,
    );
  }

  static async start(deps: AgentEngineDeps): Promise<AgentEngine> {
    const secret = await loadOrCreateSecret(deps.options.dataDir);
    const engine = new AgentEngine(deps, secret);
    try {
      await engine.begin();
    } catch (error) {
      await engine.close();
      throw error;
    }
    return engine;
  }

  get store(): Store {
    return this.deps.store;
  }

  get baseUrl(): string {
    return (this.current.bridge.baseUrl ?? this.deps.options.baseUrl()).replace(/\/+$/, '');
  }

  config(): AgentConfig {
    return this.current;
  }

  get warnings(): readonly ConfigIssue[] {
    return this.configWarnings;
  }

  get lastProblem(): ConfigProblem | null {
    return this.problem;
  }

  get configLoadedAt(): string {
    return this.loadedAt;
  }

  get channels(): readonly string[] {
    return this.notifications.channels;
  }

  hostWatchers(): HostWatcher[] {
    return [...this.hosts.values()].map((entry) => entry.watcher);
  }

  runtimes(): PaneRuntime[] {
    return this.hostWatchers().flatMap((watcher) => watcher.runtimes());
  }

  runtime(host: string, paneId: string): PaneRuntime | undefined {
    return this.hosts.get(host)?.watcher.runtime(paneId);
  }

  /** An approval as the API and events show it: with its pane's terminal and names, looked up now. */
  approvalView(approval: Approval): ApprovalView {
    const pane = this.runtime(approval.host, approval.paneId)?.pane;
    return {
      ...approval,
      sessionKey: this.sessionKeyOf(approval.host, approval.paneId),
      pane: pane ? { sessionName: pane.sessionName, windowName: pane.windowName, paneTitle: pane.paneTitle } : null,
    };
  }

  private async begin(): Promise<void> {
    const { configPath, policyPath, socketName, configPollMs } = this.deps.options;
    if (configPath || policyPath) {
      const result = await loadAgentConfig({ hostsPath: configPath, policyPath, socketName });
      if (result.ok) await refuseUnsafeApprovalDir(result.config);
      // Invalid at start: there is no previous config to keep, so the default one runs
      // (the bridge's panes, no pipelines) until the files are fixed.
      this.applyConfig(result.ok ? result.config : this.current, result.ok ? result.warnings : [], false);
      this.watcher = new ConfigWatcher(this.current, { hostsPath: configPath, policyPath, socketName, pollMs: configPollMs });
      this.watcher.onReloaded(({ config, warnings }) => this.applyConfig(config, warnings, true));
      this.watcher.onError(({ errors, warnings }) => this.reportProblem(errors, warnings));
      // The watcher reports the errors (CONFIG_ERROR) and remembers them, so they are not reported twice.
      if (!result.ok) await this.watcher.check();
    } else {
      await refuseUnsafeApprovalDir(this.current);
      this.applyConfig(this.current, [], false);
    }
    await this.hostChain;
    await this.approvals.resume();
  }

  private applyConfig(config: AgentConfig, warnings: readonly ConfigIssue[], reload: boolean): void {
    this.current = config;
    this.configWarnings = warnings;
    this.problem = null;
    this.loadedAt = new Date().toISOString();
    for (const warning of warnings) this.log(`agent config warning: ${formatIssue(warning)}`);
    const { warnings: channelWarnings } = this.notifications.configure(config);
    for (const warning of channelWarnings) this.log(`agent: ${warning}`);
    this.hostChain = this.hostChain.then(() => this.syncHosts()).catch((error: unknown) => this.log(`agent: starting host watchers failed: ${errorMessage(error)}`));
    if (reload) {
      void this.approvals.refreshFiles().catch((error: unknown) => this.log(`agent: approval request files: ${errorMessage(error)}`));
      if (config.bridge.fileApprovals) {
        // Not refused on a reload (the running board keeps going), but no file is written or read there.
        void approvalDirProblem(config.approvalDir).then(
          (problem) => problem && this.log(`agent: ${problem}; approval by file is suspended until it is fixed`),
          () => undefined,
        );
      }
      this.log(`agent: config reloaded (${config.policy.pipelines.length} pipelines, ${config.hosts.length} hosts)`);
      this.publish('CONFIG_RELOADED', {
        hash: config.hash,
        sources: config.sources,
        hosts: config.hosts.map((h) => h.name),
        pipelines: config.policy.pipelines.map((p) => p.name),
        warnings: warnings.map(formatIssue),
      });
    }
  }

  private reportProblem(errors: readonly ConfigIssue[], warnings: readonly ConfigIssue[]): void {
    this.problem = { at: new Date().toISOString(), errors };
    const texts = errors.map(formatIssue);
    this.log(`agent config rejected, the previous config keeps running:\n  ${texts.join('\n  ')}`);
    this.publish('CONFIG_ERROR', { errors: texts, warnings: warnings.map(formatIssue), issues: [...errors] });
  }

  /** Start, keep or replace one watcher per configured host (a host whose settings did not change keeps running). */
  private async syncHosts(): Promise<void> {
    if (this.closed) return;
    const wanted = new Map(this.current.hosts.map((host) => [host.name, host]));
    for (const [name, entry] of [...this.hosts]) {
      const host = wanted.get(name);
      if (host && hostIdentity(host, this.deps.options.socketName) === entry.identity) continue;
      this.hosts.delete(name);
      // What the workbench's terminals of that host are told: a new live connection follows, or none.
      await this.closeWatcher(entry.watcher, !host?.ssh ? 'removed' : host.ssh.live ? 'changed' : 'polled');
    }
    for (const host of this.current.hosts) {
      const existing = this.hosts.get(host.name);
      if (existing) {
        existing.watcher.refreshPipelines();
        continue;
      }
      const watcher = this.createWatcher(host);
      this.hosts.set(host.name, { watcher, identity: hostIdentity(host, this.deps.options.socketName) });
      await watcher.start().catch((error: unknown) => this.log(`agent: host ${host.name}: ${errorMessage(error)}`));
    }
  }

  /** Replaces a host's live watcher by a polling one (its connection works, its tmux has no control mode). */
  private fallBackToPolling(host: CompiledHost, reason: string): Promise<void> {
    this.hostChain = this.hostChain.then(async () => {
      const entry = this.hosts.get(host.name);
      if (this.closed || !entry || entry.watcher.kind !== 'ssh' || entry.watcher.connection?.mode === 'poll') return;
      await this.closeWatcher(entry.watcher, 'polled');
      const watcher = this.createWatcher(host, hostReasonText.polling(reason));
      this.hosts.set(host.name, { watcher, identity: entry.identity });
      await watcher.start().catch((error: unknown) => this.log(`agent: host ${host.name}: ${errorMessage(error)}`));
    });
    return this.hostChain;
  }

  private createWatcher(host: CompiledHost, fallbackReason: string | null = null): HostWatcher {
    const pollMs = host.tmux.pollIntervalMs ?? this.current.pollIntervalMs;
    const onPaneGone = (hostName: string, paneId: string) => void this.onPaneGone(hostName, paneId);
    if (host.ssh && (!host.ssh.live || fallbackReason)) {
      const runner = new SshTmuxRunner({ ssh: host.ssh, socket: host.tmux.socket, tmuxBin: this.current.tmuxBin });
      return new SshHostWatcher({ ctx: this, host, runner, pollMs, onPaneGone, fallbackReason: fallbackReason ?? undefined });
    }
    if (host.ssh) {
      const remote = new RemoteTmuxServer({
        target: host.ssh,
        socket: host.tmux.socket,
        tmuxBin: this.current.tmuxBin,
        pollIntervalMs: Math.max(pollMs, 500),
      });
      remote.onStatus((status) => {
        this.publish('HOST_STATUS', { host: host.name, connection: { ...status, mode: 'stream' } }, { ephemeral: true });
        if (status.state === 'connected' || status.state === 'reconnecting') this.log(`agent: host ${host.name}: ${status.state}${status.reason ? ` (${status.reason})` : ''}`);
        else this.log(`agent: host ${host.name}: ${status.reason ?? status.state}`);
        // tmux older than 3.2 on the host: fall back to polling with captures.
        if (status.state === 'control_unavailable') void this.fallBackToPolling(host, status.reason ?? 'tmux control mode is not available');
      });
      this.deps.onRemoteHost?.(host.name, remote);
      const typeInto = this.deps.typeIntoRemotePane;
      const bridgeInput = typeInto ? (paneId: string, text: string, options: { enter: boolean }) => typeInto(host.name, paneId, text, options) : undefined;
      return new LocalHostWatcher({ ctx: this, host, remote, bridgeInput, runDir: join(this.deps.options.dataDir, 'run', `agent-${host.name}`), tmuxBin: this.current.tmuxBin, pollMs, onPaneGone });
    }
    const bridge = host.tmux.socket === this.deps.options.socketName ? this.deps.tmux : undefined;
    const label = host.tmux.socket.replace(/[^A-Za-z0-9_.-]/g, '_');
    return new LocalHostWatcher({ ctx: this, host, bridgeServer: bridge, bridgeInput: bridge ? this.deps.typeIntoBridgePane : undefined, runDir: join(this.deps.options.dataDir, 'run', `agent-${label}`), tmuxBin: this.current.tmuxBin, pollMs, onPaneGone });
  }

  /** Stops a watcher; the workbench lets go of a remote host's connection first. */
  private async closeWatcher(watcher: HostWatcher, why: RemoteHostDropped = 'stopped'): Promise<void> {
    if (watcher.kind === 'ssh' && watcher.connection?.mode === 'stream') this.deps.onRemoteHost?.(watcher.name, null, why);
    await watcher.close();
  }

  /** A watched pane closed: its pending approvals can never lead anywhere. */
  private async onPaneGone(host: string, paneId: string): Promise<void> {
    if (this.closed) return;
    for (const approval of this.approvalRepo.listPending()) {
      if (approval.host !== host || approval.paneId !== paneId) continue;
      await this.approvals.cancel(approval, 'the pane was closed').catch(() => undefined);
    }
  }

  private onDecided(approval: Approval, decision: ApprovalDecision): void {
    this.publish('APPROVAL_DECIDED', { approval: this.approvalView(approval), decision });
    const runtime = this.runtime(approval.host, approval.paneId);
    if (!runtime) {
      this.log(`agent: approval ${approval.id} (${approval.pipeline}/${approval.stage}) was decided, but pane ${approval.paneId} on ${approval.host} is not watched now; it applies when the pane is watched again`);
      return;
    }
    void runtime
      .input(approval.pipeline, { type: 'approval', stage: approval.stage, decision, via: approval.decidedVia ?? 'web', by: approval.decidedBy })
      .then((result) => {
        if ('ignored' in result && result.ignored) this.log(`agent: decision on ${approval.pipeline}/${approval.stage} ignored: ${result.ignored}`);
      });
  }

  /* ---------------------------------------------------------------- EngineContext */

  notify(notification: EngineNotification): void {
    this.notifications.notify(notification);
  }

  async requestApproval(request: ApprovalRequest): Promise<void> {
    const key: ApprovalKey = { host: request.host, paneId: request.paneId, pipeline: request.pipeline, stage: request.stage };
    const { approval, links, created } = await this.approvals.request({ ...key, kind: request.kind, prompt: request.prompt });
    if (!created) return;
    this.publish('APPROVAL_REQUESTED', { approval: this.approvalView(approval) });
    const notice = approvalNotice(approval, links, request.title, request.body);
    this.notify({
      ...key,
      title: notice.title,
      body: notice.body,
      kind: request.kind === 'ask_human' ? 'ask_human' : 'approval',
      text: { code: request.kind === 'ask_human' ? 'ask_human' : 'approval', params: { prompt: request.prompt ?? '', file: approval.file } },
      links: links.approve && links.reject ? { approve: links.approve, reject: links.reject } : undefined,
    });
  }

  publish<K extends EventType>(type: K, payload: EventPayload<K>, options: { ephemeral?: boolean } = {}): void {
    if (this.closed && !options.ephemeral) return;
    this.deps.bus.publish(type, payload, options).catch((error: unknown) => this.log(`agent: event ${type} not published: ${errorMessage(error)}`));
  }

  sessionKeyOf(host: string, paneId: string): string | null {
    // Only panes of the bridge's own server have sessions (a host gone from the config has none).
    const watcher = this.hosts.get(host)?.watcher;
    if (watcher?.kind === 'ssh') return this.deps.remoteSessionKeyOf?.(host, paneId) ?? null;
    if (watcher?.kind !== 'bridge') return null;
    return this.deps.sessionKeyOf?.(paneId) ?? null;
  }

  log(message: string): void {
    this.deps.log(message);
  }

  /** Stops watching (progress written), stops file watches, lets sends in flight finish briefly. */
  readonly close = closeOnce(() => this.shutdown());

  private async shutdown(): Promise<void> {
    this.watcher?.dispose();
    await this.hostChain;
    this.closed = true;
    for (const { watcher } of this.hosts.values()) await this.closeWatcher(watcher);
    this.hosts.clear();
    this.approvals.dispose();
    await this.notifications.close();
  }
}

/** At start, an approval directory others can write to is a reason not to start: they could approve stages. */
async function refuseUnsafeApprovalDir(config: AgentConfig): Promise<void> {
  if (!config.bridge.fileApprovals) return;
  const problem = await approvalDirProblem(config.approvalDir);
  if (problem) throw new Error(`${problem}. (Or set bridge.approvals.file: false in hosts.yaml to decide only in the web UI and by signed links.)`);
}
