import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { DisposableStore, type IDisposable } from '../../base/lifecycle.ts';
import { StageStatus } from '../../schemas/agent.ts';
import { SessionStatus } from '../../schemas/session-view.ts';
import type { TmuxServer } from '../../tmux/server.ts';
import type { AgentBoard } from '../agent/index.ts';
import { tokenMatches } from '../auth/index.ts';
import { type AuthGuard, sendError, type Traffic } from '../http/index.ts';
import type { SessionHosts } from '../sessions/index.ts';
import type { Store } from '../store/index.ts';

/** What /metrics reads, each through its public face. `traffic` appears once the HTTP server exists. */
export interface MetricsSources {
  readonly hub: SessionHosts;
  readonly store: Store;
  readonly tmux: TmuxServer;
  readonly agent: AgentBoard;
  readonly traffic: () => Traffic | undefined;
}

/** A domain that adds its own collectors (executions, queues…) to the registry; what it returns is released with it. */
export type MetricsExtension = (registry: Registry, prefix: string) => IDisposable | void;

/** The registry and the listeners its extensions hold. */
export interface Metrics extends IDisposable {
  readonly registry: Registry;
}

const PREFIX = 'tmux_bridge_';
/** A tmux round trip slower than this is reported as this (and tmux as unresponsive). */
const PROBE_TIMEOUT_MS = 5000;

function countBy<T extends string>(keys: readonly T[], values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>(keys.map((k) => [k, 0]));
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * The Prometheus registry of one bridge (prom-client: the text format, label
 * escaping and the process/event-loop collectors are its job, not ours).
 * Everything is read at scrape time; nothing runs between scrapes.
 */
export function createMetricsRegistry(sources: MetricsSources, extensions: readonly MetricsExtension[] = []): Metrics {
  const registry = new Registry();
  // process_resident_memory_bytes, nodejs_eventloop_lag_*_seconds, GC, heap, handles.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });

  new Gauge({
    name: `${PREFIX}sessions`,
    help: 'CLI sessions by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, n] of countBy(SessionStatus.options, sources.hub.list().map((s) => s.status))) this.set({ status }, n);
    },
  });

  let countedIn = 0;
  let countedOut = 0;
  new Counter({
    name: `${PREFIX}terminal_bytes_total`,
    help: 'Terminal bytes over WebSockets: direction="in" is keyboard input from browsers, "out" is output sent to them',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      const traffic = sources.traffic();
      if (!traffic) return;
      this.inc({ direction: 'in' }, traffic.bytesIn - countedIn);
      this.inc({ direction: 'out' }, traffic.bytesOut - countedOut);
      countedIn = traffic.bytesIn;
      countedOut = traffic.bytesOut;
    },
  });

  new Gauge({
    name: `${PREFIX}terminal_viewers`,
    help: 'Terminal WebSocket connections open now',
    registers: [registry],
    collect() {
      this.set(sources.traffic()?.viewers ?? 0);
    },
  });

  new Gauge({
    name: `${PREFIX}tmux_roundtrip_seconds`,
    help: 'Time for one command through the tmux control client, measured at scrape',
    registers: [registry],
    async collect() {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          sources.tmux.control.run(['display-message', '-p', 'ok']),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS))),
        ]);
        this.set((performance.now() - started) / 1000);
      } catch {
        this.set(PROBE_TIMEOUT_MS / 1000);
      } finally {
        clearTimeout(timer);
      }
    },
  });

  new Gauge({
    name: `${PREFIX}tmux_control_connected`,
    help: '1 while the tmux control client is connected',
    registers: [registry],
    collect() {
      this.set(sources.tmux.control.isConnected ? 1 : 0);
    },
  });

  new Gauge({
    name: `${PREFIX}store_journal_bytes`,
    help: 'Journal bytes written since the last snapshot',
    registers: [registry],
    collect() {
      this.set(sources.store.stats().journalBytes);
    },
  });

  new Gauge({
    name: `${PREFIX}store_last_snapshot_age_seconds`,
    help: 'Seconds since the state snapshot on disk was written (absent before the first snapshot)',
    registers: [registry],
    collect() {
      this.reset();
      const at = sources.store.stats().lastSnapshotAt;
      if (at !== undefined) this.set(Math.max(0, (Date.now() - at) / 1000));
    },
  });

  new Gauge({
    name: `${PREFIX}agent_stages`,
    help: 'Agent pipeline stages by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, n] of countBy(StageStatus.options, sources.store.stageState.list().map((s) => s.status))) this.set({ status }, n);
    },
  });

  new Gauge({
    name: `${PREFIX}approvals_pending`,
    help: 'Approval requests waiting for a decision',
    registers: [registry],
    async collect() {
      this.set((await sources.agent.engine.approvals.pending()).length);
    },
  });

  new Gauge({
    name: `${PREFIX}notifications`,
    help: 'Notification deliveries by status (sent, failed, pending)',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, n] of Object.entries(sources.store.notifications.countByStatus())) this.set({ status }, n);
    },
  });

  const held = new DisposableStore();
  for (const extend of extensions) {
    const listener = extend(registry, PREFIX);
    if (listener) held.add(listener);
  }
  return { registry, dispose: () => held.dispose() };
}

export interface MetricsAccess {
  readonly enabled: boolean;
  /** A token only for scraping (`--metrics-token`); the access token works too. */
  readonly metricsToken?: string;
  readonly token: string;
  readonly auth: AuthGuard;
}

/** `GET /metrics`: off unless enabled; a Bearer token (access or metrics token) as for the API. */
export function metricsHandler(registry: () => Registry | undefined, access: MetricsAccess) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!access.enabled) {
      sendError(res, 404, 'not_found', 'metrics are off: start tmux-bridge with --metrics (and optionally --metrics-token)');
      return;
    }
    if (access.auth.limited(req)) {
      sendError(res, 429, 'rate_limited', 'too many failed attempts; wait a minute');
      return;
    }
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!tokenMatches(access.token, given) && !(access.metricsToken && tokenMatches(access.metricsToken, given))) {
      access.auth.recordFailure(req);
      sendError(res, 401, 'unauthorized', 'send "Authorization: Bearer <metrics token>" (Prometheus: authorization: { credentials_file: … })');
      return;
    }
    const current = registry();
    if (!current) {
      sendError(res, 503, 'starting', 'the server is still starting');
      return;
    }
    try {
      const body = await current.metrics();
      res.set('content-type', current.contentType).send(body);
    } catch (error) {
      next(error);
    }
  };
}
