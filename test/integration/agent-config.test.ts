/**
 * Acceptance: config files.
 * - tmuxagent's own example files (test/fixtures/agent; the formats: docs/agent.md)
 *   load unchanged and run: the `local` host on the `default` socket and the `nas`
 *   host over ssh. TMUX_TMPDIR points "default" at a private server, and a fake ssh
 *   runs the remote commands here, so nothing of the user's tmux or network is used.
 * - A broken edit is reported with file:line:column and the key's path
 *   (CONFIG_ERROR); the previous config keeps running; a fixed edit is picked up live.
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, newPane, removeDir, startAgentBridge, waitForStage, waitForWatching, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { startTestBridge, makeApi } from '../helpers/bridge.ts';
import { FakeSsh } from '../helpers/fake-ssh.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { AgentConfigView, EventPage, Overview, PaneList, PipelineList } from '../../schemas/index.ts';

const saved = { PATH: process.env.PATH, TMUX_TMPDIR: process.env.TMUX_TMPDIR };
let tmux: TestTmux;
let ssh: FakeSsh;
let tmuxTmp: string;

/** tmux on the default socket — of the private TMUX_TMPDIR set below, never the user's. */
async function defaultTmux(...args: string[]): Promise<string> {
  if (!tmuxTmp || process.env.TMUX_TMPDIR !== tmuxTmp) throw new Error('TMUX_TMPDIR is not the private one: refusing to touch the default tmux server');
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return (await execa('tmux', ['-f', '/dev/null', ...args], { env, extendEnv: false })).stdout.trim();
}

beforeAll(() => {
  // "default" is the default server of a private TMUX_TMPDIR; `npm` in its panes is a stub.
  tmuxTmp = mkdtempSync(join(tmpdir(), 'tb-tmuxtmp-'));
  process.env.TMUX_TMPDIR = tmuxTmp;
  ssh = new FakeSsh();
  writeFileSync(join(ssh.dir, 'npm'), '#!/bin/sh\necho "lint: 0 problems"\n');
  chmodSync(join(ssh.dir, 'npm'), 0o755);
  process.env.PATH = ssh.path();
  tmux = new TestTmux();
});

afterAll(async () => {
  await tmux?.kill();
  // Only ever the private default server this file started.
  if (tmuxTmp && process.env.TMUX_TMPDIR === tmuxTmp) await defaultTmux('kill-server').catch(() => undefined);
  process.env.PATH = saved.PATH;
  if (saved.TMUX_TMPDIR === undefined) delete process.env.TMUX_TMPDIR;
  else process.env.TMUX_TMPDIR = saved.TMUX_TMPDIR;
  removeDir(ssh?.dir);
  removeDir(tmuxTmp);
});

