import { describe, expect, it } from 'vitest';
import { useBridgeProcess } from '../helpers/bridge.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { waitFor } from '../helpers/tmux.ts';
import { CliSession, SessionList } from '../../schemas/index.ts';

const ctx = useBridgeProcess();

describe('server restarts', () => {
  it('sessions survive SIGKILL and are listed, streamable and writable after restart', async () => {
    const created: any[] = [];
    for (const name of ['keep-a', 'keep-b']) {
      const { status, body } = await ctx.server.api.post('/api/cli-sessions', { name, shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir, tool: 'bash' }, CliSession);
      expect(status).toBe(201);
      created.push(body);
    }
    const [a] = created;
    const client = new TerminalClient(ctx.server.url, ctx.server.token, a.sessionKey);
    await client.ready();
    client.send('echo before-crash-$((3*3))\r');
    await client.waitForText('before-crash-9');
    const { position, hello } = client;

    await ctx.server.kill9();
    await waitFor(() => client.closed !== undefined, 'socket dropped');
    const panes = await ctx.tmux.listPanes();
    for (const s of created) expect(panes).toContain(`${s.name} ${s.tmux.paneId}`);

    // Output while no server runs: not in any stream, but on the screen.
    await ctx.tmux.tmux('send-keys', '-t', a.tmux.paneId, 'echo while-down-$((5*5))', 'Enter');
    await waitFor(async () => (await ctx.tmux.capture(a.tmux.paneId)).includes('while-down-25'), 'output while down');

    await ctx.server.start();
    const { body: list } = await ctx.server.api.get('/api/cli-sessions', SessionList);
    for (const s of created) {
      const found = list.sessions.find((x: any) => x.sessionKey === s.sessionKey);
      expect(found).toMatchObject({ name: s.name, status: 'running', adopted: false, tmux: { paneId: s.tmux.paneId } });
    }

    // An old position from the previous run gets a fresh screen, never wrong bytes.
    const again = new TerminalClient(ctx.server.url, ctx.server.token, a.sessionKey, { since: position, stream: hello!.stream });
    await again.ready();
    expect(again.hello!.snapshotBytes).toBeGreaterThan(0);
    expect(again.snapshot.toString()).toContain('while-down-25');
    again.send('echo after-restart-$((4*4))\r');
    await again.waitForText('after-restart-16');
    await again.close();
  });

  it('a graceful stop leaves sessions running too', async () => {
    const { body } = await ctx.server.api.post('/api/cli-sessions', { name: 'keep-c' }, CliSession);
    await ctx.server.stop();
    expect(await ctx.tmux.listPanes()).toContain(`keep-c ${body.tmux.paneId}`);
    await ctx.server.start();
    const got = await ctx.server.api.get(`/api/cli-sessions/${body.sessionKey}`, CliSession);
    expect(got.body.status).toBe('running');
  });
});
