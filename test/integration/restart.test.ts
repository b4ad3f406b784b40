import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeProcess } from '../helpers/bridge.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';

let tmux: TestTmux;
let dataDir: string;
let server: BridgeProcess;

beforeAll(async () => {
  tmux = new TestTmux();
  dataDir = mkdtempSync(join(tmpdir(), 'tb-restart-'));
  server = new BridgeProcess(tmux, dataDir);
  await server.start();
});

afterAll(async () => {
  await server?.stop();
  await tmux?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('server restarts', () => {
  it('sessions survive SIGKILL and are listed, streamable and writable after restart', async () => {
    const created: any[] = [];
    for (const name of ['keep-a', 'keep-b']) {
      const { status, body } = await server.api('POST', '/api/cli-sessions', { name, shell: 'bash --norc --noprofile -i', workingDir: tmux.dir, tool: 'bash' });
      expect(status).toBe(201);
      created.push(body);
    }
    const [a] = created;
    const client = new TerminalClient(server.url, server.token, a.sessionKey);
    await client.ready();
    client.send('echo before-crash-$((3*3))\r');
    await client.waitForText('before-crash-9');
    const { position, hello } = client;

    await server.kill9();
    await waitFor(() => client.closed !== undefined, 'socket dropped');
    const panes = await tmux.listPanes();
    for (const s of created) expect(panes).toContain(`${s.name} ${s.tmux.paneId}`);

    // Output while no server runs: not in any stream, but on the screen.
    await tmux.tmux('send-keys', '-t', a.tmux.paneId, 'echo while-down-$((5*5))', 'Enter');
    await waitFor(async () => (await tmux.capture(a.tmux.paneId)).includes('while-down-25'), 'output while down');

    await server.start();
    const { body: list } = await server.api('GET', '/api/cli-sessions');
    for (const s of created) {
      const found = list.sessions.find((x: any) => x.sessionKey === s.sessionKey);
      expect(found).toMatchObject({ name: s.name, status: 'running', adopted: false, tmux: { paneId: s.tmux.paneId } });
    }

    // An old position from the previous run gets a fresh screen, never wrong bytes.
    const again = new TerminalClient(server.url, server.token, a.sessionKey, { since: position, stream: hello!.stream });
    await again.ready();
    expect(again.hello!.snapshotBytes).toBeGreaterThan(0);
    expect(again.snapshot.toString()).toContain('while-down-25');
    again.send('echo after-restart-$((4*4))\r');
    await again.waitForText('after-restart-16');
    await again.close();
  });

  it('a graceful stop leaves sessions running too', async () => {
    const { body } = await server.api('POST', '/api/cli-sessions', { name: 'keep-c' });
    await server.stop();
    expect(await tmux.listPanes()).toContain(`keep-c ${body.tmux.paneId}`);
    await server.start();
    const got = await server.api('GET', `/api/cli-sessions/${body.sessionKey}`);
    expect(got.body.status).toBe('running');
  });
});
