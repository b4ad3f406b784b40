/**
 * Live event streams under pressure (issue 9, item 10): a client may hold only so
 * many open, and a reader that stops reading is dropped instead of buffered for
 * without end — it reconnects with its last event id and misses nothing stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBridge, type Bridge } from '../../server/bridge.ts';
import { CliSession } from '../../schemas/index.ts';
import { makeApi } from '../helpers/bridge.ts';
import { SAMPLE_PAYLOADS, sampleNotification } from '../helpers/events.ts';
import { rawUpgrade } from '../helpers/raw-http.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';

let tmux: TestTmux;
let bridge: Bridge;
let dataDir: string;

beforeAll(async () => {
  tmux = new TestTmux();
  dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  bridge = await startBridge(
    { port: 0, socket: tmux.socketName, tmuxConfig: tmux.configFile, dataDir, pollIntervalMs: 200 },
    { log: () => undefined, eventStreams: { perClient: 3, maxBufferedBytes: 256 * 1024 }, terminalSocketsPerClient: 2 },
  );
});

afterAll(async () => {
  await bridge?.close();
  await tmux?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

function eventsSocket(since = 0): { ws: WebSocket; ids: number[]; closed: Promise<number>; opened: Promise<void> } {
  const url = new URL(`ws/events?token=${encodeURIComponent(bridge.token)}${since ? `&since=${since}` : ''}`, bridge.url.replace(/^http/, 'ws'));
  const ws = new WebSocket(url);
  const ids: number[] = [];
  ws.on('message', (data) => {
    const event = JSON.parse(String(data));
    if (typeof event.id === 'number') ids.push(event.id);
  });
  return {
    ws,
    ids,
    opened: new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    }),
    closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))),
  };
}

describe('event streams', () => {
  it('caps the streams one client holds open (WebSocket and SSE alike) and frees a slot on close', async () => {
    const open = [eventsSocket(), eventsSocket(), eventsSocket()];
    await Promise.all(open.map((s) => s.opened));
    expect((await rawUpgrade(bridge.url, `/ws/events?token=${bridge.token}`, {})).status).toBe(429);
    const sse = await fetch(new URL('events', bridge.url), { headers: { authorization: `Bearer ${bridge.token}` } });
    expect(sse.status).toBe(429);
    expect((await sse.json()).error.code).toBe('too_many_streams');
    open[0]!.ws.close();
    await open[0]!.closed;
    const again = eventsSocket();
    await waitFor(() => again.opened.then(() => true, () => false), 'a freed slot', 30_000);
    for (const s of [open[1]!, open[2]!, again]) {
      s.ws.close();
      await s.closed;
    }
  });

  it('drops a reader that stops reading; it resumes from its last event id without losing a stored event', async () => {
    const slow = eventsSocket();
    await slow.opened;
    for (let i = 0; i < 3; i++) await bridge.bus.publish('NOTIFICATION', { notification: sampleNotification({ title: String(i) }) });
    await waitFor(() => slow.ids.length === 3, 'the first events', 30_000);
    const lastSeen = slow.ids.at(-1)!;
    // The reader stops reading; the server keeps publishing (big live-only events and stored ones).
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const big = 'x'.repeat(64 * 1024);
    const stored: number[] = [];
    for (let i = 0; i < 400; i++) {
      void bridge.bus.publish('PANE_TAIL', { ...SAMPLE_PAYLOADS.PANE_TAIL, lines: [big] }, { ephemeral: true });
      if (i % 40 === 0) stored.push((await bridge.bus.publish('NOTIFICATION', { notification: sampleNotification({ title: `during-${i}` }) })).id!);
      else await new Promise((resolve) => setImmediate(resolve));
    }
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    // It was dropped (4008 with the reason, or the connection cut) rather than fed 25 MiB.
    const code = await slow.closed;
    expect([4008, 1006]).toContain(code);
    expect(slow.ids.includes(stored.at(-1)!)).toBe(false);
    // Reconnecting with its last id brings every stored event it missed.
    const resumed = eventsSocket(Math.max(lastSeen, ...slow.ids));
    await resumed.opened;
    await waitFor(() => stored.every((id) => resumed.ids.includes(id) || slow.ids.includes(id)), 'the missed events after resuming', 30_000);
    resumed.ws.close();
    await resumed.closed;
  });

  it('caps the terminal sockets one client holds open', async () => {
    const { body: session } = await makeApi(() => bridge).post('/api/cli-sessions', { tool: 'custom', shell: 'cat', workingDir: tmux.dir }, CliSession);
    const url = new URL(`ws/terminal/${session.sessionKey}?token=${encodeURIComponent(bridge.token)}`, bridge.url.replace(/^http/, 'ws'));
    const open = [new WebSocket(url), new WebSocket(url)];
    await Promise.all(open.map((ws) => new Promise((resolve) => ws.once('open', resolve))));
    const third = await rawUpgrade(bridge.url, `/ws/terminal/${session.sessionKey}?token=${bridge.token}`, {});
    expect(third.status).toBe(429);
    expect(third.body).toMatch(/too many terminal sockets/);
    for (const ws of open) {
      ws.close();
      await new Promise((resolve) => ws.once('close', resolve));
    }
    await waitFor(async () => (await rawUpgrade(bridge.url, `/ws/terminal/${session.sessionKey}?token=${bridge.token}`, {})).status === 101, 'a freed terminal slot', 30_000);
  });
});
