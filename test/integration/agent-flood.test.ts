/**
 * Acceptance: 20,000 lines printed at once — far faster than tmuxagent polled, and
 * far beyond the pane's history limit — every marker in them is evaluated exactly
 * once. Each `MARK n` line counts one retry of a stage, so the retry count and the
 * stored history say how often each marker was seen.
 */
import { describe, expect, it } from 'vitest';
import { newPane, useAgentBridge, waitForStage, waitForWatching } from '../helpers/agent.ts';
import { StageHistoryList } from '../../schemas/index.ts';

const LINES = 20_000;
const EVERY = 100;
const MARKERS = LINES / EVERY;

const ctx = useAgentBridge(({ tmux }) => ({
  hosts: `approval_dir: {APPROVALS}
notify: stdout
hosts:
  - name: local
    tmux: {socket: ${tmux.socketName}, pane_name_patterns: ["^flood"]}
`,
  policy: `pipelines:
  - name: flood
    stages:
      - name: count
        success_when: {any_of: [{log_regex: "^FLOOD-END$"}]}
        fail_when: {any_of: [{log_regex: "^MARK \\\\d+$"}]}
        on_fail: [{retry: {max: 1000}}]
`,
  // The smallest history the bridge allows: 20,000 lines are 200 times more.
  bridge: { historyLimit: 100 },
}));

describe('a flood of output', () => {
  it(`${LINES} lines beyond the history limit: each of the ${MARKERS} markers is evaluated exactly once`, async () => {
    // The script waits for a key, then prints everything in one go (colours and a \\r progress line included).
    const script =
      `read -r _; awk 'BEGIN { for (i = 1; i <= ${LINES}; i++) { ` +
      `if (i % ${EVERY} == 0) printf "MARK %d\\n", i; ` +
      `else if (i % 7 == 0) printf "\\033[32mline %d\\033[0m progress 50%%\\rline %d progress 100%%\\n", i, i; ` +
      `else printf "line %d of the flood, some text to make it longer\\n", i } ` +
      `print "FLOOD-END" }'; sleep 600`;
    const paneId = await newPane(ctx.tmux, 'flood', 'flood', `bash -c '${script.replace(/'/g, `'\\''`)}'`);
    await waitForStage(ctx.api, 'flood', paneId, 'count', 'RUNNING');
    await waitForWatching(ctx.api, paneId);
    expect((await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{history_limit}')).trim()).toBe('100');
    await ctx.tmux.tmux('send-keys', '-t', paneId, 'Enter');

    const done = await waitForStage(ctx.api, 'flood', paneId, 'count', 'COMPLETED', 60_000);
    expect(done.retries).toBe(MARKERS);
    // tmux itself kept only the last lines.
    const kept = (await ctx.tmux.capture(paneId, '-S', '-')).split('\n').filter((line) => line.startsWith('line ') || line.startsWith('MARK'));
    expect(kept.length).toBeLessThan(200);

    const { body } = await ctx.api.get(`/api/stage-history?host=local&paneId=${encodeURIComponent(paneId)}&pipeline=flood&limit=1000`, StageHistoryList);
    const retries = body.history.filter((h: any) => h.from === 'RUNNING' && h.to === 'RUNNING');
    const seen = retries.map((h: any) => /on line "(MARK \d+)"/.exec(h.reason)?.[1]).sort();
    const expected = Array.from({ length: MARKERS }, (_, i) => `MARK ${(i + 1) * EVERY}`).sort();
    expect(seen).toEqual(expected);
    expect(body.history.filter((h: any) => h.to === 'COMPLETED')).toHaveLength(1);
  }, 90_000);
});
