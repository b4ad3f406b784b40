/**
 * A stand-in for the agent board's server side, for browser tests of the board
 * pages at a scale a real tmux server makes slow to set up (200 panes, 1,000
 * events) and for states that take long to reach (escalations, config errors).
 * It serves the built client (dist/client), the board API with the shapes of
 * schemas/agent.ts, and /ws/events with `since=` catch-up, and counts every
 * request so tests can check the pages do not poll.
 *
 * The end-to-end behaviour against the real engine is tested in
 * agent-board.test.ts; this file only feeds the same shapes.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { EventsQuery, reasonFields, stageReasonText } from '../../schemas/index.ts';
import type {
  AgentConfigView,
  ApprovalView,
  BridgeEvent,
  BridgeEventOf,
  EventPayload,
  EventType,
  NotificationRecord,
  Overview,
  PaneView,
  PipelineView,
  StageStatus,
  StageView,
} from '../../schemas/index.ts';
import { queryEvents } from '../helpers/event-query.ts';

const CLIENT = join(import.meta.dirname, '..', '..', 'dist', 'client');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml', '.map': 'application/json' };

export interface FakeBoardOptions {
  readonly hosts?: readonly string[];
  /** Panes per host and pipeline. */
  readonly panesPerPipeline?: number;
  readonly pipelines?: ReadonlyArray<{ name: string; stages: readonly string[] }>;
  /** Unwatched bridge panes besides the pipeline panes. */
  readonly extraPanes?: number;
  readonly storedEvents?: number;
}

const iso = (ms = Date.now()) => new Date(ms).toISOString();

/** startedAt/finishedAt as the engine keeps them: a run starts on RUNNING or WAITING_APPROVAL, ends on COMPLETED or FAILED. */
function timing(status: StageStatus, at: number, before?: StageView): Pick<StageView, 'startedAt' | 'finishedAt'> {
  switch (status) {
    case 'RUNNING':
    case 'WAITING_APPROVAL':
      return { startedAt: before?.status === status && before.startedAt ? before.startedAt : iso(at), finishedAt: null };
    case 'COMPLETED':
    case 'FAILED':
      return { startedAt: before ? before.startedAt : iso(at - 95_000), finishedAt: iso(at) };
    default:
      return { startedAt: null, finishedAt: null };
  }
}

export class FakeBoard {
  readonly requests: string[] = [];
  readonly pipelines = new Map<string, PipelineView>();
  readonly panes: PaneView[] = [];
  readonly approvals: ApprovalView[] = [];
  readonly notifications: NotificationRecord[] = [];
  readonly events: BridgeEvent[] = [];
  config: AgentConfigView;
  private readonly sockets = new Set<WebSocket>();
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private nextId = 1;
  url = '';

