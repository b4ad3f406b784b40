import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../server/store/index.ts';
import { useBridgeProcess } from '../helpers/bridge.ts';
import { CliSession } from '../../schemas/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'tmux-bridge.js');
const dirs: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_BRIDGE_DATA;
  return execa(process.execPath, [CLI, ...args], { env, reject: false, timeout: 60_000 });
}

const ctx = useBridgeProcess();

describe('tmux-bridge --version and doctor', () => {
  it('prints the package version', async () => {
    const out = await run(['--version']);
    expect(out.exitCode).toBe(0);
    expect(out.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('passes on the running server’s own settings and sees it holds the lock and port', async () => {
    const port = new URL(ctx.server.url).port;
    const out = await run(['doctor', '--data-dir', ctx.dataDir, '--socket', ctx.tmux.socketName, '--port', port]);
    expect(out.stdout).toMatch(/ok {4}tmux: tmux \d+\.\d+/);
    expect(out.stdout).toMatch(/tmux socket: tb-test-\w+ .*server running, \d+ session/);
    expect(out.stdout).toMatch(new RegExp(`data directory lock: held by a running tmux-bridge \\(pid ${ctx.server.pid}\\)`));
    expect(out.stdout).toMatch(/port: 127\.0\.0\.1:\d+ is in use, probably by the running tmux-bridge/);
    expect(out.stdout).toMatch(/tool CLIs: installed: .*not on PATH/);
    expect(out.stdout).toContain('no problems');
    expect(out.exitCode).toBe(0);
  });

  it('fails with what to fix: open data directory, taken port, world-writable approval directory', async () => {
    const dataDir = temp('tb-doctor-');
    chmodSync(dataDir, 0o777);
    const approvals = join(temp('tb-doctor-approvals-'), 'approvals');
    mkdirSync(approvals);
    chmodSync(approvals, 0o777);
    const hosts = join(temp('tb-doctor-config-'), 'hosts.yaml');
    writeFileSync(hosts, `approval_dir: ${approvals}\nhosts:\n  - name: local\n    tmux:\n      socket: ${ctx.tmux.socketName}\n`);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const out = await run(['doctor', '--data-dir', dataDir, '--socket', 'tb-test-doctor-none', '--port', String(port), '--config', hosts]);
      expect(out.exitCode).toBe(1);
      expect(out.stdout).toMatch(/FAIL {2}data directory: .* mode 0777: others can read the access token/);
      expect(out.stdout).toContain(`fix: chmod 700 ${dataDir}`);
      expect(out.stdout).toMatch(new RegExp(`FAIL  port: 127\\.0\\.0\\.1:${port} is in use by another program`));
      expect(out.stdout).toMatch(/FAIL {2}approval directory: .* is world-writable/);
      expect(out.stdout).toMatch(/tmux socket: tb-test-doctor-none .*no server yet/);
      expect(out.stdout).toMatch(/3 problems to fix/);
    } finally {
      blocker.close();
    }
  });
});

describe('tmux-bridge backup and restore', () => {
  it('backs up a running server and restores into an empty directory only', async () => {
    const { status, body: session } = await ctx.server.api.post('/api/cli-sessions', { name: 'backed-up', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir, tool: 'bash' }, CliSession);
    expect(status).toBe(201);
    const file = join(temp('tb-backup-'), 'tmux-bridge.backup');
    const backup = await run(['backup', file, '--data-dir', ctx.dataDir]);
    expect(backup.stderr).toBe('');
    expect(backup.exitCode).toBe(0);
    expect(backup.stdout).toMatch(/written to .*tmux-bridge\.backup: \d+ bytes, up to journal entry \d+/);

    const target = join(temp('tb-restore-'), 'data');
    const restore = await run(['restore', file, '--data-dir', target]);
    expect(restore.exitCode).toBe(0);
    const again = await run(['restore', file, '--data-dir', target]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/is not empty .*restore only into an empty or new directory/);
    const intoLive = await run(['restore', file, '--data-dir', ctx.dataDir]);
    expect(intoLive.exitCode).toBe(1);

    const store = await Store.open({ dataDir: target, log: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      expect(store.sessions.get(session.sessionKey)).toMatchObject({ name: 'backed-up' });
    } finally {
      await store.close();
    }
  });
});
