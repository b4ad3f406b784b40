/**
 * Acceptance: hostile output. Malformed SENTRY JSON, binary garbage and 1 MB lines
 * in a watched pane neither crash nor stall the engine: the lines after them are
 * still evaluated, other panes keep being served, the API answers.
 */
import { describe, expect, it } from 'vitest';
import { newPane, useAgentBridge, waitForStage, waitForWatching } from '../helpers/agent.ts';
import { PaneList, StageHistoryList } from '../../schemas/index.ts';

const ctx = useAgentBridge(({ tmux }) => ({
  hosts: `approval_dir: {APPROVALS}
notify: stdout
hosts:
  - name: local
    tmux: {socket: ${tmux.socketName}}
`,
  policy: `pipelines:
  - name: hostile
    match: {any_of: [{window_name: "^hostile$"}]}
    stages:
      - name: survive
        success_when: {any_of: [{message_type: AFTER_GARBAGE}]}
        fail_when: {any_of: [{message_type: BROKEN}, {log_regex: "^x{70000}"}]}
  - name: neighbour
    match: {any_of: [{window_name: "^calm$"}]}
    stages:
      - name: ping
        success_when: {any_of: [{log_regex: "^PONG$"}]}
`,
}));

describe('hostile pane output', () => {
  it('malformed SENTRY JSON, binary garbage and 1 MB lines neither crash nor stall the engine', async () => {
    const script = [
      'read -r _',
      `echo '### SENTRY {"type": "BROKEN", oops'`,
      `echo '{"type": "BROKEN", "nested": [[[[[[[[[[ '`,
      `printf '### SENTRY %s\\n' "$(head -c 200000 /dev/zero | tr '\\0' '[')"`,
      'head -c 300000 /dev/urandom',
      "printf '\\n'",
      // 1 MB on one line, twice (plain, then a JSON-looking one).
      "head -c 1048576 /dev/zero | tr '\\0' x; printf '\\n'",
      `printf '{"type":"BROKEN","pad":"'; head -c 1048576 /dev/zero | tr '\\0' y; printf '"\\n'`,
      // An escape string that never ends, and a reset of the terminal.
      "printf '\\033]0;never terminated'; printf '\\n\\033c'",
      `echo '### SENTRY {"type":"AFTER_GARBAGE"}'`,
      'sleep 600',
    ].join('; ');
    const hostile = await newPane(ctx.tmux, 'hostile', 'hostile', `bash -c '${script.replace(/'/g, `'\\''`)}'`);
    const calm = await newPane(ctx.tmux, 'calm', 'calm', 'bash --norc --noprofile');
    await waitForWatching(ctx.api, hostile);
    await waitForWatching(ctx.api, calm);
    await ctx.tmux.tmux('send-keys', '-t', hostile, 'Enter');

    const done = await waitForStage(ctx.api, 'hostile', hostile, 'survive', 'COMPLETED', 60_000);
    expect(done.retries).toBe(0);
    const { body: history } = await ctx.api.get(`/api/stage-history?host=local&paneId=${encodeURIComponent(hostile)}`, StageHistoryList);
    expect(history.history.map((h: any) => h.to)).not.toContain('FAILED');

    // The other pane is still served promptly, and the server answers.
    await ctx.tmux.tmux('send-keys', '-t', calm, '-l', 'echo PONG');
    await ctx.tmux.tmux('send-keys', '-t', calm, 'Enter');
    await waitForStage(ctx.api, 'neighbour', calm, 'ping', 'COMPLETED');
    expect((await fetch(new URL('/healthz', ctx.agent.bridge.url))).status).toBe(200);

    // Long lines are kept bounded on the board.
    const { body: panes } = await ctx.api.get('/api/panes', PaneList);
    const shown = panes.panes.find((p: any) => p.paneId === hostile)!;
    expect(shown.lastLines.at(-1)).toBe('### SENTRY {"type":"AFTER_GARBAGE"}');
    expect(Math.max(...shown.lastLines.map((l: string) => l.length))).toBeLessThanOrEqual(2001);
    expect(shown.lastLines.some((l: string) => l.startsWith('xxxxxxxxxx'))).toBe(true);
  });
});
