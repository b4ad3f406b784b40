/**
 * POST /api/cli-sessions/:key/rename: renames the tmux session (as tmux sees it), is
 * announced, refuses a taken or bad name (400 naming the field), and a closed session.
 */
import { describe, expect, it } from 'vitest';
import { useTestBridge } from '../helpers/bridge.ts';
import { waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliSession } from '../../schemas/index.ts';

const ctx = useTestBridge();

async function create(name: string): Promise<string> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body.sessionKey;
}

describe('renaming a session', () => {
  it('renames the tmux session, and the session object follows', async () => {
    const key = await create('before-rename');
    const { status, body } = await ctx.bridge.api.post(`/api/cli-sessions/${key}/rename`, { name: 'after rename' }, CliSession);
    expect(status).toBe(200);
    expect(body).toMatchObject({ sessionKey: key, name: 'after rename', status: 'running' });
    const names = (await ctx.tmux.tmux('list-sessions', '-F', '#{session_name}')).split('\n');
    expect(names).toContain('after rename');
    expect(names).not.toContain('before-rename');
    expect((await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession)).body.name).toBe('after rename');
    // After closing, the stored name is the new one.
    await ctx.bridge.api.post(`/api/cli-sessions/${key}/close`, undefined, CliSession);
    await waitFor(async () => (await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession)).body.status === 'closed', 'closed');
    expect((await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession)).body.name).toBe('after rename');
    const closed = await ctx.bridge.api.post(`/api/cli-sessions/${key}/rename`, { name: 'again' }, ApiErrorBody);
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('session_closed');
  });

  it('refuses a name in use and a name tmux would misread, naming the field', async () => {
    const a = await create('rename-a');
    await create('rename-b');
    const taken = await ctx.bridge.api.post(`/api/cli-sessions/${a}/rename`, { name: 'rename-b' }, ApiErrorBody);
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('name_taken');
    for (const name of ['-t', 'a:b', 'x.y', '', 42]) {
      const bad = await ctx.bridge.api.post(`/api/cli-sessions/${a}/rename`, { name }, ApiErrorBody);
      expect(bad.status, String(name)).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('name');
    }
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${a}/rename`, { name: 'ok', extra: 1 }, ApiErrorBody)).status).toBe(400);
    expect((await ctx.bridge.api.post('/api/cli-sessions/s_nope/rename', { name: 'ok' }, ApiErrorBody)).status).toBe(404);
    expect((await ctx.tmux.tmux('list-sessions', '-F', '#{session_name}')).split('\n')).toContain('rename-a');
  });
});
