import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { TmuxAddress } from '../tmux/address.ts';
import { TmuxServer } from '../tmux/server.ts';
import { loadOrCreateToken } from './auth/index.ts';
import { Emitter, type Event } from '../base/emitter.ts';
import type { IAsyncDisposable } from '../base/lifecycle.ts';
import { EventBus } from './events/index.ts';
import { createApp, AuthGuard, auditRoutes, eventRoutes, sseRoute, sessionRoutes, WebSockets, EventStreamLimits, mountAt } from './http/index.ts';
import { resolveOptions, retentionFrom, type BridgeOptions, type BridgeOptionsInput } from './options.ts';
import { InputAuditor, SessionHub, SessionHosts } from './sessions/index.ts';
import { Store, type StoreLogger } from './store/index.ts';
import { startAgentBoard, type AgentBoard, type AgentEngineOptions } from './agent/index.ts';
import { executionMetrics, startExecutions, type ExecutionService, type ExecutionServiceOptions } from './workbench/executions/index.ts';
import { VERSION } from './version.ts';
import { ROOT } from './paths.ts';
import { createMetricsRegistry, metricsHandler, exposureVerdict } from './ops/index.ts';
import { IssueBoard } from './workbench/issues/index.ts';
import { FlowService, flowRoutes } from './workbench/flows/index.ts';
import { Queues, queueIssuesFrom, queueMetrics, queueRoutes } from './workbench/queues/index.ts';

export { VERSION } from './version.ts';

export interface Bridge extends IAsyncDisposable {
  readonly url: string;
  readonly loginUrl: string;
  readonly port: number;
  readonly token: string;
  readonly options: BridgeOptions;
  readonly tmux: TmuxServer;
  /** The CLI sessions of the bridge's own tmux server and of every remote host with a live connection. */
  readonly hub: SessionHosts;
  readonly bus: EventBus;
  readonly store: Store;
  /** The agent board engine (hosts.yaml/policy.yaml on live panes). */
  readonly agent: AgentBoard;
  /** Executions in sessions and stateless runs (docs/workbench.md). */
  readonly executions: ExecutionService;
  /** The issue board (issues, moves, board settings). */
  readonly issues: IssueBoard;
  /** Orchestrator flows and their runs. */
  readonly flows: FlowService;
  /** Queues and their scheduler. */
  readonly queues: Queues;
  /** Something the bridge cannot continue without failed (the store cannot write): stop. */
  readonly onFatal: Event<Error>;
  /** Stops serving; tmux sessions keep running; state is snapshotted and the data directory unlocked. */
  close(): Promise<void>;
}

export interface BridgeOverrides {
  readonly log?: (message: string) => void;
  readonly clientDir?: string;
  /** Agent engine settings tests change (notification env and stdout, poll periods). */
  readonly agent?: Partial<Pick<AgentEngineOptions, 'env' | 'stdout' | 'configPollMs' | 'approvalPollMs'>>;
  /** Execution settings tests change (escalation steps, history bound). */
  readonly executions?: ExecutionServiceOptions;
  /** Time limit of one tmux command; the control watchdog restarts a client stuck this long (default 15 s). */
  readonly tmuxCommandTimeoutMs?: number;
  /** Event stream limits (per-client cap, how far a reader may fall behind). */
  readonly eventStreams?: { readonly perClient?: number; readonly maxBufferedBytes?: number };
  /** Terminal sockets per client address (default 256). */
  readonly terminalSocketsPerClient?: number;
  /** When the control watchdog restarts a client (default: the command time limit). */
  readonly tmuxStuckAfterMs?: number;
}

