import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

// Most test files import it along with TestTmux.
export { waitFor } from './wait.ts';

/**
 * A private tmux server for one test file: `tmux -L tb-test-<random> -f /dev/null`.
 * `kill()` stops exactly that server and nothing else.
 */
export class TestTmux {
  readonly socketName = `tb-test-${randomBytes(5).toString('hex')}`;
  readonly configFile = '/dev/null';
  readonly dir = mkdtempSync(join(tmpdir(), 'tb-test-'));

  /** Runs `tmux -L <socket> ...args` and returns stdout. */
  async tmux(...args: string[]): Promise<string> {
    const env = { ...process.env };
    delete env.TMUX;
    delete env.TMUX_PANE;
    const result = await execa('tmux', ['-L', this.socketName, '-f', this.configFile, ...args], { env, extendEnv: false });
    return result.stdout;
  }

  async listPanes(): Promise<string[]> {
    try {
      const out = await this.tmux('list-panes', '-a', '-F', '#{session_name} #{pane_id}');
      return out.split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  async capture(paneId: string, ...extra: string[]): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', paneId, ...extra);
  }

  /** Where tmux keeps this server's socket (tmux leaves the file behind when it exits). */
  get socketPath(): string {
    return join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socketName);
  }

  /**
   * Stops this file's server. `watchMs`: keep watching the socket that long and stop any
   * server that appears on it meanwhile (a remote host's: an ssh command of the bridge
   * already on its way when the server was killed can start a new, empty one there).
   */
  async kill(options: { watchMs?: number } = {}): Promise<void> {
    await this.killServer();
    const until = Date.now() + (options.watchMs ?? 0);
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (existsSync(this.socketPath)) await this.killServer();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async killServer(): Promise<void> {
    // A server a test froze or wedged answers no kill-server: its pid is asked first, with a limit,
    // and the process is killed directly if it outlives the request (it is this file's own server).
    const run = (args: string[]) => execa('tmux', ['-L', this.socketName, '-f', this.configFile, ...args], { reject: false, timeout: 10_000 });
    const pid = Number((await run(['display-message', '-p', '#{pid}'])).stdout) || undefined;
    await run(['kill-server']);
    if (pid !== undefined && isAlive(pid)) {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    }
    rmSync(this.socketPath, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
