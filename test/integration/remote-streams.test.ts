/**
 * A remote tmux host through a real sshd on 127.0.0.1: one ssh connection (master +
 * channels), pane output from `%output` of control clients, exact under a 20 MB burst;
 * reconnect after the ssh process is killed; clear errors for a refused key and an
 * unknown host key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteTmuxServer } from '../../tmux/remote-server.ts';
import type { SshTarget } from '../../tmux/ssh.ts';
import { TestSshd } from '../helpers/sshd.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';

let sshd: TestSshd;
let remote: TestTmux;
const servers: RemoteTmuxServer[] = [];

const target = (extra: Partial<SshTarget> = {}): SshTarget => ({
  host: '127.0.0.1',
  port: sshd.port,
  user: sshd.user,
  key: sshd.userKey,
  timeoutSec: 10,
  knownHosts: sshd.knownHosts,
  acceptNewHostKey: false,
  ...extra,
});

function connect(extra: Partial<SshTarget> = {}): RemoteTmuxServer {
  const server = new RemoteTmuxServer({ target: target(extra), socket: remote.socketName, tmuxBin: 'tmux', maxReconnectDelayMs: 1000 });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  sshd = await new TestSshd().start();
  remote = new TestTmux();
  await remote.tmux('new-session', '-d', '-s', 'idle', '-x', '120', '-y', '40', 'sleep 600');
});

afterAll(async () => {
  for (const server of servers) server.dispose();
  // A channel of a disposed connection still arriving may start a new server on the host.
  await remote?.kill({ watchMs: 2000 });
  await sshd?.stop();
});

async function newPane(name: string, command: string): Promise<string> {
  return (await remote.tmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-s', name, '-x', '120', '-y', '40', command)).trim();
}

describe('remote host over a real sshd', () => {
  it('streams a 20 MB burst of arbitrary bytes exactly (byte count and checksum)', async () => {
    const server = connect();
    await waitFor(() => server.status.state === 'connected', 'the host to connect', 30_000);
    const payload = randomBytes(20 * 1024 * 1024);
    const begin = Buffer.from(`<<${randomBytes(8).toString('hex')}>>`);
    const end = Buffer.from(`<<${randomBytes(8).toString('hex')}>>`);
    const file = join(remote.dir, 'burst.bin');
    writeFileSync(file, Buffer.concat([begin, payload, end]));
    // Raw mode: the terminal passes every byte unchanged (no CR added to LF).
    const paneId = await newPane('burst', `sh -c 'read go; stty raw -echo; cat ${file}; sleep 600'`);
    await waitFor(() => server.monitor.get(paneId), 'the monitor to see the pane', 20_000);
    await server.streams.ready(paneId);
    await waitFor(() => server.streams.isLive(paneId), 'the pane stream to be live', 20_000);
    const stream = server.streams.get(paneId)!;
    // The ring keeps the last 2 MiB: collect what subscribers get, checking offsets are contiguous.
    const chunks: Buffer[] = [];
    let next = stream.offset;
    let holes = 0;
    const sub = stream.onData((chunk) => {
      if (chunk.offset !== next) holes++;
      next = chunk.offset + chunk.data.length;
      chunks.push(Buffer.from(chunk.data));
    });
    await remote.tmux('send-keys', '-t', paneId, 'Enter');
    const expected = begin.length + payload.length + end.length;
    const data = await waitFor(
      () => {
        if (chunks.reduce((n, c) => n + c.length, 0) < expected) return undefined;
        const bytes = Buffer.concat(chunks);
        return bytes.indexOf(end) >= 0 ? bytes : undefined;
      },
      'the whole burst to arrive',
      180_000,
      100,
    );
    sub.dispose();
    expect(holes).toBe(0);
    const at = data.indexOf(begin);
    expect(at).toBeGreaterThanOrEqual(0);
    const got = data.subarray(at + begin.length, data.indexOf(end, at + begin.length));
    expect(got.length).toBe(payload.length);
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  }, 240_000);

  it('reconnects after the ssh process is killed, and the stream resumes with the same offsets', async () => {
    const server = connect();
    await waitFor(() => server.status.state === 'connected', 'the host to connect', 30_000);
    const paneId = await newPane('reconnect', 'bash --noprofile --norc');
    await waitFor(() => server.monitor.get(paneId), 'the monitor to see the pane', 20_000);
    await waitFor(() => server.streams.isLive(paneId), 'the pane stream to be live', 20_000);
    const stream = server.streams.get(paneId)!;
    const events: string[] = [];
    server.streams.onInterrupted((id) => id === paneId && events.push('interrupted'));
    server.streams.onResumed((id) => id === paneId && events.push('resumed'));
    const states: string[] = [];
    server.onStatus((status) => states.push(status.state));
    const pid = server.masterPid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => states.includes('reconnecting'), 'the host to show reconnecting', 20_000);
    expect(server.status.reason).toMatch(/cannot reach|lost|exited/);
    await waitFor(() => server.status.state === 'connected' && server.streams.isLive(paneId), 'the host to reconnect', 30_000);
    expect(server.masterPid).not.toBe(pid);
    expect(events).toEqual(['interrupted', 'resumed']);
    const before = stream.offset;
    await remote.tmux('send-keys', '-t', paneId, 'echo after-$((40+2))', 'Enter');
    await waitFor(() => Buffer.concat(stream.readFrom(before) ?? []).includes('after-42'), 'output after the reconnect', 20_000);
    // The same stream object, offsets only grow.
    expect(server.streams.get(paneId)).toBe(stream);
  }, 120_000);

  it('says clearly when the key is refused, and when the host key is unknown', async () => {
    const refused = connect({ key: sshd.wrongKey });
    await waitFor(() => refused.status.state === 'auth_failed', 'auth failure to be reported', 30_000);
    expect(refused.status.reason).toMatch(/authentication failed for .*127\.0\.0\.1:\d+ .*Permission denied.*authorized_keys/);
    const unknown = connect({ knownHosts: sshd.emptyKnownHosts });
    await waitFor(() => unknown.status.state === 'host_key_failed', 'host key failure to be reported', 30_000);
    expect(unknown.status.reason).toMatch(/host key of .* is unknown or changed.*accept_new_host_key/);
    refused.dispose();
    unknown.dispose();
    // Explicitly accepting new host keys records the key and connects.
    const fresh = join(remote.dir, 'known_hosts_fresh');
    writeFileSync(fresh, '');
    const accepting = connect({ knownHosts: fresh, acceptNewHostKey: true });
    await waitFor(() => accepting.status.state === 'connected', 'the host to connect with accept-new', 30_000);
    expect(readFileSync(fresh, 'utf8')).toContain('ssh-ed25519');
  }, 120_000);
});
