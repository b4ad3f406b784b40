import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useTestBridge } from '../helpers/bridge.ts';
import { SAMPLE_PAYLOADS, sampleApproval, sampleNotification } from '../helpers/events.ts';
import { waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliSession, EventPage, Ok } from '../../schemas/index.ts';

const ctx = useTestBridge();

function eventsSocket(since?: number): { ws: WebSocket; events: any[] } {
  const url = new URL('ws/events', ctx.bridge.url.replace(/^http/, 'ws'));
  if (since !== undefined) url.searchParams.set('since', String(since));
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${ctx.bridge.token}` } });
  const events: any[] = [];
  ws.on('message', (data) => events.push(JSON.parse(data.toString())));
  return { ws, events };
}

describe('events', () => {
  it('CLI_SESSION_CREATED and CLI_SESSION_CLOSED go out on /ws/events, and are stored', async () => {
    const { ws, events } = eventsSocket();
    await new Promise((resolve) => ws.once('open', resolve));
    const { body: s } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'ev-one' }, CliSession);
    const created = await waitFor(() => events.find((e) => e.type === 'CLI_SESSION_CREATED' && e.sessionKey === s.sessionKey), 'created event');
    expect(created.session).toMatchObject({ name: 'ev-one', status: 'running' });
    expect(typeof created.id).toBe('number');
    expect(Date.parse(created.at)).not.toBeNaN();

    await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/close`, undefined, CliSession);
    const closed = await waitFor(() => events.find((e) => e.type === 'CLI_SESSION_CLOSED' && e.sessionKey === s.sessionKey), 'closed event');
    expect(closed.id).toBeGreaterThan(created.id);

    const history = await ctx.bridge.api.get(`/api/events?since=${created.id - 1}&limit=10`, EventPage);
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: any) => e.id)).toContain(closed.id);
    expect(history.body.events[0]!.id).toBe(created.id);

    // A socket that reconnects with since= gets what it missed.
    const late = eventsSocket(created.id);
    await waitFor(() => late.events.find((e) => e.id === closed.id), 'replayed event');
    expect(late.events.some((e) => e.id === created.id)).toBe(false);
    late.ws.close();
    ws.close();
  });

  it('an adopted pane with a pipe-pane of its own is left alone and reported as CLI_SESSION_ERROR', async () => {
    const { ws, events } = eventsSocket();
    await new Promise((resolve) => ws.once('open', resolve));
    // One tmux command line: the pane has its pipe before the bridge can see it.
    await ctx.tmux.tmux('new-session', '-d', '-s', 'ev-piped', '-x', '80', '-y', '24', ';', 'pipe-pane', '-t', '=ev-piped:', 'cat > /dev/null');
    const paneId = (await ctx.tmux.tmux('display', '-p', '-t', '=ev-piped:', '#{pane_id}')).trim();
    const error = await waitFor(() => events.find((e) => e.type === 'CLI_SESSION_ERROR' && e.paneId === paneId), 'error event');
    expect(error.message).toMatch(/pipe-pane/);
    expect(await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{pane_pipe}')).toBe('1');
    ws.close();
  });

  it('session details (a native client attaching) are announced live, and exits with their code', async () => {
    const { ws, events } = eventsSocket();
    await new Promise((resolve) => ws.once('open', resolve));
    const { body: s } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'ev-details', shell: 'bash --norc --noprofile -i' }, CliSession);
    // A control-mode client is a real tmux client: it counts as attached.
    const attach = (await import('node:child_process')).spawn('tmux', ['-L', ctx.tmux.socketName, '-C', 'attach', '-t', '=ev-details'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const update = await waitFor(
        () => events.find((e) => e.type === 'CLI_SESSION_UPDATED' && e.sessionKey === s.sessionKey && e.session.nativeClients === 1),
        'details update',
      );
      expect(update.id).toBeUndefined(); // live only, not stored
    } finally {
      attach.stdin.end();
    }
    await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: 'exit 3' }, Ok);
    const exited = await waitFor(
      () => events.find((e) => e.type === 'CLI_SESSION_UPDATED' && e.sessionKey === s.sessionKey && e.session.status === 'exited' && e.session.exitCode === 3),
      'exit event with its code',
    );
    expect(typeof exited.id).toBe('number');
    ws.close();
  });

  it('GET /api/events pages back newest first with before, filtered by host, pipeline and time on the server', async () => {
    const bus = ctx.bridge.bridge.bus;
    const api = (query: string) => ctx.bridge.api.get(`/api/events?${query}`, EventPage);
    const refused = (query: string) => ctx.bridge.api.get(`/api/events?${query}`, ApiErrorBody);
    // Agent events of a host no other test uses; each type keeps host and pipeline elsewhere.
    const published = [
      await bus.publish('STAGE_UPDATED', { ...SAMPLE_PAYLOADS.STAGE_UPDATED, host: 'hx', paneId: '%1', pipeline: 'ci', stage: 'lint', status: 'RUNNING' }),
      await bus.publish('APPROVAL_REQUESTED', { approval: sampleApproval({ id: 'ax', host: 'hx', paneId: '%1', pipeline: 'ci', stage: 'build' }) }),
      await bus.publish('NOTIFICATION', { notification: sampleNotification({ title: 'n' }, { host: 'hx', pipeline: 'deploy' }) }),
      await bus.publish('STAGE_UPDATED', { ...SAMPLE_PAYLOADS.STAGE_UPDATED, host: 'hy', paneId: '%2', pipeline: 'ci', stage: 'lint', status: 'FAILED' }),
      await bus.publish('STAGE_ACTIONS', { ...SAMPLE_PAYLOADS.STAGE_ACTIONS, host: 'hx', paneId: '%1', pipeline: 'ci', stage: 'lint', outcomes: [] }),
    ];
    const id = (i: number) => published[i]!.id!;
    const ids = (body: { events: Array<{ id?: number }> }) => body.events.map((e) => e.id);

    // A page newest first, then the next older one from `next`; `since` still goes forward.
    // (Bounded by ids: session events of the other tests may still be arriving.)
    expect(ids((await api('before=latest&type=STAGE_ACTIONS&limit=1')).body)).toEqual([id(4)]);
    const newest = await api(`before=${id(4) + 1}&limit=2`);
    expect(newest.status).toBe(200);
    expect(ids(newest.body)).toEqual([id(4), id(3)]);
    expect(newest.body.next).toBe(id(3));
    const older = await api(`before=${newest.body.next}&limit=2`);
    expect(ids(older.body)).toEqual([id(2), id(1)]);
    expect(older.body.next).toBe(id(1));
    const forward = await api(`since=${id(1)}&limit=2`);
    expect(ids(forward.body)).toEqual([id(2), id(3)]);
    expect(forward.body.next).toBe(id(3));

    // Host and pipeline, wherever the type keeps them; a full page although others come between.
    expect(ids((await api('before=latest&host=hx')).body)).toEqual([id(4), id(2), id(1), id(0)]);
    expect(ids((await api('before=latest&host=hx&pipeline=ci&limit=2')).body)).toEqual([id(4), id(1)]);
    expect(ids((await api(`before=${id(1)}&host=hx&pipeline=ci`)).body)).toEqual([id(0)]);
    expect(ids((await api('before=latest&pipeline=deploy&type=NOTIFICATION')).body)).toEqual([id(2)]);
    expect(ids((await api(`since=${id(0) - 1}&host=hy`)).body)).toEqual([id(3)]);
    // Nothing older: an empty page, next null.
    expect((await api(`before=${id(0)}&host=hx`)).body).toEqual({ events: [], next: null });

    // Time: from/to bound `at`, inclusive; any offset is accepted and normalised.
    const at3 = published[3]!.at;
    const plusTwo = new Date(Date.parse(at3) + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    expect(ids((await api(`before=latest&host=hy&from=${encodeURIComponent(at3)}`)).body)).toEqual([id(3)]);
    expect(ids((await api(`before=latest&host=hy&from=${encodeURIComponent(plusTwo)}`)).body)).toEqual([id(3)]);
    const past = new Date(Date.parse(published[0]!.at) - 1).toISOString();
    expect(ids((await api(`before=latest&host=hx&to=${encodeURIComponent(past)}`)).body)).toEqual([]);

    // Bad input is a 400 that says what to write.
    for (const query of ['before=0', 'before=soon', 'from=yesterday', 'to=2025-01-01', 'host=', 'limit=5000']) {
      const bad = await refused(query);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error.code).toBe('invalid_query');
    }
    expect((await refused('from=yesterday')).body.error.message).toMatch(/ISO time/);
  });

  it('GET /events streams the same events as SSE', async () => {
    const controller = new AbortController();
    const response = await fetch(new URL('events', ctx.bridge.url), { headers: { authorization: `Bearer ${ctx.bridge.token}` }, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    const { body: s } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'ev-sse' }, CliSession);
    while (!text.includes(s.sessionKey)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    expect(text).toMatch(/id: \d+\ndata: \{"sessionKey":"s_/);
    controller.abort();
  });

  it('GET /events with Last-Event-ID first sends the stored events after it, then live ones', async () => {
    const bus = ctx.bridge.bridge.bus;
    const first = await bus.publish('NOTIFICATION', { notification: sampleNotification({ title: 'sse-missed-1' }) });
    const second = await bus.publish('NOTIFICATION', { notification: sampleNotification({ title: 'sse-missed-2' }) });
    const controller = new AbortController();
    const response = await fetch(new URL('events', ctx.bridge.url), {
      headers: { authorization: `Bearer ${ctx.bridge.token}`, 'last-event-id': String(first.id) },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    const read = async (until: string) => {
      while (!text.includes(until)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
    };
    await read(': connected');
    // The missed one before the stream says it is connected; not the one the reader had.
    expect(text).toContain(`id: ${second.id}\ndata: {`);
    expect(text.indexOf('sse-missed-2')).toBeLessThan(text.indexOf(': connected'));
    expect(text).not.toContain('sse-missed-1');
    const live = await bus.publish('NOTIFICATION', { notification: sampleNotification({ title: 'sse-live' }) });
    await read('sse-live');
    expect(text).toContain(`id: ${live.id}\ndata: `);
    controller.abort();
  });

  it('401 on the events socket and stream without a token', async () => {
    expect((await fetch(new URL('events', ctx.bridge.url))).status).toBe(401);
    const ws = new WebSocket(new URL('ws/events', ctx.bridge.url.replace(/^http/, 'ws')));
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});