  constructor(readonly options: FakeBoardOptions = {}) {
    const hosts = options.hosts ?? ['local', 'nas'];
    const pipelines = options.pipelines ?? [
      { name: 'ci', stages: ['lint', 'build', 'test'] },
      { name: 'deploy', stages: ['plan', 'apply'] },
    ];
    let pane = 1;
    const statuses: StageStatus[] = ['COMPLETED', 'RUNNING', 'WAITING_TRIGGER', 'IDLE'];
    for (const p of pipelines) {
      const view: PipelineView = { name: p.name, stageNames: [...p.stages], panes: [] };
      for (const host of hosts) {
        for (let i = 0; i < (options.panesPerPipeline ?? 2); i++, pane++) {
          const paneId = `%${pane}`;
          const progress = pane % (p.stages.length + 1);
          const stages: StageView[] = p.stages.map((name, order) => {
            const status: StageStatus = order < progress ? 'COMPLETED' : order === progress ? statuses[pane % 3]! : 'IDLE';
            const at = Date.now() - pane * 60_000;
            return {
              name,
              order,
              status,
              retries: 0,
              maxRetries: order === p.stages.length - 1 ? 1 : 0,
              requireApproval: name === 'build' || name === 'apply',
              updatedAt: iso(at),
              ...timing(status, at),
              reason: order < progress ? `success_when log_regex on line "${name} ok"` : null,
              ...reasonFields(order < progress ? `success_when log_regex on line "${name} ok"` : null),
              escalateCode: null,
            };
          });
          const lines = Array.from({ length: 20 }, (_, n) => `[${p.name}] ${host} ${paneId} line ${n + 1}: ${n % 5 === 4 ? 'tests passed' : 'working…'}`);
          const sessionKey = host === 'local' ? `s_fake${pane}` : null;
          view.panes.push({ host, paneId, sessionName: `${p.name}-${i + 1}`, windowName: p.name, paneTitle: `${p.name} runner`, sessionKey, stages, lastLines: lines });
          this.panes.push({
            host,
            paneId,
            sessionKey,
            session: `${p.name}-${i + 1}`,
            window: p.name,
            title: `${p.name} runner`,
            watched: true,
            pipelines: [p.name],
            status: host === 'local' ? 'watching' : 'polling',
            lastLines: lines,
          });
        }
      }
      this.pipelines.set(p.name, view);
    }
    for (let i = 0; i < (options.extraPanes ?? 0); i++, pane++) {
      this.panes.push({
        host: 'local',
        paneId: `%${pane}`,
        sessionKey: `s_extra${pane}`,
        session: `work-${i + 1}`,
        window: i % 2 === 0 ? 'editor' : 'shell',
        title: `host-${i}`,
        watched: false,
        pipelines: [],
        status: 'unwatched',
        lastLines: [`$ make -j8 target-${i}`, `build ${i}: ok`],
      });
    }
    for (let i = 0; i < (options.storedEvents ?? 0); i++) {
      const p = pipelines[i % pipelines.length]!;
      const stage = p.stages[i % p.stages.length]!;
      const at = iso(Date.now() - ((options.storedEvents ?? 0) - i) * 30_000);
      this.store({ type: 'STAGE_UPDATED', at, host: hosts[i % hosts.length]!, paneId: `%${(i % 8) + 1}`, pipeline: p.name, stage, status: i % 7 === 0 ? 'FAILED' : 'COMPLETED', from: 'RUNNING', retries: 0, data: {}, reason: `event ${i}`, escalateCode: null, view: null });
    }
    this.config = {
      sources: { hostsPath: '/etc/tmux-bridge/hosts.yaml', policyPath: '/etc/tmux-bridge/policy.yaml' },
      hash: 'f00dfeed',
      loadedAt: iso(Date.now() - 3_600_000),
      dryRun: false,
      pollIntervalMs: 1500,
      approvalDir: '/home/ops/.tmux_agent/approvals',
      notify: ['stdout', 'wecom'],
      activeChannels: ['stdout'],
      bridge: {
        baseUrl: 'https://bridge.example.org',
        effectiveBaseUrl: 'https://bridge.example.org',
        approvalTtlHours: 24,
        webhookUrls: ['https://hooks.example.org/***'],
        serverchanBaseUrl: null,
        wecomWebhook: null,
        notifyRetry: { attempts: 4, baseDelayMs: 500, timeoutMs: 5000 },
        shellTimeoutMs: 60000,
        fileApprovals: true,
        notifyLanguage: 'en',
      },
      hosts: hosts.map((name) => ({
        name,
        kind: name === 'local' ? 'bridge' : 'ssh',
        ssh: name === 'local' ? null : { host: '10.0.0.5', port: 22, user: 'ops', key: '~/.ssh/id_ed25519', timeoutSec: 30, knownHosts: null, acceptNewHostKey: false, live: true },
        socket: name === 'local' ? 'tmux-bridge' : 'default',
        sessionFilters: name === 'local' ? [] : ['^proj:web$'],
        paneNamePatterns: ['^codex', '^claude'],
        captureLines: 2000,
        pollIntervalMs: 1500,
        error: name === 'local' ? null : null,
        connection: name === 'local' ? null : { state: 'connected' as const, reason: null, since: '2026-01-01T00:00:00.000Z', mode: 'stream' as const },
      })),
      principles: ['Nothing is built without a human’s approval.', 'A red test is retried once; then a human is paged (CI_TESTS_RED).'],
      pipelines: pipelines.map((p) => ({
        name: p.name,
        match: { anyOf: [{ windowName: `^${p.name}$`, paneTitle: null, sessionName: null }], allOf: [{ windowName: null, paneTitle: null, sessionName: '^(ci|deploy)-' }] },
        stages: p.stages.map((name, i) => ({
          name,
          requireApproval: name === 'build' || name === 'apply',
          maxRetries: i === p.stages.length - 1 ? 1 : 0,
          askHuman: i === p.stages.length - 1 ? 'tests keep failing: look at the logs' : null,
          escalate: i === p.stages.length - 1 ? 'CI_TESTS_RED' : null,
          actions: [{ kind: 'send_keys', command: name }],
          triggers:
            i === 0
              ? { anyOf: [{ logRegex: `(?i)^start ${name}$`, messageType: null, afterStageSuccess: null }], allOf: [] }
              : { anyOf: [{ logRegex: null, messageType: null, afterStageSuccess: p.stages[i - 1]! }], allOf: [] },
          successWhen: { anyOf: [{ logRegex: `^${name} ok$`, messageType: null, afterStageSuccess: null }, { logRegex: null, messageType: 'STATUS', afterStageSuccess: null }], allOf: [] },
          failWhen: i === p.stages.length - 1 ? { anyOf: [{ logRegex: '(?i)\\bfail(ed)?\\b', messageType: null, afterStageSuccess: null }], allOf: [] } : null,
          notify: {
            onStart: null,
            onSuccess: i === p.stages.length - 1 ? { title: '{pipeline} green', body: '{stage} passed on {host} {pane}' } : null,
            onFail: i === p.stages.length - 1 ? { title: '{pipeline}/{stage} failed', body: 'retry {retries}/{max_retries}: {line}' } : null,
          },
        })),
      })),
      warnings: [{ file: 'policy.yaml', line: 7, column: 9, path: 'pipelines[0].stages[1].colour', message: 'unknown key "colour" is ignored', text: 'policy.yaml:7:9: pipelines[0].stages[1].colour: unknown key "colour" is ignored' }],
      lastError: null,
    };
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/ws/events') {
        socket.destroy();
        return;
      }
      this.requests.push(`WS ${url.pathname}${url.search}`);
      this.wss!.handleUpgrade(req, socket, head, (ws) => {
        const since = Number(url.searchParams.get('since') ?? 0);
        if (since > 0) for (const e of this.events) if ((e.id ?? 0) > since) ws.send(JSON.stringify(e));
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss?.close();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Requests to /api/* (not the socket), for "no polling" checks. */
  apiRequests(): string[] {
    return this.requests.filter((r) => r.startsWith('GET /api') || r.startsWith('POST /api'));
  }

  /** Drops every events socket, as a network blip does. */
  dropSockets(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  private store(event: BridgeEvent): BridgeEvent {
    const stored = { ...event, id: this.nextId++ };
    this.events.push(stored);
    return stored;
  }

  /** Publishes an event: stored (with an id) unless ephemeral, then sent to every socket. */
  emit<K extends EventType>(type: K, payload: EventPayload<K>, ephemeral = false): BridgeEvent {
    const event = { ...payload, type, at: iso() } as BridgeEventOf<K> & BridgeEvent;
    const sent = ephemeral ? event : this.store(event);
    for (const ws of this.sockets) ws.send(JSON.stringify(sent));
    return sent;
  }

  /** Changes a stage's state and publishes it (`quiet`: stored only, as if no socket was listening). */
  setStage(pipeline: string, host: string, paneId: string, stage: string, status: StageStatus, extra: Partial<StageView> = {}, quiet = false): void {
    const view = this.pipelines.get(pipeline)!;
    const pane = view.panes.find((p) => p.host === host && p.paneId === paneId)!;
    const index = pane.stages.findIndex((s) => s.name === stage);
    const before = pane.stages[index]!;
    const now = Date.now();
    // The reason's code as the server derives it, unless the test gives one.
    const { reasonCode: _code, reasonParams: _params, ...old } = before;
    const next: StageView = { ...old, ...timing(status, now, before), ...reasonFields(extra.reason ?? before.reason), ...extra, status, updatedAt: iso(now) };
    pane.stages[index] = next;
    const payload = { host, paneId, pipeline, stage, status, retries: next.retries, data: {}, from: before.status, reason: next.reason, ...reasonFields(next.reason), escalateCode: next.escalateCode, view: next };
    if (quiet) this.store({ type: 'STAGE_UPDATED', at: iso(), ...payload });
    else this.emit('STAGE_UPDATED', payload);
  }

  requestApproval(pipeline: string, host: string, paneId: string, stage: string): ApprovalView {
    const pane = this.pipelines.get(pipeline)?.panes.find((p) => p.host === host && p.paneId === paneId);
    const approval: ApprovalView = {
      id: `ap_${this.approvals.length + 1}`,
      host,
      paneId,
      pipeline,
      stage,
      kind: 'require_approval',
      prompt: null,
      status: 'pending',
      requestedAt: iso(Date.now() - 125_000),
      file: `/home/ops/.tmux_agent/approvals/${host}/pct${paneId.slice(1)}__${stage}.txt`,
      expiresAt: iso(Date.now() + 86_400_000),
      decidedAt: null,
      decidedVia: null,
      decidedBy: null,
      note: null,
      sessionKey: pane?.sessionKey ?? null,
      pane: pane ? { sessionName: pane.sessionName, windowName: pane.windowName, paneTitle: pane.paneTitle } : null,
    };
    this.approvals.push(approval);
    this.setStage(pipeline, host, paneId, stage, 'WAITING_APPROVAL', { reason: stageReasonText.triggered('after_stage_success lint', null, true) });
    this.emit('APPROVAL_REQUESTED', { approval });
    return approval;
  }

  private overview(): Overview {
    const hosts = [...new Set(this.config.hosts.map((h) => h.name))];
    return {
      hosts: hosts.map((name) => ({
        name,
        pipelines: [...this.pipelines.values()].map((p) => {
          const panes = p.panes.filter((pane) => pane.host === name);
          const counts = { IDLE: 0, WAITING_TRIGGER: 0, WAITING_APPROVAL: 0, RUNNING: 0, COMPLETED: 0, FAILED: 0 } as Record<StageStatus, number>;
          for (const pane of panes) for (const s of pane.stages) counts[s.status]++;
          return { name: p.name, panes: panes.length, counts };
        }),
      })),
      pendingApprovals: this.approvals.filter((a) => a.status === 'pending'),
      recentFailures: [],
      principles: this.config.principles,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      let body: Record<string, unknown> = {};
      if (req.method === 'POST') {
        let text = '';
        for await (const chunk of req) text += String(chunk);
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      }
      if (path === '/api/cli-sessions') return json(200, { sessions: [] });
      if (path === '/api/hosts') return json(200, { hosts: [] });
      if (path === '/api/overview') return json(200, this.overview());
      if (path === '/api/pipelines') return json(200, { pipelines: [...this.pipelines.values()] });
      if (path === '/api/panes') return json(200, { panes: this.panes });
      if (path === '/api/agent/config') return json(200, this.config);
      if (path === '/api/stage-history') return json(200, { history: [] });
      if (path === '/api/notifications') return json(200, { notifications: this.notifications.slice(0, Number(url.searchParams.get('limit') ?? 100)) });
      if (path === '/api/events') {
        // The real route's query and filters (schemas EventsQuery, the memory sink's matching).
        const parsed = EventsQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!parsed.success) return json(400, { error: { code: 'invalid_query', message: parsed.error.message } });
        const { before, ...filters } = parsed.data;
        const events = queryEvents(this.events, { ...filters, before: before === 'latest' ? Number.MAX_SAFE_INTEGER : before });
        const last = events.at(-1)?.id;
        return json(200, { events, next: before !== undefined ? (last ?? null) : (last ?? filters.since ?? 0) });
      }
      if (path === '/api/approvals') {
        const decided = url.searchParams.get('status') === 'decided';
        return json(200, { approvals: this.approvals.filter((a) => (decided ? a.status !== 'pending' : a.status === 'pending')) });
      }
      const decide = /^\/api\/approvals\/([^/]+)$/.exec(path);
      if (decide && req.method === 'POST') {
        const approval = this.approvals.find((a) => a.id === decodeURIComponent(decide[1]!));
        if (!approval) return json(404, { error: { code: 'not_found', message: 'no such approval' } });
        Object.assign(approval, { status: body.decision === 'approve' ? 'approved' : 'rejected', decidedAt: iso(), decidedVia: 'web', decidedBy: 'web', note: body.note ?? null });
        this.emit('APPROVAL_DECIDED', { approval, decision: body.decision === 'approve' ? 'approve' : 'reject' });
        this.setStage(approval.pipeline, approval.host, approval.paneId, approval.stage, body.decision === 'approve' ? 'RUNNING' : 'FAILED', { reason: body.decision === 'approve' ? 'approved' : 'rejected' });
        return json(200, { approval });
      }
      const command = /^\/api\/pipelines\/([^/]+)\/stages\/([^/]+)\/(retry|reset)$/.exec(path);
      if (command && req.method === 'POST') {
        const [pipeline, stage, verb] = [decodeURIComponent(command[1]!), decodeURIComponent(command[2]!), command[3]!];
        this.setStage(pipeline, String(body.host), String(body.paneId), stage, verb === 'retry' ? 'RUNNING' : 'IDLE', { retries: 0, reason: `${verb} from the web`, escalateCode: null });
        return json(200, { ok: true });
      }
      return json(404, { error: { code: 'not_found', message: `no API route ${req.method} ${path}` } });
    }
    const file = path !== '/' && extname(path) ? join(CLIENT, path) : join(CLIENT, 'index.html');
    try {
      const data = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end();
    }
  }
}