describe("tmuxagent's example files, unchanged", () => {
  let agent: AgentBridge;
  const api = makeApi(() => agent.bridge);

  afterAll(async () => {
    await agent?.close();
  });

  it('load without warnings and run on the default server and over ssh', async () => {
    // A session on the (private) default server, its window named as the policy expects.
    const paneId = await defaultTmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-s', 'proj', '-n', 'agent:ci', '-x', '120', '-y', '30', 'bash --norc --noprofile');

    const fixtures = join(ROOT, 'test', 'fixtures', 'agent');
    const files: AgentFiles = { dir: fixtures, hostsPath: join(fixtures, 'hosts.yaml'), policyPath: join(fixtures, 'policy.yaml'), approvalDir: '' };
    agent = await startAgentBridge(tmux, files);
    const { body: config } = await api.get('/api/agent/config', AgentConfigView);
    expect(config.warnings).toEqual([]);
    expect(config.lastError).toBeNull();
    expect(config.hosts.map((h: any) => `${h.name}:${h.kind}:${h.socket}`)).toEqual(['nas:ssh:default', 'local:local:default']);
    expect(config.hosts[0]).toMatchObject({ sessionFilters: ['^proj:web$'], paneNamePatterns: ['^codex', '^claude'], captureLines: 2000, pollIntervalMs: 1500 });
    // Every condition and template, patterns as written (Python syntax, not the translation).
    const log = (logRegex: string) => ({ logRegex, messageType: null, afterStageSuccess: null });
    expect(config.pipelines).toEqual([
      {
        name: 'ci',
        match: {
          anyOf: [
            { windowName: '^agent:ci$', paneTitle: null, sessionName: null },
            { windowName: null, paneTitle: '^ci', sessionName: null },
          ],
          allOf: [],
        },
        stages: [
          {
            name: 'lint',
            requireApproval: false,
            maxRetries: 1,
            askHuman: 'lint keeps failing',
            escalate: null,
            actions: [{ kind: 'send_keys', command: 'npm run lint' }],
            triggers: { anyOf: [log('(?i)start lint')], allOf: [] },
            successWhen: { anyOf: [log('(?i)0 problems'), { logRegex: null, messageType: 'STATUS', afterStageSuccess: null }], allOf: [] },
            failWhen: { anyOf: [log('(?i)error')], allOf: [] },
            notify: { onStart: null, onSuccess: null, onFail: null },
          },
          {
            name: 'build',
            requireApproval: true,
            maxRetries: 0,
            askHuman: null,
            escalate: null,
            actions: [],
            triggers: { anyOf: [{ logRegex: null, messageType: null, afterStageSuccess: 'lint' }], allOf: [] },
            successWhen: null,
            failWhen: null,
            notify: { onStart: { title: 'build', body: 'started' }, onSuccess: null, onFail: null },
          },
        ],
      },
    ]);
    expect(config.principles).toEqual(['free text shown to humans']);
    expect(config.approvalDir).toBe(join(process.env.HOME!, '.tmux_agent', 'approvals'));

    // The local host (socket: default) watches the pane; `(?i)start lint` triggers lint,
    // whose send_keys runs the stub npm; build then waits for approval in ~/.tmux_agent/approvals.
    await waitForWatching(api, paneId);
    await defaultTmux('send-keys', '-t', paneId, '-l', 'echo Start Lint');
    await defaultTmux('send-keys', '-t', paneId, 'Enter');
    await waitForStage(api, 'ci', paneId, 'lint', 'COMPLETED');
    await waitForStage(api, 'ci', paneId, 'build', 'WAITING_APPROVAL');
    expect(await defaultTmux('capture-pane', '-p', '-t', paneId)).toMatch(/npm run lint\nlint: 0 problems/);
    const file = join(process.env.HOME!, '.tmux_agent', 'approvals', 'local', `${paneId.replace('%', 'pct')}__build.txt`);
    await waitFor(() => existsSync(file), 'the request file in the default approval_dir');

    // The nas host is reached over ssh with the example's settings: one master connection
    // (BatchMode, host keys checked, keep-alives) running tmux in control mode.
    await waitFor(() => ssh.calls().length > 0, 'an ssh call');
    const master = ssh.calls()[0]!;
    expect(master.slice(0, 2)).toEqual(['-o', 'BatchMode=yes']);
    for (const option of ['ConnectTimeout=30', 'StrictHostKeyChecking=yes', 'ServerAliveInterval=10', 'ControlMaster=yes']) expect(master).toContain(option);
    expect(master.join(' ')).toContain('-p 22 -i ~/.ssh/id_ed25519 -o IdentitiesOnly=yes');
    expect(master.at(-2)).toBe('ops@10.0.0.5');
    expect(master.at(-1)).toMatch(/^exec tmux -u -C new-session -A -s _tmux-bridge /);
    await waitFor(async () => (await api.get('/api/agent/config', AgentConfigView)).body.hosts[0]!.connection?.state === 'connected', 'the nas host to connect');
    expect((await api.get('/api/agent/config', AgentConfigView)).body.hosts[0]!.error).toBeNull();
  });
});

