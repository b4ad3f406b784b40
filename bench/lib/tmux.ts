import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { onCleanup } from './cleanup.ts';

/** Environment for tmux commands: never the caller's own tmux client or server. */
export function tmuxEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

/**
 * A private tmux server for the benchmark: `tmux -L tb-bench-<random> -f /dev/null`.
 * Killed (that server only) when the run ends or is interrupted.
 */
export class BenchTmux {
  readonly socketName: string;
  readonly configFile = '/dev/null';
  private readonly unregister: () => Promise<void>;

  constructor(label: string) {
    this.socketName = `tb-bench-${label}-${randomBytes(4).toString('hex')}`;
    this.unregister = onCleanup(() => this.killServer());
  }

  get args(): string[] {
    return ['-L', this.socketName, '-f', this.configFile];
  }

  /** Runs `tmux -L <socket> ...args`; returns stdout. */
  async run(...args: string[]): Promise<string> {
    const result = await execa('tmux', [...this.args, ...args], { env: tmuxEnv(), extendEnv: false, reject: false });
    if (result.exitCode !== 0) {
      const shown = args.join(' ');
      throw new Error(`tmux ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown} failed (${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return result.stdout;
  }

  /** The tmux server's pid (starts nothing: the server must exist). */
  async serverPid(): Promise<number> {
    return Number((await this.run('display-message', '-p', '#{pid}')).trim());
  }

  /** Pane id of the first pane of a session. */
  async paneOf(session: string): Promise<string> {
    return (await this.run('display-message', '-p', '-t', `=${session}:`, '#{pane_id}')).trim();
  }

  private async killServer(): Promise<void> {
    await execa('tmux', [...this.args, 'kill-server'], { env: tmuxEnv(), extendEnv: false, reject: false });
    // tmux leaves its socket file behind; it is ours (tb-bench-<random>), so it goes too.
    const uid = process.getuid?.() ?? 0;
    rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, this.socketName), { force: true });
  }

  /** Kills this tmux server now (and forgets the cleanup). */
  async kill(): Promise<void> {
    await this.unregister();
  }
}

/**
 * Starts a baseline tmux server configured like the bridge's own (which sets
 * history-limit 50000 globally): a holder session keeps it alive.
 */
export async function startBaselineServer(label: string, historyLimit = 50_000): Promise<BenchTmux> {
  const tmux = new BenchTmux(label);
  await tmux.run('new-session', '-d', '-s', '_hold', '-x', '80', '-y', '24', 'exec sleep 2147483647', ';', 'set-option', '-g', 'history-limit', String(historyLimit));
  return tmux;
}

/** How many `tmux … wait-for CHANNEL` clients are alive (read from /proc: tmux cannot list them). */
export function waitersOn(channel: string): number {
  let count = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = argv.indexOf('wait-for');
    if (at >= 0 && argv[at + 1] === channel && /(^|\/)tmux$/.test(argv[0] ?? '')) count++;
  }
  return count;
}

/**
 * `tmux wait-for -S` wakes only the clients already waiting (and, with none,
 * lets exactly one later waiter through), so a start signal for many panes is
 * repeated until no `tmux wait-for CHANNEL` client is left.
 */
export async function signalAllWaiting(tmux: BenchTmux, channel: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    await tmux.run('wait-for', '-S', channel);
    if (waitersOn(channel) === 0) return;
    if (performance.now() > deadline) throw new Error(`panes still waiting on ${channel} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
