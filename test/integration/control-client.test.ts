import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from '../../base/emitter.ts';
import { HOLDER_SESSION, TmuxServer } from '../../tmux/server.ts';
import { TmuxCommandError } from '../../tmux/errors.ts';
import { ControlClient } from '../../tmux/control-client.ts';
import { TmuxAddress } from '../../tmux/address.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';

let tmux: TestTmux;
let server: TmuxServer;

beforeAll(async () => {
  tmux = new TestTmux();
  server = await TmuxServer.start({ socketName: tmux.socketName, configFile: tmux.configFile, runDir: `${tmux.dir}/run`, pollIntervalMs: 200 });
});

afterAll(async () => {
  server?.dispose();
  await tmux?.kill();
});

const controlClientPid = async () => {
  const out = await tmux.tmux('list-clients', '-F', '#{client_pid} #{client_control_mode} #{session_name}');
  const line = out.split('\n').find((l) => l.endsWith(` 1 ${HOLDER_SESSION}`));
  return line ? Number(line.split(' ')[0]) : undefined;
};

describe('control client', () => {
  it('answers commands in order, pipelined, and reports errors', async () => {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => server.control.run(['display-message', '-p', `n${i}`])));
    expect(replies.map((r) => r[0])).toEqual(Array.from({ length: 200 }, (_, i) => `n${i}`));
    await expect(server.control.run(['kill-pane', '-t', '%9999'])).rejects.toBeInstanceOf(TmuxCommandError);
    // A failing command does not desynchronise the ones after it.
    const [after] = await Promise.all([server.control.run(['display-message', '-p', 'after']), server.control.run(['bogus-command']).catch(() => null)]);
    expect(after).toEqual(['after']);
  });

  it('never counts toward window sizes and receives no pane output', async () => {
    await tmux.tmux('new-session', '-d', '-s', 'sized', '-x', '91', '-y', '27');
    expect(await tmux.tmux('display', '-p', '-t', 'sized', '#{window_width}x#{window_height}')).toBe('91x27');
    const flags = await tmux.tmux('list-clients', '-F', '#{client_flags}');
    expect(flags).toMatch(/ignore-size/);
    expect(flags).toMatch(/no-output/);
  });

  it('reconnects when its tmux client process dies, and commands keep working', async () => {
    const pid = await waitFor(controlClientPid, 'control client pid');
    const reconnected = nextEvent(server.control.onConnect);
    process.kill(pid, 'SIGKILL');
    await reconnected;
    expect(await server.control.run(['display-message', '-p', 'back'])).toEqual(['back']);
    expect(await controlClientPid()).not.toBe(pid);
  });

  it('runs an empty command list as nothing, and stays connected', async () => {
    // tmux ends a control client that is sent an empty line: that dropped the connection
    // (a remote host's too) and failed whatever else was in flight, e.g. a create (503).
    const pid = await waitFor(controlClientPid, 'control client pid');
    const dropped: string[] = [];
    const sub = server.control.onDisconnect((reason) => dropped.push(reason));
    const [empty, after] = await Promise.all([server.control.runList([]), server.control.run(['display-message', '-p', 'after-empty'])]);
    expect(empty).toEqual([]);
    expect(after).toEqual(['after-empty']);
    expect(await server.control.run(['display-message', '-p', 'still'])).toEqual(['still']);
    sub.dispose();
    expect(dropped).toEqual([]);
    expect(await controlClientPid()).toBe(pid);
  });

  it('recreates its holder session if somebody kills it', async () => {
    const reconnected = nextEvent(server.control.onConnect);
    const dropped = nextEvent(server.control.onDisconnect);
    await tmux.tmux('kill-session', '-t', `=${HOLDER_SESSION}`);
    // The reason says tmux ended the client (its exit code alone says nothing of why).
    expect(await dropped).toMatch(/tmux sent %exit/);
    await reconnected;
    expect(await server.control.run(['display-message', '-p', 'still-here'])).toEqual(['still-here']);
    // The holder is never listed as a pane of ours.
    await server.monitor.refresh();
    expect(server.monitor.list().some((p) => p.sessionName === HOLDER_SESSION)).toBe(false);
  });
});

describe('control client watchdog', () => {
  it('restarts a control client whose tmux stopped answering, fails what was in flight, and reconnects once tmux answers', async () => {
    const client = new ControlClient({ address: new TmuxAddress({ socketName: tmux.socketName, configFile: tmux.configFile }), holderSession: HOLDER_SESSION, timeoutMs: 2000 });
    // tmux's server reads and writes control clients' pipes itself: freezing it (our own test server) is a hung tmux.
    const serverPid = Number(await tmux.tmux('display-message', '-p', '#{pid}'));
    let frozen = false;
    try {
      await client.start();
      expect(client.health()).toMatchObject({ state: 'connected', restarts: 0 });
      const states: string[] = [];
      client.onHealth((h) => states.push(h.state));
      process.kill(serverPid, 'SIGSTOP');
      frozen = true;
      const stuck = client.run(['display-message', '-p', 'lost']);
      await expect(stuck).rejects.toThrow(/did not answer/);
      // The watchdog kills the client and keeps trying, without waiting for the frozen server.
      await waitFor(() => client.health().restarts >= 1 && client.health().state === 'reconnecting', 'the watchdog to restart the client', 60_000);
      expect(client.health().lastProblem).toMatch(/tmux did not answer for \d+ s/);
      const queued = client.run(['display-message', '-p', 'queued']).catch((error: Error) => error);
      process.kill(serverPid, 'SIGCONT');
      frozen = false;
      await waitFor(() => client.health().state === 'connected', 'the client to reconnect', 60_000);
      expect(states).toEqual(expect.arrayContaining(['slow', 'reconnecting', 'connected']));
      expect(await client.run(['display-message', '-p', 'back'])).toEqual(['back']);
      // A command queued meanwhile got an answer or a clear error, never silence.
      const result = await queued;
      expect(String(result instanceof Error ? result.message : result)).toMatch(/queued|did not answer|tmux/);
    } finally {
      if (frozen) process.kill(serverPid, 'SIGCONT');
      client.dispose();
    }
  });
});
