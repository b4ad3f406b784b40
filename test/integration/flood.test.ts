import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useBridgeProcess } from '../helpers/bridge.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { waitFor } from '../helpers/tmux.ts';
import { CliSession } from '../../schemas/index.ts';

const ctx = useBridgeProcess();

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

describe('a flood with a client that reads nothing', () => {
  it('keeps server memory bounded and the other client served', async () => {
    const { body: s } = await ctx.server.api.post('/api/cli-sessions', { name: 'flood', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);

    // A client that stops reading its socket right after the upgrade.
    const stalled = new WebSocket(new URL(`ws/terminal/${s.sessionKey}`, ctx.server.url.replace(/^http/, 'ws')), {
      headers: { authorization: `Bearer ${ctx.server.token}` },
    });
    await new Promise<void>((resolve) => stalled.once('open', () => resolve()));
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();

    const normal = new TerminalClient(ctx.server.url, ctx.server.token, s.sessionKey, { retain: 'tail' });
    await normal.ready();
    const baseline = rssMiB(ctx.server.pid!);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(ctx.server.pid!))), 200);
    try {
      normal.send('timeout 10 yes; echo flood-$((1+1))-over\r');
      await normal.waitForText('flood-2-over', 40_000);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    // Generous bound: without flow control the stalled client alone would hold
    // the whole flood (hundreds of MB). Exact figures live in `npm run bench`.
    expect(growth).toBeLessThan(150);
    // The normal client saw the flood itself, not just the end marker.
    expect(normal.position - normal.hello!.offset).toBeGreaterThan(10 * 1024 * 1024);
    await waitFor(async () => (await ctx.server.api.get(`/api/cli-sessions/${s.sessionKey}`, CliSession)).body.status === 'running', 'session alive');
    stalled.terminate();
    await normal.close();
  }, 90_000);
});
