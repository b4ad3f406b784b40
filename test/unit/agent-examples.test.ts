/**
 * The demo end to end without tmux: examples/ci-demo.sh runs as a child process, its
 * output goes through LineSplitter → parser → state machine, actions are typed into
 * its stdin, approvals go through the ApprovalService. This is the composition the
 * engine does on live panes, minus tmux and the store.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runActions } from '../../server/agent/actions.ts';
import { ApprovalService, MemoryApprovalPersistence } from '../../server/agent/approvals/index.ts';
import { formatIssue, loadAgentConfig, type AgentConfig, type CompiledPipeline } from '../../server/agent/config/index.ts';
import { LineSplitter } from '../../server/agent/lines.ts';
import { evaluatePipeline, stageState } from '../../server/agent/policy/machine.ts';
import { hostWatchesPane, pipelinesForPane } from '../../server/agent/policy/match.ts';
import type { PolicyEffect, PolicyInput, StageStates } from '../../server/agent/policy/types.ts';

const ROOT = join(import.meta.dirname, '../..');

async function loadExamples(): Promise<AgentConfig> {
  const result = await loadAgentConfig({ hostsPath: join(ROOT, 'examples/hosts.yaml'), policyPath: join(ROOT, 'examples/policy.yaml') });
  if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
  expect(result.warnings).toEqual([]);
  return result.config;
}

class DemoRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly splitter = new LineSplitter();
  readonly approvals: ApprovalService;
  readonly dir = mkdtempSync(join(tmpdir(), 'tb-demo-'));
  states: StageStates = {};
  readonly effects: PolicyEffect[] = [];
  readonly lines: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  constructor(
    readonly pipeline: CompiledPipeline,
    env: Record<string, string>,
  ) {
    this.approvals = new ApprovalService({ persistence: new MemoryApprovalPersistence(), secret: 's3cret', approvalDir: this.dir, baseUrl: 'http://127.0.0.1:7690', pollMs: 0 });
    this.approvals.onDecided(({ approval, decision }) => this.enqueue({ type: 'approval', stage: approval.stage, decision, via: approval.decidedVia ?? 'web' }));
    this.child = spawn('bash', [join(ROOT, 'examples/ci-demo.sh')], { env: { ...process.env, CI_DEMO_DELAY: '0', ...env } });
    this.child.stdout.on('data', (data: Buffer) => {
      for (const line of this.splitter.push({ offset: this.splitter.offset, data })) {
        this.lines.push(line.text);
        this.enqueue({ type: 'line', text: line.text });
      }
    });
  }

  enqueue(input: PolicyInput): void {
    this.chain = this.chain.then(() => this.apply(input));
  }

  private async apply(input: PolicyInput): Promise<void> {
    const result = evaluatePipeline(this.pipeline, this.states, input, { host: 'local', paneId: '%1', now: Date.now() });
    this.states = result.states;
    this.effects.push(...result.effects);
    for (const effect of result.effects) {
      if (effect.type === 'run_actions') {
        await runActions(effect.actions, {
          paneId: '%1',
          ssh: null,
          shellTimeoutMs: 5000,
          sendKeys: async (_pane, text) => void this.child.stdin.write(`${text}\n`),
        });
      } else if (effect.type === 'request_approval') {
        await this.approvals.request({ host: 'local', paneId: '%1', pipeline: this.pipeline.name, stage: effect.stage, kind: effect.kind, prompt: effect.prompt });
      }
    }
    this.waiters = this.waiters.filter((waiter) => (waiter.check() ? (waiter.resolve(), false) : true));
  }

  /** Resolves once the stage has the status (checked after every input). */
  until(stage: string, status: string): Promise<void> {
    const check = () => stageState(this.states, stage).status === status;
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  stop(): void {
    this.approvals.dispose();
    this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let run: DemoRun | undefined;
afterEach(() => {
  run?.stop();
  run = undefined;
});

describe('examples: hosts.yaml, policy.yaml and ci-demo.sh', () => {
  it('load without warnings and select the demo pane', async () => {
    const config = await loadExamples();
    const pane = { sessionName: 'demo-ci', windowName: 'ci', paneTitle: 'ci' };
    expect(config.hosts[0]).toMatchObject({ name: 'local', tmux: { socket: 'tmux-bridge' } });
    expect(hostWatchesPane(config.hosts[0]!, pane)).toBe(true);
    expect(hostWatchesPane(config.hosts[0]!, { ...pane, sessionName: 'work' })).toBe(false);
    expect(pipelinesForPane(config.policy, pane).map((p) => p.name)).toEqual(['ci']);
    // No base_url: approval links use the address the bridge listens on.
    expect(config.bridge.baseUrl).toBeNull();
  });

  it('lint → approval by file → build → test fails, is retried, and passes', async () => {
    const config = await loadExamples();
    run = new DemoRun(config.policy.pipelines[0]!, { CI_DEMO_TEST_FAILURES: '1' });
    await run.until('build', 'WAITING_APPROVAL');
    expect(stageState(run.states, 'lint').status).toBe('COMPLETED');

    const [approval] = await run.approvals.pending();
    expect(approval?.file).toBe(join(run.dir, 'local', 'pct1__build.txt'));
    writeFileSync(approval!.file, 'approve\n');
    await run.approvals.checkFiles();

    await run.until('test', 'COMPLETED');
    expect(stageState(run.states, 'build').status).toBe('COMPLETED');
    expect(stageState(run.states, 'test').retries).toBe(1);
    const typed = run.effects.flatMap((e) => (e.type === 'run_actions' ? e.actions.map((a) => a.command) : []));
    expect(typed).toEqual(['lint', 'build', 'test', 'test']);
    const notes = run.effects.flatMap((e) => (e.type === 'notify' ? [`${e.kind}: ${e.title}`] : []));
    expect(notes).toEqual([
      'success: ci/lint passed',
      'start: ci/build started',
      'success: ci/build done',
      'fail: ci/test failed',
      'success: ci/test passed',
    ]);
    // The build progress bar (\r without newline) rendered as its final state.
    expect(run.lines).toContain('[ci] build finished');
    expect(run.lines.some((line) => line.includes('progress'))).toBe(false);
  });

  it('a test that stays red escalates with CI_TESTS_RED; build approved by signed link', async () => {
    const config = await loadExamples();
    run = new DemoRun(config.policy.pipelines[0]!, { CI_DEMO_TEST_FAILURES: '2' });
    await run.until('build', 'WAITING_APPROVAL');
    const [approval] = await run.approvals.pending();
    const { token } = run.approvals.links(approval!);
    expect(await run.approvals.decideByToken(token, 'approve')).toMatchObject({ ok: true });

    await run.until('test', 'FAILED');
    expect(stageState(run.states, 'test').data).toMatchObject({ reason: 'fail_condition', escalate_code: 'CI_TESTS_RED' });
    const escalation = run.effects.find((e) => e.type === 'notify' && e.kind === 'escalate');
    expect(escalation).toMatchObject({ title: 'Escalation CI_TESTS_RED: ci/test' });
  });
});
