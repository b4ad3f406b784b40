/**
 * Creating sessions under load (issue 9, item 8): parallel creates are queued so
 * tmux is not flooded and default names never collide, and a create that failed
 * because tmux answered too late leaves no orphan session behind. The session list
 * follows tmux on every listing: a pane that carries the bridge's key but that no
 * session stands for is adopted as a restart would adopt it, and the pane of an
 * abandoned create is removed even when the first attempt to remove it fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../server/bridge.ts';
import type { TmuxCommand } from '../../tmux/command.ts';
import { apiCall, makeApi } from '../helpers/bridge.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliSession, SessionList } from '../../schemas/index.ts';

let tmux: TestTmux;
let bridge: Bridge;
let dataDir: string;
const api = makeApi(() => bridge);

beforeAll(async () => {
  tmux = new TestTmux();
  dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  // A short command limit so a frozen tmux fails a create quickly; the watchdog kept out of the way.
  bridge = await startBridge(
    { port: 0, socket: tmux.socketName, tmuxConfig: tmux.configFile, dataDir, pollIntervalMs: 200 },
    { log: () => undefined, tmuxCommandTimeoutMs: 3000, tmuxStuckAfterMs: 600_000 },
  );
});

afterAll(async () => {
  await bridge?.close();
  await tmux?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

const tmuxSessions = async () => (await tmux.tmux('list-sessions', '-F', '#{session_name}')).split('\n').filter((n) => n && n !== '_tmux-bridge');

describe('session creation under load', () => {
  it('serves 30 parallel creates without a name: each gets its own name and shows in the list', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => api.post('/api/cli-sessions', { tool: 'custom', shell: 'cat', workingDir: tmux.dir }, CliSession)));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
    const names = results.map((r) => r.body.name as string);
    expect(new Set(names).size).toBe(30);
    const { body } = await api.get('/api/cli-sessions', SessionList);
    const listed = new Set(body.sessions.filter((s: any) => s.status === 'running').map((s: any) => s.name));
    for (const name of names) expect(listed.has(name)).toBe(true);
    expect((await tmuxSessions()).sort()).toEqual([...names].sort());
    await Promise.all(results.map((r) => api.post(`/api/cli-sessions/${r.body.sessionKey}/close`, undefined, CliSession)));
  });

  it('removes the session of a create that failed because tmux answered too late', async () => {
    const serverPid = Number(await tmux.tmux('display-message', '-p', '#{pid}'));
    process.kill(serverPid, 'SIGSTOP');
    let failed;
    try {
      failed = await api.post('/api/cli-sessions', { name: 'late', tool: 'custom', shell: 'cat', workingDir: tmux.dir }, ApiErrorBody);
    } finally {
      process.kill(serverPid, 'SIGCONT');
    }
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('tmux_failed');
    // tmux runs the queued new-session once it wakes up; the bridge removes what nobody asked for any more.
    await waitFor(async () => !(await tmuxSessions()).includes('late') && (await tmux.tmux('list-panes', '-a', '-F', '#{@tb_key}')).trim() === '', 'the orphan to be removed', 45_000);
    const { body } = await api.get('/api/cli-sessions', SessionList);
    expect(body.sessions.some((s: any) => s.name === 'late' && s.status === 'running')).toBe(false);
    // The name is free again: a retry succeeds.
    const retry = await api.post('/api/cli-sessions', { name: 'late', tool: 'custom', shell: 'cat', workingDir: tmux.dir }, CliSession);
    expect(retry.status).toBe(201);
  });
});

describe('reconciling the session list with tmux', () => {
  it('lists a keyed pane made behind its back, without a restart', async () => {
    const key = 's_behindTheBack1';
    await tmux.tmux('new-session', '-d', '-s', 'behind', '-x', '80', '-y', '24', '--', 'cat', ';', 'set-option', '-p', '-t', '=behind:', '@tb_key', key);
    const session = await waitFor(async () => {
      const { body } = await api.get('/api/cli-sessions', SessionList);
      return body.sessions.find((s: any) => s.sessionKey === key);
    }, 'the keyed pane to be listed', 45_000);
    expect(session).toMatchObject({ name: 'behind', status: 'running', adopted: false });
    expect((await api.get(`/api/cli-sessions/${key}`, CliSession)).status).toBe(200);
    expect((await api.post(`/api/cli-sessions/${key}/close`, undefined, CliSession)).status).toBe(200);
  });

  it('removes an abandoned create even when the first attempt to remove it fails', async () => {
    const { control } = bridge.tmux;
    const run = control.run.bind(control);
    let kills = 0;
    // The first kill fails as one does when tmux is too busy to answer in time.
    control.run = async (command: TmuxCommand) => {
      if (command[0] === 'kill-session' && kills++ === 0) throw new Error('tmux did not answer in time');
      return run(command);
    };
    try {
      const serverPid = Number(await tmux.tmux('display-message', '-p', '#{pid}'));
      process.kill(serverPid, 'SIGSTOP');
      let failed;
      try {
        failed = await api.post('/api/cli-sessions', { name: 'late2', tool: 'custom', shell: 'cat', workingDir: tmux.dir }, ApiErrorBody);
      } finally {
        process.kill(serverPid, 'SIGCONT');
      }
      expect(failed.status).toBe(500);
      await waitFor(async () => kills >= 1, 'the first removal to be tried', 45_000);
      await waitFor(async () => !(await tmuxSessions()).includes('late2'), 'the orphan to be removed on a later listing', 45_000);
      expect(kills).toBeGreaterThanOrEqual(2);
      const { body } = await api.get('/api/cli-sessions', SessionList);
      expect(body.sessions.some((s: any) => s.name === 'late2' && s.status === 'running')).toBe(false);
    } finally {
      control.run = run;
    }
  });
});
