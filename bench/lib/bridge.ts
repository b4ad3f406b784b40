import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';
import { tmuxEnv } from './tmux.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** How the command runs node: bin/tmux-bridge.js's `#!/usr/bin/env -S VAR=value… node --flag…` line. */
export function shippedNodeLaunch(): { flags: string[]; env: Record<string, string> } {
  const shebang = readFileSync(join(ROOT, 'bin', 'tmux-bridge.js'), 'utf8').split('\n', 1)[0]!;
  const words = shebang.split(/\s+/);
  const env: Record<string, string> = {};
  for (const word of words.slice(0, words.indexOf('node'))) {
    const eq = word.indexOf('=');
    if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return { flags: words.filter((word) => word.startsWith('--')), env };
}

/** One line of the server's `TMUX_BRIDGE_METRICS=1` report (server/metrics.ts), plus when we read it. */
export interface MetricsSample {
  /** performance.now() in the harness when the line arrived. */
  readonly receivedAt: number;
  readonly eventLoopDelay: { max: number; p99: number; mean: number; count: number };
  readonly rss: number;
  readonly heapUsed: number;
  /** Memory of C++ objects bound to JS, ArrayBuffers included (ring blocks, socket buffers). */
  readonly external?: number;
  readonly cpu: { user: number; system: number };
  /** Collections in the interval and their main-thread pause time. */
  readonly gc?: { minor: number; major: number; pauseMs: number };
  /** A line written right after a forced full collection (see gcRss). */
  readonly afterGc?: boolean;
}

export interface BridgeChildOptions {
  readonly socket: string;
  /** Parent directory; the bridge gets a data dir of its own inside it. */
  readonly dir: string;
  /** `--cpu-prof` output directory for this child, if profiling. */
  readonly cpuProfDir?: string;
  readonly extraArgs?: readonly string[];
  /** Run with --expose-gc so gcRss() can force a full collection (server/metrics.ts, SIGUSR2). */
  readonly exposeGc?: boolean;
}

/**
 * The bridge as a child process (the built server, dist/server/cli.js, with the
 * command's Node flags; bench/run.ts builds it first), so its RSS and CPU are its
 * own and not the harness's. Metrics reporting is on; the URL and token come
 * from its two start lines.
 */
export class BridgeChild {
  readonly dataDir: string;
  readonly metrics: MetricsSample[] = [];
  url = '';
  token = '';
  /** ms from spawn to the "listening" line. */
  startMs = 0;
  private child: ChildProcess | undefined;
  private stderrTail = '';
  private readonly unregister: () => Promise<void>;

  constructor(private readonly options: BridgeChildOptions) {
    this.dataDir = mkdtempSync(join(options.dir, 'bridge-data-'));
    this.unregister = onCleanup(async () => {
      await this.stop();
      rmSync(this.dataDir, { recursive: true, force: true });
    });
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error('the bridge is not running');
    return this.child.pid;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    // 200 µs sampling: keystroke paths last ~0.1 ms, the default 1 ms would barely see them.
    const nodeArgs = this.options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', this.options.cpuProfDir] : [];
    if (this.options.exposeGc) nodeArgs.push('--expose-gc');
    const launch = shippedNodeLaunch();
    const args = [
      ...nodeArgs,
      ...launch.flags,
      join(ROOT, 'dist', 'server', 'cli.js'),
      '--port',
      '0',
      '--data-dir',
      this.dataDir,
      '--socket',
      this.options.socket,
      '--tmux-config',
      '/dev/null',
      '--quiet',
      ...(this.options.extraArgs ?? []),
    ];
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...tmuxEnv(), ...launch.env, TMUX_BRIDGE_METRICS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let stdout = '';
    let stderrLine = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderrLine += chunk.toString('utf8');
      let nl: number;
      while ((nl = stderrLine.indexOf('\n')) >= 0) {
        const line = stderrLine.slice(0, nl);
        stderrLine = stderrLine.slice(nl + 1);
        this.onStderrLine(line);
      }
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bridge did not start within ${timeoutMs} ms:\n${stdout}${this.stderrTail}`)), timeoutMs);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`the bridge exited (${code}) before serving:\n${stdout}${this.stderrTail}`));
      };
      child.once('exit', onExit);
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const listening = /tmux-bridge listening on (http:\/\/\S+)/.exec(stdout);
        const login = /\/login\?token=(\S+)/.exec(stdout);
        if (listening && !this.startMs) this.startMs = performance.now() - started;
        if (listening && login) {
          clearTimeout(timer);
          child.off('exit', onExit);
          this.url = listening[1]!;
          this.token = decodeURIComponent(login[1]!);
          resolve();
        }
      });
    });
  }

  private onStderrLine(line: string): void {
    if (line.startsWith('{"metrics":')) {
      try {
        const parsed = JSON.parse(line) as { metrics: Omit<MetricsSample, 'receivedAt'> };
        this.metrics.push({ ...parsed.metrics, receivedAt: performance.now() });
        return;
      } catch {
        // not a metrics line after all
      }
    }
    this.stderrTail = `${this.stderrTail}${line}\n`.slice(-4000);
  }

  /**
   * The metrics line written right after a full garbage collection in the
   * server (needs exposeGc): what the process really keeps.
   */
  async gcRss(timeoutMs = 5000): Promise<MetricsSample> {
    if (!this.options.exposeGc) throw new Error('gcRss needs a bridge started with exposeGc');
    const seen = this.metrics.length;
    process.kill(this.pid, 'SIGUSR2');
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const line = this.metrics.slice(seen).find((m) => m.afterGc);
      if (line) return line;
      if (performance.now() > deadline) throw new Error('the server did not report after a forced GC');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Metrics lines that arrived in [from, to] (performance.now() times); each covers the second before it. */
  metricsBetween(from: number, to: number): MetricsSample[] {
    return this.metrics.filter((m) => m.receivedAt >= from && m.receivedAt <= to);
  }

  /** Log lines the server wrote (anything but metrics), for error reports. */
  get log(): string {
    return this.stderrTail;
  }

  async api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(new URL(path.replace(/^\//, ''), this.url), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed as T };
  }

  /** Creates a CLI session through the API; throws unless 201. */
  async createSession(body: Record<string, unknown>): Promise<{ sessionKey: string; paneId: string }> {
    const { status, body: session } = await this.api<{ sessionKey: string; tmux: { paneId: string } }>('POST', '/api/cli-sessions', body);
    if (status !== 201) throw new Error(`creating a session failed (${status}): ${JSON.stringify(session)}`);
    return { sessionKey: session.sessionKey, paneId: session.tmux.paneId };
  }

  /** SIGTERM (the server stops its pipes and exits), SIGKILL after `graceMs`. Only our own child, by pid. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the server and removes its data directory. */
  async dispose(): Promise<void> {
    await this.unregister();
  }
}
