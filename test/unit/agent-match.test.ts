import { describe, expect, it } from 'vitest';
import { formatIssue, parseAgentConfig, type CompiledPolicy } from '../../server/agent/config/index.ts';
import { hostWatchesPane, pipelineMatchesPane, pipelinesForPane } from '../../server/agent/policy/match.ts';

function compile(text: string): CompiledPolicy {
  const result = parseAgentConfig({ policy: { file: 'policy.yaml', text } });
  if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
  return result.config.policy;
}

describe('which panes: host filters and pipeline match', () => {
  const pane = (sessionName: string, windowName: string, paneTitle: string) => ({ sessionName, windowName, paneTitle });

  it('matches pipelines with any_of, all_of, several keys in one condition, and no match at all', () => {
    const policy = compile(`pipelines:
  - name: any
    match: {any_of: [{window_name: "^agent:ci$"}, {pane_title: "(?i)^ci"}]}
    stages: [{name: s}]
  - name: both
    match: {any_of: [{session_name: "^demo", window_name: "^build$"}]}
    stages: [{name: s}]
  - name: all
    match: {all_of: [{session_name: "^demo"}, {pane_title: "x"}]}
    stages: [{name: s}]
  - name: everything
    stages: [{name: s}]
`);
    const [any, both, all] = policy.pipelines;
    expect(pipelineMatchesPane(any!, pane('s', 'agent:ci', 'bash'))).toBe(true);
    expect(pipelineMatchesPane(any!, pane('s', 'other', 'CI runner'))).toBe(true);
    expect(pipelineMatchesPane(any!, pane('s', 'other', 'bash'))).toBe(false);
    expect(pipelineMatchesPane(both!, pane('demo1', 'build', ''))).toBe(true);
    expect(pipelineMatchesPane(both!, pane('prod', 'build', ''))).toBe(false);
    expect(pipelineMatchesPane(all!, pane('demo', 'w', 'x'))).toBe(true);
    expect(pipelineMatchesPane(all!, pane('demo', 'w', 'y'))).toBe(false);
    expect(pipelinesForPane(policy, pane('z', 'z', 'z')).map((p) => p.name)).toEqual(['everything']);
  });

  it('watches panes by session_filters and pane_name_patterns (title or window name)', () => {
    const result = parseAgentConfig({
      hosts: { file: 'hosts.yaml', text: 'hosts:\n  - name: l\n    tmux: {session_filters: ["^proj:web$", "^demo"], pane_name_patterns: ["^codex", "^ci$"]}\n  - name: all\n' },
    });
    if (!result.ok) throw new Error('hosts should load');
    const [filtered, open] = result.config.hosts;
    expect(hostWatchesPane(filtered!, pane('demo-1', 'ci', 'bash'))).toBe(true);
    expect(hostWatchesPane(filtered!, pane('proj:web', 'w', 'codex agent'))).toBe(true);
    expect(hostWatchesPane(filtered!, pane('other', 'ci', 'codex'))).toBe(false);
    expect(hostWatchesPane(filtered!, pane('demo', 'editor', 'vim'))).toBe(false);
    expect(hostWatchesPane(open!, pane('anything', 'at', 'all'))).toBe(true);
  });
});
