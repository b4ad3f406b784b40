/**
 * A hung tmux is noticed (issue 9, item 11): the control client's watchdog restarts
 * a client tmux stopped answering, /healthz says so (503 with the reason) and the UI
 * hears it live (TMUX_STATUS); once tmux answers again all is back to normal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSession, type BridgeEvent } from '../../schemas/index.ts';
import { startBridge, type Bridge } from '../../server/bridge.ts';
import { makeApi } from '../helpers/bridge.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';

let tmux: TestTmux;
let bridge: Bridge;
let dataDir: string;
const events: BridgeEvent[] = [];

beforeAll(async () => {
  tmux = new TestTmux();
  dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  bridge = await startBridge({ port: 0, socket: tmux.socketName, tmuxConfig: tmux.configFile, dataDir, pollIntervalMs: 200 }, { log: () => undefined, tmuxCommandTimeoutMs: 2000 });
  bridge.bus.onEvent((event) => events.push(event));
});

afterAll(async () => {
  await bridge?.close();
  await tmux?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

const health = async () => {
  const response = await fetch(new URL('healthz', bridge.url));
  return { status: response.status, body: (await response.json()) as any };
};

describe('tmux watchdog', () => {
  it('reports a hung tmux in /healthz and live, restarts the control client, and recovers', async () => {
    const ok = await health();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, tmux: { control: { state: 'connected', restarts: 0, pending: expect.any(Number) } } });

    const serverPid = Number(await tmux.tmux('display-message', '-p', '#{pid}'));
    process.kill(serverPid, 'SIGSTOP');
    try {
      const down = await waitFor(async () => {
        const h = await health();
        return h.status === 503 && h.body.tmux.control.restarts >= 1 ? h : undefined;
      }, '/healthz to report the hung tmux', 60_000);
      expect(down.body).toMatchObject({ ok: false, tmux: { control: { state: 'reconnecting', lastProblem: expect.stringMatching(/tmux did not answer/) } } });
      expect(events.some((e) => e.type === 'TMUX_STATUS' && (e as any).control.state === 'reconnecting')).toBe(true);
    } finally {
      process.kill(serverPid, 'SIGCONT');
    }
    await waitFor(async () => (await health()).status === 200, '/healthz to be fine again', 60_000);
    expect(events.some((e) => e.type === 'TMUX_STATUS' && (e as any).control.state === 'connected')).toBe(true);
    // The bridge works again: a session can be created and listed.
    const created = await makeApi(() => bridge).post('/api/cli-sessions', { name: 'after-hang' }, CliSession);
    expect(created.status).toBe(201);
  });
});