/** The composition root: tmux, sessions, events, HTTP and WebSockets. */
export async function startBridge(input: BridgeOptionsInput, overrides: BridgeOverrides = {}): Promise<Bridge> {
  const options = resolveOptions(input);
  const log = overrides.log ?? ((message: string) => console.error(message));
  const exposure = exposureVerdict(options);
  if (exposure.refuse) throw new Error(exposure.refuse);
  for (const warning of exposure.warnings) log(`warning: ${warning}`);
  // Read before anything starts: a missing or unreadable file is a start error, not a half-up server.
  const tls = options.tlsCert && options.tlsKey ? { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) } : undefined;
  const token = await loadOrCreateToken(options.dataDir, options.token);
  const storeLog: StoreLogger = { info: () => undefined, warn: (m) => log(`store: ${m}`), error: (m) => log(`store: ${m}`) };
  // The store first: its lock tells a second server on this data directory to go away.
  const store = await Store.open({ dataDir: options.dataDir, log: storeLog, retention: retentionFrom(options.retention) });
  const address = new TmuxAddress({ socketName: options.socket, socketPath: options.socketPath, configFile: options.tmuxConfig });
  const runDir = TmuxServer.runDirFor(options.dataDir, address);

  let tmux: TmuxServer;
  try {
    tmux = await TmuxServer.start({
      socketName: options.socket,
      socketPath: options.socketPath,
      configFile: options.tmuxConfig,
      runDir,
      ringBytes: options.ringBytes,
      pollIntervalMs: options.pollIntervalMs,
      historyLimit: options.historyLimit,
      commandTimeoutMs: overrides.tmuxCommandTimeoutMs,
      stuckAfterMs: overrides.tmuxStuckAfterMs,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const disposables: Array<{ dispose(): void }> = [tmux];
  const fatal = new Emitter<Error>();
  disposables.push(fatal);
  store.onFailure((error) => {
    log(`the state store cannot write any more (${error.message}); stopping`);
    fatal.fire(error);
  });
  try {
    tmux.control.onDisconnect((reason) => log(`tmux control client lost (${reason}); reconnecting`));
    // The control connection's health (watchdog restarts, reconnects) shown in /healthz and, live, in the UI.
    tmux.streams.onError(({ paneId, error }) => log(`pane ${paneId}: output stream problem: ${error.message}`));

    const bus = new EventBus(store.events);
    disposables.push(bus);
    tmux.control.onHealth((control) => {
      if (control.state === 'connected') log('tmux control client connected');
      void bus.publish('TMUX_STATUS', { control }, { ephemeral: true });
    });
    bus.onError((error) => log(`event not stored: ${error.message}`));
    const auditor = new InputAuditor(store.audit, (error) => log(`audit record not stored: ${String(error)}`));
    disposables.push(auditor);
    const localHub = new SessionHub(tmux, bus, store.sessions, { runDir, auditor });
    disposables.push(localHub);
    const hub = new SessionHosts(localHub, bus, store.sessions, { runDir, auditor, log });
    disposables.push(hub);
    await hub.start();

    // The agent board: watches panes per hosts.yaml, runs policy.yaml (docs/agent.md).
    let url = '';
    const scheme = tls ? 'https' : 'http';
    const listenHost = options.host.includes(':') ? `[${options.host}]` : options.host;
    const agent = await startAgentBoard({
      tmux,
      store,
      bus,
      options: {
        configPath: options.config,
        policyPath: options.policy,
        dryRun: options.dryRun,
        dataDir: options.dataDir,
        socketName: options.socket,
        baseUrl: () => options.publicUrl ?? (url || `${scheme}://${listenHost}:${options.port}${options.basePath}/`),
        ...overrides.agent,
      },
      log,
      sessionKeyOf: (paneId) => hub.keyOfPane(paneId),
      remoteSessionKeyOf: (host, paneId) => hub.keyOfRemotePane(host, paneId),
      onRemoteHost: (host, server, why) => hub.setRemote(host, server, why),
      typeIntoRemotePane: (host, paneId, text, { enter }) =>
        hub.writeToRemotePane(host, paneId, Buffer.from(enter ? `${text}\r` : text, 'utf8'), { source: 'agent', client: 'agent engine' }),
      typeIntoBridgePane: (paneId, text, { enter }) =>
        hub.writeToPane(paneId, Buffer.from(enter ? `${text}\r` : text, 'utf8'), { source: 'agent', client: 'agent engine' }),
    });
    disposables.push({ dispose: () => void agent.close() });

    const executions = await startExecutions({ hub, bus, store, dataDir: options.dataDir, token, log, options: overrides.executions });
    disposables.push(executions);
    const issues = new IssueBoard({ repo: store.issues, sessions: store.sessions, bus, executions: executions.service, hub, log });
    disposables.push(issues);
    const flows = new FlowService({ repo: store.flows, executor: executions.service, bus, sessions: hub, log });
    disposables.push(flows);
    await flows.start();
    const queueIssues = queueIssuesFrom(issues.service);
    const queues = new Queues({ repo: store.queues, bus, sessions: hub, executions: executions.service, issues: () => queueIssues, log: (m) => log(`queues: ${m}`), sessionShell: process.env.TMUX_BRIDGE_QUEUE_SHELL || undefined });
    disposables.push(queues);
    await queues.start();

    let sockets: WebSockets | undefined;
    const metrics = options.metrics
      ? createMetricsRegistry({ hub, store, tmux, agent, traffic: () => sockets?.traffic }, [
          executionMetrics(executions.service, store.executions),
          queueMetrics(queues.state),
        ])
      : undefined;
    if (metrics) disposables.push(metrics);

    let port = options.port;
    const publicOrigin = options.publicUrl ? [new URL(options.publicUrl).origin] : [];
    const auth = new AuthGuard({ token, allowOrigins: [...options.allowOrigin, ...publicOrigin], listenHost: options.host, port: () => port, trustProxy: options.trustProxy, allowedHosts: options.allowedHosts, publicHost: options.publicUrl ? new URL(options.publicUrl).hostname : undefined, sessions: store.loginSessions });
    if (options.trustProxy && !options.publicUrl && options.allowedHosts.length === 0) {
      log('warning: --trust-proxy without --public-url or --allowed-hosts: the Host header is not checked (DNS rebinding); give the name people use');
    }
    // Expired logins go, and so does every login of an earlier token: a new token revokes them.
    await store.loginSessions.prune(token);
    const eventLimits = new EventStreamLimits({ trustProxy: options.trustProxy, ...overrides.eventStreams });
    const app = createApp({
      auth,
      token,
      clientDir: overrides.clientDir ?? join(ROOT, 'dist', 'client'),
      health: () => {
        const control = tmux.control.health();
        // Answering (even slowly) is healthy; a client being restarted or reconnecting is not.
        return { ok: control.state === 'connected' || control.state === 'slow', version: VERSION, tmux: { version: tmux.version.text, socket: address.label, control } };
      },
      api: [
        ['/cli-sessions', sessionRoutes(hub)],
        ['/events', eventRoutes(bus)],
        ['/audit', auditRoutes(store.audit)],
        ['/orchestrator', flowRoutes(flows)],
        ['/queues', queueRoutes(queues)],
        ...agent.apiRouters,
        ...executions.apiRouters,
        ...issues.apiRouters,
      ],
      publicRoutes: [...agent.publicRouters, ...executions.publicRouters],
      sse: sseRoute(bus, eventLimits),
      trustProxy: options.trustProxy,
      metrics: metricsHandler(() => metrics?.registry, { enabled: options.metrics, token, metricsToken: options.metricsToken, auth }),
      log,
    });
    const server: Server = tls ? createHttpsServer(tls, mountAt(options.basePath, app, options.trustProxy)) : createServer(mountAt(options.basePath, app, options.trustProxy));
    const terminalLimits = new EventStreamLimits({ trustProxy: options.trustProxy, perClient: overrides.terminalSocketsPerClient ?? 256, what: 'terminal sockets' });
    sockets = new WebSockets(server, auth, hub, bus, { basePath: options.basePath, log, eventLimits, terminalLimits });
    disposables.push(sockets);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    url = `${scheme}://${listenHost}:${port}${options.basePath}/`;
    await executions.listening(url);

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        sockets.dispose();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // Sessions' activity first: stopping the agent lets go of the remote hosts' sessions.
        await hub.persistActivity();
        // The agent writes its progress while the store is still open.
        await agent.close();
        await tmux.streams.disarmAll();
        for (const d of [...disposables].reverse()) d.dispose();
        await store.close();
      })());

    const loginBase = options.publicUrl ? `${options.publicUrl.replace(/\/+$/, '')}/` : url;
    return { url, loginUrl: `${loginBase}login?token=${encodeURIComponent(token)}`, port, token, options, tmux, hub, bus, store, agent, executions: executions.service, issues, flows, queues, onFatal: fatal.event, close };
  } catch (error) {
    for (const d of disposables.reverse()) d.dispose();
    await store.close();
    throw error;
  }
}
