import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge, type Bridge } from '../../server/bridge.ts';
import type { BridgeOptionsInput } from '../../server/options.ts';
import { afterAll, beforeAll } from 'vitest';
import * as z from 'zod/mini';
import { TestTmux } from './tmux.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A bridge in this process on a private tmux server and data directory. */
export async function startTestBridge(tmux: TestTmux, options: Partial<BridgeOptionsInput> = {}): Promise<TestBridge> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tb-data-'));
  const bridge = await startBridge(
    { port: 0, socket: tmux.socketName, tmuxConfig: tmux.configFile, dataDir, pollIntervalMs: 200, ...options },
    { log: () => undefined },
  );
  return new TestBridge(bridge, dataDir);
}

export class TestBridge {
  constructor(
    readonly bridge: Bridge,
    readonly dataDir: string,
  ) {}

  get url(): string {
    return this.bridge.url;
  }

  get token(): string {
    return this.bridge.token;
  }

  /** The API with the Bearer token: `api.get(path, Schema)` and friends parse the answer with its schema. */
  readonly api: Api = makeApi(() => this);

  async close(): Promise<void> {
    await this.bridge.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function apiCall(
  baseUrl: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path.replace(/^\//, ''), baseUrl), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed };
}

/** An answer read with its schema. */
export interface Answer<T> {
  readonly status: number;
  readonly body: T;
}

/**
 * Calls that parse every answer with the schema the test names (ApiErrorBody for a
 * call that must fail): a test fails at the call whose answer does not fit, and reads
 * a typed body. Called as a function, it is the raw call (non-JSON answers, odd requests).
 */
export interface Api {
  (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  get<S extends z.core.$ZodType>(path: string, answer: S): Promise<Answer<z.output<S>>>;
  delete<S extends z.core.$ZodType>(path: string, answer: S): Promise<Answer<z.output<S>>>;
  post<S extends z.core.$ZodType>(path: string, body: unknown, answer: S, headers?: Record<string, string>): Promise<Answer<z.output<S>>>;
  put<S extends z.core.$ZodType>(path: string, body: unknown, answer: S, headers?: Record<string, string>): Promise<Answer<z.output<S>>>;
  patch<S extends z.core.$ZodType>(path: string, body: unknown, answer: S, headers?: Record<string, string>): Promise<Answer<z.output<S>>>;
  /** Any method (a table of cases). */
  send<S extends z.core.$ZodType>(method: string, path: string, body: unknown, answer: S, headers?: Record<string, string>): Promise<Answer<z.output<S>>>;
}

export function makeApi(target: () => { readonly url: string; readonly token: string | undefined }): Api {
  const raw = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => apiCall(target().url, target().token, method, path, body, headers);
  const typed = async <S extends z.core.$ZodType>(method: string, path: string, body: unknown, answer: S, headers?: Record<string, string>): Promise<Answer<z.output<S>>> => {
    const { status, body: value } = await raw(method, path, body, headers);
    const parsed = z.safeParse(answer, value);
    if (!parsed.success) {
      throw new Error(`${method} ${path} answered ${status} with what its schema refuses:\n${z.prettifyError(parsed.error)}\n${JSON.stringify(value)?.slice(0, 1000)}`);
    }
    return { status, body: parsed.data };
  };
  return Object.assign(raw, {
    get: <S extends z.core.$ZodType>(path: string, answer: S) => typed('GET', path, undefined, answer),
    delete: <S extends z.core.$ZodType>(path: string, answer: S) => typed('DELETE', path, undefined, answer),
    post: <S extends z.core.$ZodType>(path: string, body: unknown, answer: S, headers?: Record<string, string>) => typed('POST', path, body, answer, headers),
    put: <S extends z.core.$ZodType>(path: string, body: unknown, answer: S, headers?: Record<string, string>) => typed('PUT', path, body, answer, headers),
    patch: <S extends z.core.$ZodType>(path: string, body: unknown, answer: S, headers?: Record<string, string>) => typed('PATCH', path, body, answer, headers),
    send: typed,
  });
}

/** A bridge as a child process (`server/cli.ts`), for kill -9 and restart tests. */
export class BridgeProcess {
  private child: ChildProcess | undefined;
  url = '';
  token = '';
  output = '';

  constructor(
    readonly tmux: TestTmux,
    readonly dataDir: string,
    readonly extraArgs: string[] = [],
    /** `command`: bin/tmux-bridge.js run as the installed command is (its `#!` line; needs `npm run build`). */
    readonly how: 'sources' | 'command' = 'sources',
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const env = { ...process.env };
    delete env.TMUX;
    const args = ['--port', '0', '--data-dir', this.dataDir, '--socket', this.tmux.socketName, '--tmux-config', this.tmux.configFile, '--poll-interval-ms', '200', ...this.extraArgs];
    const child =
      this.how === 'command'
        ? spawn(join(ROOT, 'bin', 'tmux-bridge.js'), args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'cli.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bridge did not start:\n${this.output}`)), 120_000);
      const check = () => {
        const listening = /listening on (http:\/\/\S+)/.exec(this.output);
        const login = /login\?token=(\S+)/.exec(this.output);
        if (listening && login) {
          clearTimeout(timer);
          this.url = listening[1]!;
          this.token = decodeURIComponent(login[1]!);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`bridge exited with ${code}:\n${this.output}`));
      });
    });
  }

  /** The API with the Bearer token: `api.get(path, Schema)` and friends parse the answer with its schema. */
  readonly api: Api = makeApi(() => this);

  /** SIGKILL: no cleanup at all, like a crash. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }
}

/**
 * Registers beforeAll/afterAll for a test file: a private tmux server and an
 * in-process bridge on it, both stopped afterwards.
 */
export function useTestBridge(options: Partial<BridgeOptionsInput> = {}): { tmux: TestTmux; bridge: TestBridge } {
  const ctx = {} as { tmux: TestTmux; bridge: TestBridge };
  beforeAll(async () => {
    ctx.tmux = new TestTmux();
    ctx.bridge = await startTestBridge(ctx.tmux, options);
  });
  afterAll(async () => {
    await ctx.bridge?.close();
    await ctx.tmux?.kill();
  });
  return ctx;
}

/**
 * The same with the bridge as a child process (for kill -9 and memory measurements);
 * `extraArgs` may be worked out when the hooks run (a free port, say).
 */
export function useBridgeProcess(extraArgs: string[] | (() => Promise<string[]>) = []): { tmux: TestTmux; server: BridgeProcess; dataDir: string } {
  const ctx = {} as { tmux: TestTmux; server: BridgeProcess; dataDir: string };
  beforeAll(async () => {
    ctx.tmux = new TestTmux();
    ctx.dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
    ctx.server = new BridgeProcess(ctx.tmux, ctx.dataDir, typeof extraArgs === 'function' ? await extraArgs() : extraArgs);
    await ctx.server.start();
  });
  afterAll(async () => {
    await ctx.server?.stop();
    await ctx.tmux?.kill();
    rmSync(ctx.dataDir, { recursive: true, force: true });
  });
  return ctx;
}
