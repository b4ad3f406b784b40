import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

export const NGINX = '/usr/sbin/nginx';
const EXAMPLE = join(import.meta.dirname, '..', '..', 'deploy', 'nginx-tmux-bridge.conf');

/** The `map` and the `location` block of deploy/nginx-tmux-bridge.conf, pointed at `port`. */
export function exampleBlocks(port: number): { map: string; location: string } {
  const text = readFileSync(EXAMPLE, 'utf8');
  const map = /map \$http_upgrade \$connection_upgrade \{[^}]*\}/.exec(text)?.[0];
  const location = /# BEGIN tmux-bridge location[^\n]*\n([\s\S]*?)\n\s*# END tmux-bridge location/.exec(text)?.[1];
  if (!map || !location) throw new Error(`${EXAMPLE} lost its map or its marked location block`);
  if (!location.includes('127.0.0.1:7690')) throw new Error('the example location no longer proxies to 127.0.0.1:7690');
  return { map, location: location.replace('127.0.0.1:7690', `127.0.0.1:${port}`) };
}

/**
 * Debian's nginx as a child process of the test: its own prefix, config, pid
 * and temp paths in a temp dir, in the foreground without workers, so stopping
 * it is stopping exactly this one process.
 */
export class TestNginx {
  readonly dir = mkdtempSync(join(tmpdir(), 'tb-nginx-'));
  private child: ChildProcess | undefined;
  output = '';

  constructor(
    readonly port: number,
    readonly upstreamPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const { map, location } = exampleBlocks(this.upstreamPort);
    for (const sub of ['logs', 'tmp']) mkdirSync(join(this.dir, sub));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(this.dir, 'tmp', t)};`).join('\n');
    const conf = `daemon off;
master_process off;
pid ${join(this.dir, 'nginx.pid')};
error_log stderr notice;
events { worker_connections 256; }
http {
  access_log off;
${temp}
  ${map}
  server {
    listen 127.0.0.1:${this.port};
    server_name localhost;
${location}
  }
}
`;
    const confFile = join(this.dir, 'nginx.conf');
    writeFileSync(confFile, conf);
    const child = spawn(NGINX, ['-p', this.dir, '-c', confFile, '-e', 'stderr'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(
      async () => {
        if (exited) throw new Error(`nginx exited:\n${this.output}\n${conf}`);
        try {
          await fetch(`${this.url}/`);
          return true;
        } catch {
          return false;
        }
      },
      'nginx listening',
      30_000,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
