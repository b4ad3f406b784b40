import express from 'express';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AuthGuard } from '../../server/http/auth.ts';
import { metricsHandler } from '../../server/ops/prometheus.ts';
import { useTestBridge } from '../helpers/bridge.ts';
import { parsePrometheus } from '../helpers/prometheus.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { CliSession } from '../../schemas/index.ts';

const METRICS_TOKEN = 'scrape-only-token-0123456789';
const ctx = useTestBridge({ metricsToken: METRICS_TOKEN });

async function scrape(token: string | undefined): Promise<Response> {
  return fetch(new URL('metrics', ctx.bridge.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe('GET /metrics', () => {
  it('serves the Prometheus text format with the bridge’s numbers', async () => {
    const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'metered', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir, tool: 'bash' }, CliSession);
    expect(status).toBe(201);
    const client = new TerminalClient(ctx.bridge.url, ctx.bridge.token, body.sessionKey);
    await client.ready();
    const input = 'echo metered-$((6*7))\r';
    client.send(input);
    await client.waitForText('metered-42');

    const response = await scrape(METRICS_TOKEN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheus(await response.text());

    expect(m.types.get('tmux_bridge_sessions')).toBe('gauge');
    expect(m.value('tmux_bridge_sessions', { status: 'running' })).toBeGreaterThanOrEqual(1);
    expect(m.value('tmux_bridge_sessions', { status: 'closed' })).toBe(0);
    expect(m.types.get('tmux_bridge_terminal_bytes_total')).toBe('counter');
    expect(m.value('tmux_bridge_terminal_bytes_total', { direction: 'in' })).toBe(Buffer.byteLength(input));
    expect(m.value('tmux_bridge_terminal_bytes_total', { direction: 'out' })).toBeGreaterThan('metered-42'.length);
    expect(m.value('tmux_bridge_terminal_viewers')).toBe(1);
    const roundTrip = m.value('tmux_bridge_tmux_roundtrip_seconds');
    expect(roundTrip).toBeGreaterThan(0);
    expect(roundTrip).toBeLessThan(5);
    expect(m.value('tmux_bridge_tmux_control_connected')).toBe(1);
    expect(m.value('tmux_bridge_store_journal_bytes')).toBeGreaterThan(0);
    expect(m.value('tmux_bridge_approvals_pending')).toBe(0);
    expect(m.value('tmux_bridge_notifications', { status: 'sent' })).toBe(0);
    expect(m.value('tmux_bridge_notifications', { status: 'failed' })).toBe(0);
    expect(m.value('tmux_bridge_agent_stages', { status: 'RUNNING' })).toBe(0);
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(m.types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');

    // Counters only grow; the viewer gauge follows the sockets.
    await client.close();
    await ctx.bridge.bridge.store.snapshot();
    const again = parsePrometheus(await (await scrape(ctx.bridge.token)).text());
    expect(again.value('tmux_bridge_terminal_bytes_total', { direction: 'in' })).toBe(Buffer.byteLength(input));
    expect(again.value('tmux_bridge_terminal_viewers')).toBe(0);
    const age = again.value('tmux_bridge_store_last_snapshot_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
  });

  it('needs a token', async () => {
    expect((await scrape(undefined)).status).toBe(401);
    expect((await scrape('wrong-token-wrong-token')).status).toBe(401);
  });

  it('is off unless enabled', async () => {
    const app = express();
    app.get('/metrics', metricsHandler(() => undefined, { enabled: false, token: 'x'.repeat(20), auth: new AuthGuard({ token: 'x'.repeat(20), allowOrigins: [], listenHost: '127.0.0.1', port: () => 0 }) }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, { headers: { authorization: `Bearer ${'x'.repeat(20)}` } });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('--metrics');
    } finally {
      server.close();
    }
  });
});
