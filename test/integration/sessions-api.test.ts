import { describe, expect, it } from 'vitest';
import { useTestBridge } from '../helpers/bridge.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliSession, Ok, Resized, SessionList, Snapshot } from '../../schemas/index.ts';

const ctx = useTestBridge();

describe('CLI sessions API', () => {
  it('creates a real tmux pane and closing removes it', async () => {
    const created = await ctx.bridge.api.post('/api/cli-sessions', { name: 'api-one', cols: 90, rows: 25, workingDir: ctx.tmux.dir }, CliSession);
    expect(created.status).toBe(201);
    const session = created.body;
    expect(session.sessionKey).toMatch(/^s_/);
    expect(session).toMatchObject({ name: 'api-one', tool: 'bash', status: 'running', cols: 90, rows: 25, adopted: false, workingDir: ctx.tmux.dir });
    expect(session.attachCommand).toBe(`tmux -L ${ctx.tmux.socketName} attach -t =api-one`);
    expect(await ctx.tmux.listPanes()).toContain(`api-one ${session.tmux.paneId}`);

    const got = await ctx.bridge.api.get(`/api/cli-sessions/${session.sessionKey}`, CliSession);
    expect(got.status).toBe(200);
    expect(got.body.tmux.paneId).toBe(session.tmux.paneId);

    const closed = await ctx.bridge.api.post(`/api/cli-sessions/${session.sessionKey}/close`, undefined, CliSession);
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect((await ctx.tmux.listPanes()).some((p) => p.startsWith('api-one '))).toBe(false);
  });

  it('lists panes created natively as adopted sessions', async () => {
    await ctx.tmux.tmux('new-session', '-d', '-s', 'native-one', '-x', '80', '-y', '24');
    const listed = await waitFor(async () => {
      const { body } = await ctx.bridge.api.get('/api/cli-sessions', SessionList);
      return (body.sessions as any[]).find((s) => s.name === 'native-one');
    }, 'adopted session in the list');
    expect(listed.adopted).toBe(true);
    expect(listed.status).toBe('running');
    expect(listed.sessionKey).toMatch(/^a_/);
    expect((await ctx.bridge.api.get('/api/cli-sessions', SessionList)).body.sessions.some((s: any) => s.name === '_tmux-bridge')).toBe(false);
  });

  it('send and keys reach the pane; snapshot returns its screen', async () => {
    const { body: s } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'api-send', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: 'echo $((6*7))-sent' }, Ok)).status).toBe(202);
    await waitFor(async () => (await ctx.tmux.capture(s.tmux.paneId)).includes('42-sent'), 'send output');
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: 'sleep 100' }, Ok)).status).toBe(202);
    await waitFor(async () => (await ctx.tmux.tmux('display', '-p', '-t', s.tmux.paneId, '#{pane_current_command}')) === 'sleep', 'sleep running');
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/keys`, { keys: ['C-c'] }, Ok)).status).toBe(202);
    await waitFor(async () => (await ctx.tmux.tmux('display', '-p', '-t', s.tmux.paneId, '#{pane_current_command}')) === 'bash', 'sleep interrupted');
    const snap = await ctx.bridge.api.get(`/api/cli-sessions/${s.sessionKey}/snapshot?lines=50`, Snapshot);
    expect(snap.status).toBe(200);
    expect(snap.body.text).toContain('42-sent');
    expect(snap.body.cols).toBe(120);
    expect(typeof snap.body.offset).toBe('number');
    expect(snap.body.cursor.y).toBeGreaterThanOrEqual(0);
  });

  it('reports an exited program with its exit code and refuses input with 409', async () => {
    const { body: s } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'api-exit', shell: 'sleep 0.3; exit 7' }, CliSession);
    // tmux may mark the pane dead a moment before it knows the status: wait for both.
    const exited = await waitFor(async () => {
      const { body } = await ctx.bridge.api.get(`/api/cli-sessions/${s.sessionKey}`, CliSession);
      return body.status === 'exited' && body.exitCode !== null ? body : undefined;
    }, 'exited status with its code');
    expect(exited.exitCode).toBe(7);
    const send = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: 'x' }, ApiErrorBody);
    expect(send.status).toBe(409);
    expect(send.body.error.code).toBe('session_exited');
  });

  it('gets the exit code of every pane even when several end at once (tmux can miss a SIGCHLD)', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { body } = await ctx.bridge.api.post('/api/cli-sessions', { name: `api-many-exit-${i}`, shell: 'bash --norc --noprofile -i' }, CliSession);
      keys.push(body.sessionKey);
    }
    await Promise.all(keys.map((key) => ctx.bridge.api.post(`/api/cli-sessions/${key}/send`, { text: 'exit 3' }, Ok)));
    for (const key of keys) {
      const session = await waitFor(async () => {
        const { body } = await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession);
        return body.exitCode !== null ? body : undefined;
      }, `exit code of ${key}`);
      expect(session).toMatchObject({ status: 'exited', exitCode: 3 });
    }
  });

  it('resizes the pane', async () => {
    const { body: s } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'api-resize' }, CliSession);
    const resized = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/resize`, { cols: 132, rows: 40 }, Resized);
    expect(resized.status).toBe(200);
    expect(await ctx.tmux.tmux('display', '-p', '-t', s.tmux.paneId, '#{pane_width}x#{pane_height}')).toBe('132x40');
  });
});

