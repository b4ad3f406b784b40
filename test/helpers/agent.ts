/**
 * Agent board test helpers: a bridge with hosts.yaml/policy.yaml written to a temp
 * dir, a local HTTP server standing in for the notification endpoints (ServerChan,
 * WeCom, generic webhooks), and waits on the board's API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BridgeEvent } from '../../schemas/events.ts';
import { startBridge } from '../../server/bridge.ts';
import type { BridgeOptionsInput } from '../../server/options.ts';
import { afterAll, beforeAll } from 'vitest';
import { TestBridge, type Api } from './bridge.ts';
import * as z from 'zod/mini';
import { ApprovalList, PipelineView, type ApprovalView, type StageView } from '../../schemas/agent.ts';
import { ApiErrorBody } from '../../schemas/common.ts';
import { TestTmux, waitFor } from './tmux.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CI_DEMO = join(ROOT, 'examples', 'ci-demo.sh');

export interface ReceivedRequest {
  readonly path: string;
  readonly body: any;
  readonly at: number;
}

/**
 * Records every POST as JSON. `failFirst(path, n)` answers the next n requests on a
 * path with HTTP 500 (to see retries).
 */
export class NotifySink {
  readonly requests: ReceivedRequest[] = [];
  private readonly failures = new Map<string, number>();
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        const left = this.failures.get(path) ?? 0;
        if (left > 0) {
          this.failures.set(path, left - 1);
          res.writeHead(500, { 'content-type': 'text/plain' }).end('try again');
          return;
        }
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep the text
        }
        this.requests.push({ path, body, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' });
        // ServerChan and WeCom answer with a code; 0 is success.
        res.end(JSON.stringify(path.endsWith('.send') ? { code: 0, message: 'ok' } : { errcode: 0, errmsg: 'ok' }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  failFirst(path: string, count: number): void {
    this.failures.set(path, count);
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Environment that points serverchan, wecom and webhook at this server. */
  env(): Record<string, string> {
    return {
      SENTRY_SERVERCHAN_KEY: 'SCTtestkey',
      SERVERCHAN_BASE_URL: `${this.url}/serverchan`,
      WECOM_WEBHOOK: `${this.url}/wecom`,
      TMUX_BRIDGE_WEBHOOK_URL: `${this.url}/webhook`,
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export interface AgentFiles {
  readonly dir: string;
  readonly hostsPath: string;
  readonly policyPath: string;
  readonly approvalDir: string;
}

/** hosts.yaml + policy.yaml in a fresh temp dir; `{APPROVALS}` in the hosts text becomes the approval dir. */
export function writeAgentFiles(hosts: string, policy: string): AgentFiles {
  const dir = mkdtempSync(join(tmpdir(), 'tb-agent-'));
  const approvalDir = join(dir, 'approvals');
  const hostsPath = join(dir, 'hosts.yaml');
  const policyPath = join(dir, 'policy.yaml');
  writeFileSync(hostsPath, hosts.replaceAll('{APPROVALS}', approvalDir));
  writeFileSync(policyPath, policy);
  return { dir, hostsPath, policyPath, approvalDir };
}

export interface AgentBridge {
  readonly bridge: TestBridge;
  readonly stdout: string[];
  readonly events: BridgeEvent[];
  readonly logs: string[];
  close(): Promise<void>;
}

/** An in-process bridge with the agent board on `files`, events and stdout notifications collected. */
export async function startAgentBridge(
  tmux: TestTmux,
  files: AgentFiles,
  options: { env?: Record<string, string>; bridge?: Partial<BridgeOptionsInput> } = {},
): Promise<AgentBridge> {
  const dataDir = options.bridge?.dataDir ?? mkdtempSync(join(tmpdir(), 'tb-data-'));
  const stdout: string[] = [];
  const logs: string[] = [];
  const bridge = await startBridge(
    { port: 0, socket: tmux.socketName, tmuxConfig: tmux.configFile, dataDir, pollIntervalMs: 200, config: files.hostsPath, policy: files.policyPath, ...options.bridge },
    {
      log: (message) => logs.push(message),
      agent: { env: { ...options.env }, stdout: (text) => stdout.push(text), configPollMs: 300, approvalPollMs: 200 },
    },
  );
  const events: BridgeEvent[] = [];
  bridge.bus.onEvent((event) => events.push(event));
  const test = new TestBridge(bridge, dataDir);
  return {
    bridge: test,
    stdout,
    events,
    logs,
    close: async () => {
      await test.close();
    },
  };
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}


/** What useAgentBridge starts the bridge with. */
export interface AgentSetup {
  /** hosts.yaml (`{APPROVALS}` becomes the approval dir). */
  readonly hosts: string;
  readonly policy: string;
  readonly env?: Record<string, string>;
  readonly bridge?: Partial<BridgeOptionsInput>;
  /** Runs once the files are written, before the bridge starts. */
  readonly prepare?: (files: AgentFiles) => void;
}

export interface AgentFixture {
  readonly tmux: TestTmux;
  /** The notification endpoints: only with `{ sink: true }`. */
  readonly sink: NotifySink;
  readonly files: AgentFiles;
  readonly agent: AgentBridge;
  /** `agent.bridge`. */
  readonly bridge: TestBridge;
  /** The bridge's API, with its token. */
  readonly api: Api;
}

/**
 * Registers beforeAll/afterAll for a test file (or describe block): a private tmux
 * server, a NotifySink when asked for, hosts.yaml/policy.yaml from `setup` and an
 * in-process agent bridge on them; all stopped and removed afterwards.
 */
export function useAgentBridge(setup: (fixture: Pick<AgentFixture, 'tmux' | 'sink'>) => AgentSetup, options: { sink?: boolean } = {}): AgentFixture {
  const ctx = {
    get bridge() {
      return ctx.agent.bridge;
    },
    get api() {
      return ctx.agent.bridge.api;
    },
  } as { -readonly [K in keyof AgentFixture]: AgentFixture[K] };
  beforeAll(async () => {
    ctx.tmux = new TestTmux();
    if (options.sink) ctx.sink = await new NotifySink().start();
    const { hosts, policy, env, bridge, prepare } = setup(ctx);
    ctx.files = writeAgentFiles(hosts, policy);
    prepare?.(ctx.files);
    ctx.agent = await startAgentBridge(ctx.tmux, ctx.files, { env, bridge });
  });
  afterAll(async () => {
    await ctx.agent?.close();
    await ctx.sink?.stop();
    await ctx.tmux?.kill();
    removeDir(ctx.files?.dir);
  });
  return ctx;
}

/** The stage of one pane as GET /api/pipelines/:name shows it. */
export async function stageOf(api: Api, pipeline: string, paneId: string, stage: string): Promise<StageView | undefined> {
  const res = await api.get(`/api/pipelines/${encodeURIComponent(pipeline)}`, z.union([PipelineView, ApiErrorBody]));
  const pane = 'panes' in res.body ? res.body.panes.find((p) => p.paneId === paneId) : undefined;
  return pane?.stages.find((s) => s.name === stage);
}

export async function waitForStage(api: Api, pipeline: string, paneId: string, stage: string, status: string, timeoutMs = 20_000): Promise<StageView> {
  let last: StageView | undefined;
  return waitFor(
    async () => {
      last = await stageOf(api, pipeline, paneId, stage);
      return last?.status === status ? last : undefined;
    },
    `${pipeline}/${stage} on ${paneId} to be ${status} (last seen: ${JSON.stringify(last)})`,
    timeoutMs,
    50,
  );
}

/** Pending approval of one pane stage, from GET /api/approvals. */
export async function waitForApproval(api: Api, paneId: string, stage: string, timeoutMs = 20_000): Promise<ApprovalView> {
  return waitFor(
    async () => {
      const res = await api.get('/api/approvals', ApprovalList);
      return res.body.approvals.find((a) => a.paneId === paneId && a.stage === stage);
    },
    `a pending approval for ${stage} on ${paneId}`,
    timeoutMs,
    50,
  );
}

/** Until GET /api/panes shows the pane followed live (its earlier output read). */
export async function waitForWatching(api: Api, paneId: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => (await api('GET', '/api/panes')).body.panes?.some((p: any) => p.paneId === paneId && p.status === 'watching'),
    `pane ${paneId} to be watched`,
    timeoutMs,
    50,
  );
}

/** A new session running `command`, its window named `window`; resolves with the pane id. */
export async function newPane(tmux: TestTmux, session: string, window: string, command: string, env: Record<string, string> = {}): Promise<string> {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const out = await tmux.tmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-s', session, '-n', window, '-x', '120', '-y', '30', ...envArgs, command);
  return out.trim();
}
