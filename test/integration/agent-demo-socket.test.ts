/**
 * The README's agent demo on a socket other than tmux-bridge: the bridge runs with
 * `--socket <private>` on examples/hosts.yaml (`socket: bridge`) and
 * examples/policy.yaml, `examples/ci-demo.sh --tmux` follows TMUX_BRIDGE_SOCKET, and
 * the demo's pane is watched (its lint stage completes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CI_DEMO, ROOT, useAgentBridge, waitForStage } from '../helpers/agent.ts';
import { AgentConfigView } from '../../schemas/index.ts';

const ctx = useAgentBridge(() => ({
  // The example as shipped, but its approvals in a temp dir instead of the user's home.
  hosts: readFileSync(join(ROOT, 'examples', 'hosts.yaml'), 'utf8').replace(/^approval_dir: .*$/m, 'approval_dir: {APPROVALS}'),
  policy: readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8'),
}));

describe('the agent demo with any --socket', () => {
  it('watches the pane ci-demo.sh --tmux opens on the bridge\'s own server', async () => {
    expect(ctx.tmux.socketName).not.toBe('tmux-bridge');
    // The example's host is the bridge's own server (not a server named "bridge").
    const { body: config } = await ctx.api.get('/api/agent/config', AgentConfigView);
    expect(config.hosts.map((h: any) => `${h.name}:${h.kind}:${h.socket}`)).toEqual([`local:bridge:${ctx.tmux.socketName}`]);
    const env: Record<string, string | undefined> = { ...process.env, TMUX_BRIDGE_SOCKET: ctx.tmux.socketName };
    delete env.TMUX;
    delete env.TMUX_PANE;
    const started = await execa('bash', [CI_DEMO, '--tmux'], { env, extendEnv: false, timeout: 30_000 });
    expect(started.stdout).toContain(`tmux -L ${ctx.tmux.socketName} attach -t demo-ci`);
    const paneId = (await ctx.tmux.tmux('list-panes', '-t', '=demo-ci', '-F', '#{pane_id}')).trim();
    expect(paneId).toMatch(/^%\d+$/);
    await waitForStage(ctx.api, 'ci', paneId, 'lint', 'COMPLETED', 60_000);
  });
});