describe('errors and auth', () => {
  it('401 without or with a wrong token', async () => {
    const response = await fetch(new URL('api/cli-sessions', ctx.bridge.url));
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('unauthorized');
    const wrong = await fetch(new URL('api/cli-sessions', ctx.bridge.url), { headers: { authorization: 'Bearer nope-nope-nope-nope' } });
    expect(wrong.status).toBe(401);
  });

  it('serves /healthz without auth', async () => {
    const response = await fetch(new URL('healthz', ctx.bridge.url));
    expect(await response.json()).toMatchObject({ ok: true, tmux: { version: expect.stringMatching(/^3\./), socket: ctx.tmux.socketName } });
  });

  it('400 with zod details for bad bodies, never a 500', async () => {
    const bad = await ctx.bridge.api.post('/api/cli-sessions', { cols: 'wide', bogus: 1 }, ApiErrorBody);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_body');
    expect(bad.body.error.details!.length).toBeGreaterThanOrEqual(2);
    const json = await ctx.bridge.api.post('/api/cli-sessions', '{not json', ApiErrorBody);
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('invalid_json');
    const dir = await ctx.bridge.api.post('/api/cli-sessions', { workingDir: '/no/such/dir' }, ApiErrorBody);
    expect(dir.status).toBe(400);
    const tool = await ctx.bridge.api.post('/api/cli-sessions', { tool: 'custom' }, ApiErrorBody);
    expect(tool.status).toBe(400);
    const keys = await ctx.bridge.api.post('/api/cli-sessions/s_x/keys', { keys: [] }, ApiErrorBody);
    expect(keys.status).toBe(400);
  });

  it('an empty send types nothing and keeps the connection to tmux', async () => {
    const controlPid = async () =>
      (await ctx.tmux.tmux('list-clients', '-F', '#{client_pid} #{client_control_mode} #{session_name}')).split('\n').find((l) => l.endsWith(' 1 _tmux-bridge'))?.split(' ')[0];
    const created = await ctx.bridge.api.post('/api/cli-sessions', { name: 'empty-send' }, CliSession);
    const before = await controlPid();
    expect(before).toBeDefined();
    // Zero bytes once reached tmux as an empty control line, which ends the control client (a 500 then).
    const sent = await ctx.bridge.api.post(`/api/cli-sessions/${created.body.sessionKey}/send`, { text: '', appendNewline: false }, Ok);
    expect(sent.status).toBe(202);
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${created.body.sessionKey}/send`, { text: 'echo after-empty' }, Ok)).status).toBe(202);
    expect(await controlPid()).toBe(before);
    await ctx.bridge.api.post(`/api/cli-sessions/${created.body.sessionKey}/close`, undefined, CliSession);
  });

  it('413 for a body over the limit', async () => {
    const big = await ctx.bridge.api.post('/api/cli-sessions/s_x/send', { text: 'x'.repeat(9 * 1024 * 1024) }, ApiErrorBody);
    expect(big.status).toBe(413);
  });

  it('404 for unknown session keys, also on the WebSocket', async () => {
    for (const path of ['/api/cli-sessions/s_unknown', '/api/cli-sessions/s_unknown/snapshot']) {
      const res = await ctx.bridge.api.get(path, ApiErrorBody);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await ctx.bridge.api.post('/api/cli-sessions/s_unknown/send', { text: 'x' }, ApiErrorBody)).status).toBe(404);
    const client = new TerminalClient(ctx.bridge.url, ctx.bridge.token, 's_unknown');
    expect(await client.refusedStatus()).toBe(404);
  });

  it('409 for writing to a closed session', async () => {
    const { body: s } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'api-closed' }, CliSession);
    await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/close`, undefined, CliSession);
    const send = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: 'x' }, ApiErrorBody);
    expect(send.status).toBe(409);
    expect(send.body.error.code).toBe('session_closed');
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/close`, undefined, ApiErrorBody)).status).toBe(409);
    expect((await ctx.bridge.api.get(`/api/cli-sessions/${s.sessionKey}`, CliSession)).body.status).toBe('closed');
  });

  it('409 when the tmux session name is taken', async () => {
    await ctx.bridge.api.post('/api/cli-sessions', { name: 'api-dup' }, CliSession);
    const dup = await ctx.bridge.api.post('/api/cli-sessions', { name: 'api-dup' }, ApiErrorBody);
    expect(dup.status).toBe(409);
  });

  it('WebSocket: 401 without token, 403 for a foreign Origin, accepted for our own', async () => {
    const { body: s } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'api-ws-auth' }, CliSession);
    expect(await new TerminalClient(ctx.bridge.url, ctx.bridge.token, s.sessionKey, { token: null }).refusedStatus()).toBe(401);
    expect(await new TerminalClient(ctx.bridge.url, ctx.bridge.token, s.sessionKey, { origin: 'https://evil.example' }).refusedStatus()).toBe(403);
    const own = new TerminalClient(ctx.bridge.url, ctx.bridge.token, s.sessionKey, { origin: ctx.bridge.url.replace(/\/$/, '') });
    await own.ready();
    await own.close();
  });

  it('cookie login works and cookie-authenticated unsafe requests need our Origin', async () => {
    const login = await fetch(new URL(`login?token=${ctx.bridge.token}`, ctx.bridge.url), { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const jar = cookie.split(';')[0]!;
    expect((await fetch(new URL('api/cli-sessions', ctx.bridge.url), { headers: { cookie: jar } })).status).toBe(200);
    const foreign = await fetch(new URL('api/cli-sessions', ctx.bridge.url), {
      method: 'POST',
      headers: { cookie: jar, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    const own = await fetch(new URL('api/cli-sessions', ctx.bridge.url), {
      method: 'POST',
      headers: { cookie: jar, origin: ctx.bridge.url.replace(/\/$/, ''), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'api-cookie' }),
    });
    expect(own.status).toBe(201);
    const badLogin = await fetch(new URL('login?token=wrong', ctx.bridge.url), { redirect: 'manual' });
    expect(badLogin.status).toBe(401);
  });
});