describe('live reload', () => {
  let agent: AgentBridge;
  let dir: string;
  const api = makeApi(() => agent.bridge);
  const policy = (pipeline: string, extra = '') => `pipelines:
  - name: ${pipeline}
    match: {any_of: [{window_name: "^reload$"}]}
    stages:
      - name: step
        success_when: {any_of: [{log_regex: "^STEP-DONE$"}]}
${extra}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tb-agent-reload-'));
    writeFileSync(join(dir, 'hosts.yaml'), `approval_dir: ${join(dir, 'approvals')}\nnotify: stdout\nhosts:\n  - name: local\n    tmux: {socket: ${tmux.socketName}}\n`);
    writeFileSync(join(dir, 'policy.yaml'), policy('first'));
    agent = await startAgentBridge(tmux, { dir, hostsPath: join(dir, 'hosts.yaml'), policyPath: join(dir, 'policy.yaml'), approvalDir: join(dir, 'approvals') });
  });

  afterAll(async () => {
    await agent?.close();
    removeDir(dir);
  });

  it('a broken file is reported with file:line and the previous config keeps running; a fixed one replaces it', async () => {
    const paneId = await newPane(tmux, 'reload', 'reload', 'bash --norc --noprofile');
    await waitForStage(api, 'first', paneId, 'step', 'RUNNING');

    // Line 7, column 9: the require_approval key.
    writeFileSync(join(dir, 'policy.yaml'), policy('second', '        require_approval: perhaps\n'));
    const error = await waitFor(() => agent.events.find((e) => e.type === 'CONFIG_ERROR'), 'CONFIG_ERROR');
    const path = join(dir, 'policy.yaml');
    expect((error as any).errors).toEqual([`${path}:7:9: pipelines[0].stages[0].require_approval: expected true or false`]);
    const { body: config } = await api.get('/api/agent/config', AgentConfigView);
    expect(config.lastError!.errors[0]).toMatchObject({ file: path, line: 7, column: 9, path: 'pipelines[0].stages[0].require_approval' });
    expect(config.pipelines.map((p: any) => p.name)).toEqual(['first']);
    // Still running the previous config: the pane completes its stage of pipeline "first".
    await tmux.tmux('send-keys', '-t', paneId, '-l', 'echo STEP-DONE');
    await tmux.tmux('send-keys', '-t', paneId, 'Enter');
    await waitForStage(api, 'first', paneId, 'step', 'COMPLETED');

    // Fixed (with an unknown key, which is only a warning): the new pipeline runs.
    writeFileSync(join(dir, 'policy.yaml'), policy('second', '        colour: blue\n'));
    const reloaded = await waitFor(() => agent.events.find((e) => e.type === 'CONFIG_RELOADED'), 'CONFIG_RELOADED');
    expect((reloaded as any).pipelines).toEqual(['second']);
    expect((reloaded as any).warnings[0]).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:9: pipelines\\[0\\]\\.stages\\[0\\]\\.colour: unknown key "colour"`));
    const { body: after } = await api.get('/api/agent/config', AgentConfigView);
    expect(after.lastError).toBeNull();
    expect(after.pipelines.map((p: any) => p.name)).toEqual(['second']);
    await waitForStage(api, 'second', paneId, 'step', 'RUNNING');
    expect((await api.get('/api/pipelines', PipelineList)).body.pipelines.map((p: any) => p.name)).toEqual(['second']);
    // Events are stored too.
    const { body: stored } = await api.get('/api/events?type=CONFIG_ERROR', EventPage);
    expect(stored.events).toHaveLength(1);
  });
});

describe('no config files', () => {
  it('watches the bridge’s own panes as host "local", without pipelines', async () => {
    const bridge = await startTestBridge(tmux);
    try {
      const paneId = await newPane(tmux, 'plain', 'plain', 'bash --norc --noprofile');
      const { body: config } = await bridge.api.get('/api/agent/config', AgentConfigView);
      expect(config.sources).toEqual({ hostsPath: null, policyPath: null });
      expect(config.hosts).toEqual([expect.objectContaining({ name: 'local', kind: 'bridge', socket: tmux.socketName, sessionFilters: [], paneNamePatterns: [] })]);
      expect(config.pipelines).toEqual([]);
      await waitForWatching(bridge.api.bind(bridge), paneId);
      await tmux.tmux('send-keys', '-t', paneId, '-l', 'echo hello-board');
      await tmux.tmux('send-keys', '-t', paneId, 'Enter');
      await waitFor(async () => {
        const { body } = await bridge.api.get('/api/panes', PaneList);
        return body.panes.find((p: any) => p.paneId === paneId)?.lastLines.includes('hello-board');
      }, 'the pane tail');
      expect((await bridge.api.get('/api/overview', Overview)).body).toMatchObject({ hosts: [{ name: 'local', pipelines: [] }], pendingApprovals: [] });
    } finally {
      await bridge.close();
    }
  });
});
