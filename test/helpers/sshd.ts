/**
 * A real OpenSSH server on 127.0.0.1 for one test file (or the bench): host key and
 * user key generated in a temp directory, `sshd -D -e -f <own config> -p <free port>`
 * as a child process, key login for the current user only. `stop()` kills exactly
 * that process. Nothing is installed at run time (`.ci/run` installs openssh-server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export const SSHD_BIN = '/usr/sbin/sshd';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class TestSshd {
  readonly dir = mkdtempSync(join(tmpdir(), 'tb-sshd-'));
  readonly user = userInfo().username;
  /** The user's private key (its public half is the only authorized key). */
  readonly userKey = join(this.dir, 'id_user');
  /** A key sshd does not accept, for auth-failure tests. */
  readonly wrongKey = join(this.dir, 'id_wrong');
  /** known_hosts holding this server's host key. */
  readonly knownHosts = join(this.dir, 'known_hosts');
  /** An empty known_hosts, for host-key tests. */
  readonly emptyKnownHosts = join(this.dir, 'known_hosts_empty');
  port = 0;
  private child: ChildProcess | undefined;
  private log = '';

  /** Generates the keys and starts sshd; resolves once it accepts connections. */
  async start(): Promise<this> {
    const hostKey = join(this.dir, 'host_ed25519');
    await Promise.all(
      [hostKey, this.userKey, this.wrongKey].map((file) => execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tb-test', '-f', file])),
    );
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${this.userKey}.pub`));
    writeFileSync(this.emptyKnownHosts, '');
    // sshd refuses to start without its privilege separation directory (the package's service creates it).
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort();
      const config = join(this.dir, 'sshd_config');
      writeFileSync(
        config,
        [
          'ListenAddress 127.0.0.1',
          `HostKey ${hostKey}`,
          `PidFile ${join(this.dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
          'StrictModes no',
          'UsePAM no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PubkeyAuthentication yes',
          'PermitRootLogin prohibit-password',
          `AllowUsers ${this.user}`,
          'MaxSessions 100',
          'MaxStartups 100',
          'ClientAliveInterval 0',
          'LogLevel INFO',
          'UseDNS no',
          '',
        ].join('\n'),
      );
      const child = spawn(SSHD_BIN, ['-D', '-e', '-f', config, '-p', String(this.port)], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.child = child;
      this.log = '';
      child.stderr!.on('data', (chunk: Buffer) => (this.log = (this.log + chunk.toString('utf8')).slice(-20_000)));
      const ready = await new Promise<boolean>((resolve) => {
        const check = () => {
          if (this.log.includes('Server listening')) resolve(true);
          else if (child.exitCode !== null || child.signalCode !== null) resolve(false);
          else setTimeout(check, 20);
        };
        check();
      });
      if (ready) break;
      if (attempt >= 4) throw new Error(`sshd did not start: ${this.log}`);
    }
    const pub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    writeFileSync(this.knownHosts, `[127.0.0.1]:${this.port} ${pub}\n`);
    return this;
  }

  /** The listening sshd's process id (a test may pause it: new connections then hang, as with a dead network). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** What sshd wrote to stderr lately (for failure messages). */
  get output(): string {
    return this.log;
  }

  /** `ssh` arguments that log in to this server (before the remote command). */
  sshArgs(key = this.userKey, knownHosts = this.knownHosts): string[] {
    return [
      '-F', '/dev/null',
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-i', key,
      '-p', String(this.port),
      `${this.user}@127.0.0.1`,
    ];
  }

  /** hosts.yaml `ssh:` block for this server. */
  hostYaml(indent: string, extra: Record<string, string> = {}): string {
    const fields: Record<string, string> = {
      host: '127.0.0.1',
      port: String(this.port),
      user: this.user,
      key: this.userKey,
      known_hosts: this.knownHosts,
      ...extra,
    };
    return Object.entries(fields).map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}`).join('\n');
  }

  /** Kills only this sshd (its sessions' processes end with their connections). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3000))]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
