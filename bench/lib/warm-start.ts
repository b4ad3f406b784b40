import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';
import { processTree, rssBytes, rssParts } from './proc.ts';
import { tmuxEnv } from './tmux.ts';
import { sleep } from './util.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface WarmStart {
  /** spawn of `npm start` → the "listening" line (the client-build check included). */
  readonly listeningMs: number;
  /** RSS of the server process once it has settled, with no session. */
  readonly idleRss: number;
  /** Of that, what the process allocated itself (the rest is mapped files: node's own code, shared). */
  readonly idleAnonymous: number;
  readonly serverPid: number;
}

/** The node process running the server (bin/tmux-bridge.js) inside the `npm start` tree. */
function serverPid(root: number): number | undefined {
  for (const pid of processTree(root)) {
    try {
      // Not the `sh -c` that npm runs the script line with: the node process itself.
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (/(^|\/)node$/.test(argv[0] ?? '') && argv.some((a) => a.endsWith('bin/tmux-bridge.js'))) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * One `npm start` exactly as a user runs it (client and server already built, so the build
 * step only checks its stamp), on a tmux socket with no session; the RSS is
 * read after `settleMs`, when the snapshot worker and the first timers ran.
 */
export async function warmStartOnce(dir: string, socket: string, settleMs = 5_000, timeoutMs = 60_000): Promise<WarmStart> {
  const dataDir = mkdtempSync(join(dir, 'warm-data-'));
  const args = ['start', '--silent', '--', '--port', '0', '--data-dir', dataDir, '--socket', socket, '--tmux-config', '/dev/null', '--quiet'];
  const started = performance.now();
  // Own process group: stopping it stops npm, its shell and the server, nothing else.
  const child = spawn('npm', args, { cwd: ROOT, env: tmuxEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let server: number | undefined;
  const stop = onCleanup(async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([exited, sleep(10_000)]);
    }
    // npm may exit before the server has finished closing its data directory.
    for (let i = 0; i < 200 && server !== undefined && existsSync(`/proc/${server}`); i++) await sleep(50);
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });
  try {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err = `${err}${chunk.toString('utf8')}`.slice(-4000)));
    const listeningMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not listen within ${timeoutMs} ms:\n${out}${err}`)), timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code}) before listening:\n${out}${err}`));
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (/tmux-bridge listening on/.test(out)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
    });
    await sleep(settleMs);
    const pid = serverPid(child.pid!);
    server = pid;
    if (pid === undefined) throw new Error('the server process of npm start was not found');
    return { listeningMs, idleRss: rssBytes(pid) ?? 0, idleAnonymous: rssParts(pid)?.anonymous ?? 0, serverPid: pid };
  } finally {
    await stop();
  }
}
