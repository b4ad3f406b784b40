import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultAgentConfig, formatIssue, loadAgentConfig, parseAgentConfig } from '../../server/agent/config/index.ts';
import type { AgentConfig, ConfigIssue, LoadResult } from '../../server/agent/config/index.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/agent');
const dir = mkdtempSync(join(tmpdir(), 'tb-agent-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ok(result: LoadResult): { config: AgentConfig; warnings: readonly ConfigIssue[] } {
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.errors.map(formatIssue).join('\n')}`);
  return result;
}

function errors(result: LoadResult): readonly ConfigIssue[] {
  if (result.ok) throw new Error('expected errors, the config loaded');
  return result.errors;
}

const hosts = (text: string) => parseAgentConfig({ hosts: { file: 'hosts.yaml', text } }, { homeDir: '/home/u' });
const policy = (text: string) => parseAgentConfig({ policy: { file: 'policy.yaml', text } }, { homeDir: '/home/u' });

describe('loadAgentConfig: the compat example files', () => {
  it('loads hosts.yaml and policy.yaml from the compat document unchanged, without warnings', async () => {
    const { config, warnings } = ok(
      await loadAgentConfig({ hostsPath: join(FIXTURES, 'hosts.yaml'), policyPath: join(FIXTURES, 'policy.yaml'), homeDir: '/home/u' }),
    );
    expect(warnings).toEqual([]);
    expect(config.pollIntervalMs).toBe(1500);
    expect(config.tmuxBin).toBe('tmux');
    expect(config.sqlitePath).toBe('/home/u/.tmux_agent/state.db');
    expect(config.approvalDir).toBe('/home/u/.tmux_agent/approvals');
    expect(config.notify).toEqual(['stdout']);

    const [nas, local] = config.hosts;
    expect(nas?.name).toBe('nas');
    expect(nas?.ssh).toEqual({ host: '10.0.0.5', port: 22, user: 'ops', key: '~/.ssh/id_ed25519', timeoutSec: 30, knownHosts: null, acceptNewHostKey: false, live: true });
    expect(nas?.tmux).toMatchObject({ socket: 'default', captureLines: 2000, pollIntervalMs: 1500 });
    expect(nas?.sessionFilters.map((r) => r.test('proj:web'))).toEqual([true]);
    expect(nas?.paneNamePatterns.some((r) => r.test('claude code'))).toBe(true);
    expect(local).toMatchObject({ name: 'local', ssh: null, tmux: { socket: 'default' } });

    expect(config.policy.principles).toEqual(['free text shown to humans']);
    const ci = config.policy.pipelines[0]!;
    expect(ci.name).toBe('ci');
    expect(ci.stages.map((s) => s.name)).toEqual(['lint', 'build']);
    const lint = ci.stages[0]!;
    // (?i) was translated, not rejected.
    expect(lint.triggers?.anyOf[0]?.logRegex?.test('START LINT please')).toBe(true);
    expect(lint.actionsOnStart).toEqual([{ kind: 'send_keys', command: 'npm run lint' }]);
    expect(lint.successWhen?.anyOf[1]?.messageType).toBe('STATUS');
    expect(lint.onFail).toEqual({ retryMax: 1, askHuman: 'lint keeps failing', escalate: null });
    const build = ci.stages[1]!;
    expect(build.requireApproval).toBe(true);
    expect(build.triggers?.anyOf[0]?.afterStageSuccess).toBe('lint');
    expect(build.onStartNotify).toEqual({ title: 'build', body: 'started' });
    expect(config.sources.hostsPath).toContain('hosts.yaml');
  });
});

describe('hosts.yaml', () => {
  it('normalizes the old flat host layout into ssh/tmux blocks', () => {
    const { config, warnings } = ok(
      hosts(`hosts:
  - name: old
    host: 10.0.0.9
    port: "2222"
    user: ops
    key_path: ~/.ssh/k
    socket: work
    session_filters: ["(?i)^proj"]
    pane_name_patterns: ["^codex"]
    capture_lines: 500
`),
    );
    expect(warnings).toEqual([]);
    const host = config.hosts[0]!;
    expect(host.ssh).toEqual({ host: '10.0.0.9', port: 2222, user: 'ops', key: '~/.ssh/k', timeoutSec: 30, knownHosts: null, acceptNewHostKey: false, live: true });
    expect(host.tmux).toMatchObject({ socket: 'work', captureLines: 500, sessionFilters: ['(?i)^proj'] });
    expect(host.sessionFilters[0]?.test('PROJ:web')).toBe(true);
  });

  it('points errors in a flat host at the key as written in the file', () => {
    const [issue] = errors(hosts('hosts:\n  - name: old\n    host: h\n    capture_lines: 0\n'));
    expect(issue).toMatchObject({ file: 'hosts.yaml', line: 4, column: 5, path: 'hosts[0].capture_lines' });
    expect(issue?.message).toMatch(/at least 1/);
  });

  it('gives one local host on the default socket for an empty hosts list, and reads notify lists', () => {
    const { config } = ok(hosts('hosts: []\nnotify_channel: "stdout, wecom"\n'));
    expect(config.hosts.map((h) => [h.name, h.tmux.socket, h.ssh])).toEqual([['local', 'default', null]]);
    expect(config.notify).toEqual(['stdout', 'wecom']);
    expect(ok(hosts('notify: [serverchan, webhook]\n')).config.notify).toEqual(['serverchan', 'webhook']);
  });

  it('reads socket: bridge as the bridge\'s own --socket on a local host, and refuses it on an ssh host', async () => {
    const text = 'hosts:\n  - name: local\n    tmux: {socket: bridge}\n  - name: other\n    tmux: {socket: default}\n';
    const sockets = (socketName?: string) => ok(parseAgentConfig({ hosts: { file: 'hosts.yaml', text } }, { homeDir: '/home/u', socketName })).config.hosts.map((h) => h.tmux.socket);
    expect(sockets('tb-work')).toEqual(['tb-work', 'default']);
    expect(sockets()).toEqual(['tmux-bridge', 'default']);
    const [issue] = errors(hosts('hosts:\n  - name: nas\n    ssh: {host: h}\n    tmux: {socket: bridge}\n'));
    expect(issue).toMatchObject({ line: 4, path: 'hosts[0].tmux.socket' });
    expect(issue?.message).toMatch(/bridge's own tmux server/);
    // The example hosts.yaml follows whatever --socket the bridge runs with.
    const example = ok(await loadAgentConfig({ hostsPath: join(import.meta.dirname, '../../examples/hosts.yaml'), socketName: 'tb-any', homeDir: '/home/u' }));
    expect(example.config.hosts.map((h) => [h.name, h.tmux.socket])).toEqual([['local', 'tb-any']]);
  });

  it('warns about (and skips) notification channels it does not support', () => {
    const { config, warnings } = ok(hosts('notify: stdout,wecom_app\n'));
    expect(config.notify).toEqual(['stdout']);
    expect(warnings[0]).toMatchObject({ path: 'notify', line: 1 });
    expect(warnings[0]?.message).toMatch(/"wecom_app" is not supported/);
  });

  it('rejects a poll interval below 100 ms with file, line and path', () => {
    const [issue] = errors(hosts('tmux_bin: tmux\npoll_interval_ms: 50\n'));
    expect(formatIssue(issue!)).toMatch(/^hosts\.yaml:2:1: poll_interval_ms: must be at least 100/);
  });

  it('reads the bridge extension block', () => {
    const { config } = ok(
      hosts(`bridge:
  base_url: http://127.0.0.1:7690/
  approval_ttl_hours: 2
  webhook_url: http://127.0.0.1:9/hook
  notify_endpoints: {serverchan: "http://127.0.0.1:9/sc"}
  notify_retry: {attempts: 3, base_delay_ms: 10}
`),
    );
    expect(config.bridge).toMatchObject({
      baseUrl: 'http://127.0.0.1:7690',
      approvalTtlMs: 7_200_000,
      webhookUrls: ['http://127.0.0.1:9/hook'],
      serverchanBaseUrl: 'http://127.0.0.1:9/sc',
      notifyRetry: { attempts: 3, baseDelayMs: 10, timeoutMs: 5000 },
    });
  });

  it('warns that an ssh password is never used', () => {
    const { warnings } = ok(hosts('hosts:\n  - name: r\n    ssh: {host: h, password: secret}\n'));
    expect(warnings[0]).toMatchObject({ path: 'hosts[0].ssh.password', line: 3 });
    expect(warnings[0]?.message).toMatch(/BatchMode=yes/);
  });

  it('refuses a file that is a list rather than a mapping', () => {
    expect(errors(hosts('- a\n- b\n'))[0]?.message).toMatch(/must be a mapping/);
  });
});

describe('policy.yaml', () => {
  it('reports a YAML syntax error with file:line', () => {
    const [issue] = errors(policy('pipelines:\n  - name: ci\n    stages: [\n      {name: a\n'));
    expect(issue?.file).toBe('policy.yaml');
    expect(issue?.line).toBeGreaterThanOrEqual(3);
    expect(issue?.message).toMatch(/^YAML syntax error/);
  });

  it('reports a bad value with its path and line', () => {
    const text = `pipelines:
  - name: ci
    stages:
      - name: lint
      - name: build
        triggers: {any_of: [{after_stage_success: lint}]}
        require_approval: maybe
`;
    const [issue] = errors(policy(text));
    expect(issue).toMatchObject({ file: 'policy.yaml', line: 7, column: 9, path: 'pipelines[0].stages[1].require_approval' });
    expect(issue?.message).toMatch(/true or false/);
  });

  it('reports an invalid regex with its path and line', () => {
    const [issue] = errors(policy('pipelines:\n  - name: ci\n    stages:\n      - name: a\n        success_when: {any_of: [{log_regex: "(oops"}]}\n'));
    expect(issue).toMatchObject({ line: 5, path: 'pipelines[0].stages[0].success_when.any_of[0].log_regex' });
    expect(issue?.message).toMatch(/invalid regex "\(oops"/);
  });

  it('reports a missing stage name and an unknown after_stage_success target', () => {
    const list = errors(
      policy('pipelines:\n  - name: ci\n    stages:\n      - triggers: {any_of: [{log_regex: go}]}\n      - name: b\n        triggers: {any_of: [{after_stage_success: lnt}]}\n'),
    );
    expect(list.map((e) => e.path)).toEqual(['pipelines[0].stages[0].name']);
    const second = errors(policy('pipelines:\n  - name: ci\n    stages:\n      - name: a\n      - name: b\n        triggers: {any_of: [{after_stage_success: lnt}]}\n'));
    expect(second[0]).toMatchObject({ line: 6, path: 'pipelines[0].stages[1].triggers.any_of[0].after_stage_success' });
    expect(second[0]?.message).toMatch(/"lnt" is not a stage of this pipeline \(stages: a, b\)/);
  });

  it('warns about unknown keys (with a hint) and keeps them out', () => {
    const { config, warnings } = ok(
      policy('colour: red\npipelines:\n  - name: ci\n    stages:\n      - name: a\n        trigers: {any_of: [{log_regex: go}]}\n'),
    );
    expect(warnings.map((w) => [w.path, w.line])).toEqual([
      ['colour', 1],
      ['pipelines[0].stages[0].trigers', 6],
    ]);
    expect(warnings[1]?.message).toMatch(/did you mean "triggers"/);
    expect(config.policy.pipelines[0]?.stages[0]?.triggers).toBeNull();
  });

  it('reads group keys other than any_of/all_of as any_of, as tmuxagent did, with a warning', () => {
    const { config, warnings } = ok(
      policy('pipelines:\n  - name: ci\n    stages:\n      - name: a\n        triggers: {one_of: [{log_regex: go}]}\n        fail_when: [{log_regex: bad}]\n'),
    );
    const stage = config.policy.pipelines[0]!.stages[0]!;
    expect(stage.triggers?.anyOf[0]?.logRegex?.source).toBe('go');
    expect(stage.failWhen?.anyOf[0]?.logRegex?.source).toBe('bad');
    expect(warnings.map((w) => w.path)).toEqual(['pipelines[0].stages[0].triggers.one_of', 'pipelines[0].stages[0].fail_when']);
  });

  it('folds on_fail entries the way tmuxagent did', () => {
    const { config } = ok(
      policy(`pipelines:
  - name: ci
    stages:
      - name: a
        on_fail: [{retry: {max: 2}}, {escalate: E1}, {if_still_fail: {escalate: E2}}]
      - name: b
        on_fail: [{ask_human: "help"}]
`),
    );
    const [a, b] = config.policy.pipelines[0]!.stages;
    expect(a?.onFail).toEqual({ retryMax: 2, askHuman: null, escalate: 'E2' });
    expect(b?.onFail).toEqual({ retryMax: 0, askHuman: 'help', escalate: null });
  });

  it('reads YAML 1.1 booleans as PyYAML did, without turning y/n into booleans', () => {
    const { config } = ok(policy('pipelines:\n  - name: ci\n    stages:\n      - name: y\n        require_approval: yes\n'));
    expect(config.policy.pipelines[0]?.stages[0]).toMatchObject({ name: 'y', requireApproval: true });
  });

  it('rejects duplicate pipeline and stage names', () => {
    const list = errors(policy('pipelines:\n  - name: ci\n    stages: [{name: a}, {name: a}]\n  - name: ci\n    stages: [{name: b}]\n'));
    expect(list.map((e) => e.path).sort()).toEqual(['pipelines[0].stages[1].name', 'pipelines[1].name']);
  });
});

describe('defaults and files', () => {
  it('with no files: one local host on the bridge socket and no pipelines', async () => {
    const { config } = ok(await loadAgentConfig({ socketName: 'tb-demo' }));
    expect(config.hosts).toHaveLength(1);
    expect(config.hosts[0]).toMatchObject({ name: 'local', ssh: null, tmux: { socket: 'tb-demo' } });
    expect(config.policy.pipelines).toEqual([]);
    expect(defaultAgentConfig('x').hosts[0]?.tmux.socket).toBe('x');
  });

  it('a missing file is an error naming the file', async () => {
    const result = await loadAgentConfig({ policyPath: join(dir, 'nope.yaml') });
    expect(errors(result)[0]).toMatchObject({ file: join(dir, 'nope.yaml'), line: 0 });
    expect(formatIssue(errors(result)[0]!)).toMatch(/nope\.yaml: does not exist/);
  });

  it('an empty policy file means no pipelines; the hash changes with the content', async () => {
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');
    const first = ok(await loadAgentConfig({ policyPath: file })).config;
    expect(first.policy.pipelines).toEqual([]);
    writeFileSync(file, 'principles: [x]\n');
    const second = ok(await loadAgentConfig({ policyPath: file })).config;
    expect(second.hash).not.toBe(first.hash);
  });
});
