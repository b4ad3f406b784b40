import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useTestBridge } from '../helpers/bridge.ts';
import { TerminalClient, waitUntil } from '../helpers/terminal-client.ts';
import { waitFor } from '../helpers/tmux.ts';
import { CliSession } from '../../schemas/index.ts';

const ctx = useTestBridge();

const PANES = 50;
const COUNT = 20_000;

describe('many panes at once', () => {
  it('50 panes printing at once each deliver every byte to their own subscriber', async () => {
    const sessions: Array<{ key: string; paneId: string }> = [];
    for (let i = 0; i < PANES; i++) {
      const { body } = await ctx.bridge.api.post('/api/cli-sessions', { name: `many-${i}`, shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir, cols: 80, rows: 24 }, CliSession);
      sessions.push({ key: body.sessionKey, paneId: body.tmux.paneId });
    }
    const clients = await Promise.all(
      sessions.map(async ({ key }) => {
        const client = new TerminalClient(ctx.bridge.url, ctx.bridge.token, key);
        await client.ready();
        return client;
      }),
    );

    // 50 quiet FIFOs are open now. Were they read through the libuv threadpool
    // (4 threads), every fs call in this process would hang here.
    for (let i = 0; i < 8; i++) await stat(ctx.tmux.dir);

    clients.forEach((client) => client.send(`seq 1 ${COUNT}; echo seq-$((1+1))-done\r`));
    await Promise.all(clients.map((client) => client.waitForText('seq-2-done\r\n', 60_000)));

    const expected = Array.from({ length: COUNT }, (_, i) => String(i + 1)).join('\r\n') + '\r\n';
    for (const client of clients) {
      // Every line of every pane, in order, with nothing missing or doubled.
      expect(client.text.includes(expected)).toBe(true);
      expect(client.text.split('\r\n20000\r\n').length).toBe(2);
    }
    await Promise.all(clients.map((c) => c.close()));
    await waitUntil(() => clients.every((c) => c.closed !== undefined), 'clients closed');
  });
});
