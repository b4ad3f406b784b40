import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, parseAgentConfig, type CompiledPipeline, type CompiledPolicy } from '../../server/agent/config/index.ts';
import { LineSplitter } from '../../server/agent/lines.ts';
import { stageView } from '../../server/agent/engine/views.ts';
import { evaluatePipeline, stageState } from '../../server/agent/policy/machine.ts';
import type { PolicyEffect, PolicyInput, StageStates } from '../../server/agent/policy/types.ts';

function compile(text: string): CompiledPolicy {
  const result = parseAgentConfig({ policy: { file: 'policy.yaml', text } });
  if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
  return result.config.policy;
}

/** tmuxagent's own example (test/fixtures/agent), loaded unchanged. */
const EXAMPLE = compile(readFileSync(join(import.meta.dirname, '../fixtures/agent/policy.yaml'), 'utf8'));

/** Drives one pane through one pipeline, keeping states like the store would. */
class Pane {
  states: StageStates = {};
  effects: PolicyEffect[] = [];
  now = Date.UTC(2025, 0, 1, 12, 0, 0);

  constructor(readonly pipeline: CompiledPipeline) {}

  apply(input: PolicyInput): PolicyEffect[] {
    this.now += 1000;
    const result = evaluatePipeline(this.pipeline, this.states, input, { host: 'local', paneId: '%3', now: this.now });
    this.states = result.states;
    this.effects.push(...result.effects);
    return [...result.effects];
  }

  line(text: string): PolicyEffect[] {
    return this.apply({ type: 'line', text });
  }

  status(stage: string): string {
    return stageState(this.states, stage).status;
  }

  statuses(): string[] {
    return this.pipeline.stages.map((stage) => `${stage.name}:${this.status(stage.name)}`);
  }

  of<T extends PolicyEffect['type']>(type: T): Extract<PolicyEffect, { type: T }>[] {
    return this.effects.filter((effect): effect is Extract<PolicyEffect, { type: T }> => effect.type === type);
  }
}

const stages = (body: string) => compile(`pipelines:\n  - name: p\n    stages:\n${body}`).pipelines[0]!;

describe('stage state machine: the tmuxagent example policy.yaml (lint → approval → build)', () => {
  it('runs lint on its trigger, completes it, then waits for approval of build and runs it when approved', () => {
    const pane = new Pane(EXAMPLE.pipelines[0]!);
    pane.line('nothing to see');
    expect(pane.statuses()).toEqual(['lint:WAITING_TRIGGER', 'build:IDLE']);

    const started = pane.line('>>> Start Lint');
    expect(pane.statuses()).toEqual(['lint:RUNNING', 'build:IDLE']);
    expect(started).toContainEqual({ type: 'run_actions', stage: 'lint', actions: [{ kind: 'send_keys', command: 'npm run lint' }], attempt: 1, cause: 'start' });

    // lint passes; build's after_stage_success holds on the same input → approval.
    const passed = pane.line('✔ 0 problems');
    expect(pane.statuses()).toEqual(['lint:COMPLETED', 'build:WAITING_APPROVAL']);
    expect(passed).toContainEqual(
      expect.objectContaining({ type: 'request_approval', stage: 'build', kind: 'require_approval', title: 'Approval required: ci/build' }),
    );
    expect(passed.filter((e) => e.type === 'run_actions')).toEqual([]);

    // Output does not move a stage waiting for approval.
    pane.line('0 problems again');
    expect(pane.status('build')).toBe('WAITING_APPROVAL');

    const approved = pane.apply({ type: 'approval', stage: 'build', decision: 'approve', via: 'web', by: 'alice' });
    expect(pane.status('build')).toBe('RUNNING');
    expect(approved).toContainEqual({ type: 'notify', stage: 'build', kind: 'start', title: 'build', body: 'started' });
    expect(pane.of('transition').map((t) => `${t.stage}:${t.from}>${t.to}`)).toEqual([
      'lint:IDLE>WAITING_TRIGGER',
      'lint:WAITING_TRIGGER>RUNNING',
      'lint:RUNNING>COMPLETED',
      'build:IDLE>WAITING_APPROVAL',
      'build:WAITING_APPROVAL>RUNNING',
    ]);
    expect(pane.of('transition').at(-1)?.reason).toBe('approved by alice via web');
  });

  it('counts a STATUS message (keyword "passed") as lint success', () => {
    const pane = new Pane(EXAMPLE.pipelines[0]!);
    pane.line('start lint');
    pane.line('lint passed');
    expect(pane.status('lint')).toBe('COMPLETED');
  });

  it('retries once, then asks a human; approving runs the actions again, rejecting fails the stage', () => {
    const pane = new Pane(EXAMPLE.pipelines[0]!);
    pane.line('start lint');
    const retry = pane.line('src/a.ts: Error: unused variable');
    expect(pane.status('lint')).toBe('RUNNING');
    expect(stageState(pane.states, 'lint').retries).toBe(1);
    expect(retry).toContainEqual(expect.objectContaining({ type: 'run_actions', stage: 'lint', attempt: 2, cause: 'retry' }));

    const ask = pane.line('src/a.ts: error again');
    expect(pane.status('lint')).toBe('WAITING_APPROVAL');
    expect(ask).toContainEqual(expect.objectContaining({ type: 'request_approval', stage: 'lint', kind: 'ask_human', prompt: 'lint keeps failing' }));
    expect(stageState(pane.states, 'lint').data).toMatchObject({ approval_kind: 'ask_human', prompt: 'lint keeps failing' });

    const again = pane.apply({ type: 'approval', stage: 'lint', decision: 'approve' });
    expect(pane.status('lint')).toBe('RUNNING');
    expect(again.some((e) => e.type === 'run_actions')).toBe(true);

    pane.line('error a third time');
    expect(pane.status('lint')).toBe('WAITING_APPROVAL');
    pane.apply({ type: 'approval', stage: 'lint', decision: 'reject', via: 'file' });
    expect(pane.status('lint')).toBe('FAILED');
    expect(stageState(pane.states, 'lint').data).toMatchObject({ reason: 'rejected', escalate_code: null });
  });
});

describe('stage state machine: rules', () => {
  const retryEscalate = stages(`      - name: test
        actions_on_start: [{send_keys: "npm test"}, {shell: "echo started"}]
        success_when: {any_of: [{log_regex: "(?i)tests passed"}]}
        fail_when: {any_of: [{message_type: ERROR}]}
        on_fail: [{retry: {max: 2}}, {if_still_fail: {escalate: TEST_RED}}]
        on_fail_notify: {title: "{stage} failed", body: "retries {retries}/{max_retries} on {host} {pane}"}
`);

  it('starts a stage without triggers at once, on a tick', () => {
    const pane = new Pane(retryEscalate);
    const effects = pane.apply({ type: 'tick' });
    expect(pane.status('test')).toBe('RUNNING');
    const run = effects.find((e) => e.type === 'run_actions');
    expect(run).toMatchObject({ actions: [{ kind: 'send_keys', command: 'npm test' }, { kind: 'shell', command: 'echo started' }] });
  });

  it('retries up to max, then fails with reason, escalate_code and failed_at, and escalates', () => {
    const pane = new Pane(retryEscalate);
    pane.apply({ type: 'tick' });
    pane.line('1 test failed');
    pane.line('1 test failed');
    expect(stageState(pane.states, 'test')).toMatchObject({ status: 'RUNNING', retries: 2 });
    expect(pane.of('run_actions').map((r) => r.attempt)).toEqual([1, 2, 3]);

    const last = pane.line('1 test failed');
    const state = stageState(pane.states, 'test');
    expect(state.status).toBe('FAILED');
    expect(state.data).toMatchObject({ reason: 'fail_condition', escalate_code: 'TEST_RED', failed_at: Math.floor(pane.now / 1000) });
    const escalation = last.find((e) => e.type === 'notify' && e.kind === 'escalate');
    expect(escalation).toMatchObject({ title: 'Escalation TEST_RED: p/test' });
    expect(escalation?.type === 'notify' && escalation.body).toMatch(/Escalation code: TEST_RED/);
    // on_fail_notify with placeholders, once per failure.
    expect(pane.of('notify').filter((n) => n.kind === 'fail').map((n) => `${n.title} | ${n.body}`)).toEqual([
      'test failed | retries 0/2 on local %3',
      'test failed | retries 1/2 on local %3',
      'test failed | retries 2/2 on local %3',
    ]);
  });

  it('fails and escalates without a code when on_fail says nothing', () => {
    const pane = new Pane(stages('      - name: only\n        fail_when: {any_of: [{log_regex: boom}]}\n'));
    pane.apply({ type: 'tick' });
    const effects = pane.line('boom');
    expect(stageState(pane.states, 'only').data).toMatchObject({ reason: 'fail_condition', escalate_code: null });
    expect(effects.some((e) => e.type === 'notify' && e.kind === 'escalate')).toBe(true);
  });

  it('prefers success over failure on the same line, and does not judge a stage on the line that started it', () => {
    const pipeline = stages(`      - name: s
        triggers: {any_of: [{log_regex: "^go"}]}
        success_when: {any_of: [{log_regex: "ok"}]}
        fail_when: {any_of: [{log_regex: "ok|bad"}]}
`);
    const pane = new Pane(pipeline);
    pane.line('go ok');
    expect(pane.status('s')).toBe('RUNNING');
    pane.line('ok and bad');
    expect(pane.status('s')).toBe('COMPLETED');
  });

  it('stops at the first stage that is not terminal: later triggers are not looked at', () => {
    const pipeline = stages(`      - name: one
        success_when: {any_of: [{log_regex: "one done"}]}
      - name: two
        triggers: {any_of: [{log_regex: "start two"}]}
`);
    const pane = new Pane(pipeline);
    pane.line('start two');
    expect(pane.statuses()).toEqual(['one:RUNNING', 'two:IDLE']);
    pane.line('one done');
    expect(pane.statuses()).toEqual(['one:COMPLETED', 'two:WAITING_TRIGGER']);
    pane.line('start two');
    expect(pane.status('two')).toBe('RUNNING');
  });

  it('remembers all_of conditions across lines, in any order, and forgets them on retry', () => {
    const pipeline = stages(`      - name: deploy
        success_when: {all_of: [{log_regex: "migrated"}, {message_type: HEALTHY}]}
        fail_when: {any_of: [{log_regex: "rollback"}]}
        on_fail: [{retry: {max: 1}}]
`);
    const pane = new Pane(pipeline);
    pane.apply({ type: 'tick' });
    pane.line('### SENTRY {"type":"HEALTHY"}');
    expect(pane.status('deploy')).toBe('RUNNING');
    expect(stageState(pane.states, 'deploy').data.matched).toEqual({ success_when: [1], fail_when: [] });
    pane.line('rollback!');
    expect(stageState(pane.states, 'deploy')).toMatchObject({ status: 'RUNNING', retries: 1 });
    expect(stageState(pane.states, 'deploy').data.matched).toBeUndefined();
    pane.line('db migrated');
    expect(pane.status('deploy')).toBe('RUNNING'); // HEALTHY was before the retry
    pane.line('{"type":"HEALTHY"}');
    expect(pane.status('deploy')).toBe('COMPLETED');
  });

  it('all_of triggers mix line conditions with after_stage_success', () => {
    const pipeline = stages(`      - name: a
        success_when: {any_of: [{log_regex: "a ok"}]}
      - name: b
        triggers: {all_of: [{after_stage_success: a}, {log_regex: "ship it"}]}
`);
    const pane = new Pane(pipeline);
    pane.apply({ type: 'tick' });
    pane.line('ship it'); // a is running: b's trigger is not looked at yet
    pane.line('a ok');
    expect(pane.statuses()).toEqual(['a:COMPLETED', 'b:WAITING_TRIGGER']);
    pane.line('ship it');
    expect(pane.status('b')).toBe('RUNNING');
  });

  it('a rejected approval fails the stage; stages waiting for its success never start', () => {
    const pipeline = stages(`      - name: build
        require_approval: true
      - name: deploy
        triggers: {any_of: [{after_stage_success: build}]}
`);
    const pane = new Pane(pipeline);
    pane.apply({ type: 'tick' });
    expect(pane.status('build')).toBe('WAITING_APPROVAL');
    pane.apply({ type: 'approval', stage: 'build', decision: 'reject' });
    expect(pane.statuses()).toEqual(['build:FAILED', 'deploy:WAITING_TRIGGER']);
    expect(stageState(pane.states, 'build').data.reason).toBe('rejected');
    pane.line('anything');
    expect(pane.status('deploy')).toBe('WAITING_TRIGGER');
  });

  it('ignores approvals for stages that are not waiting, and unknown stages', () => {
    const pane = new Pane(EXAMPLE.pipelines[0]!);
    const notWaiting = evaluatePipeline(pane.pipeline, {}, { type: 'approval', stage: 'build', decision: 'approve' }, { host: 'h', paneId: '%1', now: 0 });
    expect(notWaiting.ignored).toMatch(/IDLE, not waiting for approval/);
    expect(notWaiting.effects).toEqual([]);
    const unknown = evaluatePipeline(pane.pipeline, {}, { type: 'retry', stage: 'nope' }, { host: 'h', paneId: '%1', now: 0 });
    expect(unknown.ignored).toMatch(/no stage "nope"/);
  });

  it('rejecting after ask_human escalates with the stage escalate code', () => {
    const pipeline = stages(`      - name: s
        fail_when: {any_of: [{log_regex: bad}]}
        on_fail: [{ask_human: "look at it"}, {escalate: HUMAN_SAID_NO}]
`);
    const pane = new Pane(pipeline);
    pane.apply({ type: 'tick' });
    pane.line('bad');
    expect(pane.status('s')).toBe('WAITING_APPROVAL');
    const effects = pane.apply({ type: 'approval', stage: 's', decision: 'reject' });
    expect(stageState(pane.states, 's').data).toMatchObject({ reason: 'rejected', escalate_code: 'HUMAN_SAID_NO' });
    expect(effects.some((e) => e.type === 'notify' && e.kind === 'escalate')).toBe(true);
  });

  it('retry from the web restarts a stage with retries at 0; reset sends it and later stages back to IDLE', () => {
    const pane = new Pane(EXAMPLE.pipelines[0]!);
    pane.line('start lint');
    pane.line('error');
    pane.line('error');
    expect(pane.status('lint')).toBe('WAITING_APPROVAL');

    const retried = pane.apply({ type: 'retry', stage: 'lint', by: 'bob' });
    expect(retried[0]).toEqual({ type: 'cancel_approval', stage: 'lint', reason: 'retry requested by bob' });
    expect(stageState(pane.states, 'lint')).toMatchObject({ status: 'RUNNING', retries: 0 });
    expect(retried.some((e) => e.type === 'run_actions' && e.cause === 'manual_retry')).toBe(true);

    pane.line('0 problems');
    expect(pane.statuses()).toEqual(['lint:COMPLETED', 'build:WAITING_APPROVAL']);

    const reset = pane.apply({ type: 'reset' });
    expect(reset).toContainEqual({ type: 'cancel_approval', stage: 'build', reason: 'reset' });
    expect(pane.statuses()).toEqual(['lint:WAITING_TRIGGER', 'build:IDLE']);
    expect(stageState(pane.states, 'lint').retries).toBe(0);

    pane.line('start lint');
    pane.line('0 problems');
    pane.apply({ type: 'reset', stage: 'build' });
    expect(pane.statuses()).toEqual(['lint:COMPLETED', 'build:WAITING_APPROVAL']);
  });

  it('is pure: the given states are never modified, and changed lists what to save', () => {
    const pipeline = EXAMPLE.pipelines[0]!;
    const before: StageStates = {};
    const first = evaluatePipeline(pipeline, before, { type: 'line', text: 'start lint' }, { host: 'h', paneId: '%1', now: 5000 });
    expect(before).toEqual({});
    expect(first.changed).toEqual(['lint']);
    const frozen = structuredClone(first.states);
    const second = evaluatePipeline(pipeline, first.states, { type: 'line', text: '0 problems' }, { host: 'h', paneId: '%1', now: 6000 });
    expect(first.states).toEqual(frozen);
    expect(second.changed).toEqual(['lint', 'build']);
    expect(second.states.lint?.updatedAt).toBe(6);
  });

  it('renders on_success_notify and leaves unknown placeholders alone', () => {
    const pane = new Pane(
      stages(`      - name: s
        success_when: {any_of: [{log_regex: ok}]}
        on_success_notify: {title: "{pipeline}/{stage} ok", body: "line {line} {json}"}
`),
    );
    pane.apply({ type: 'tick' });
    const effects = pane.line('all ok');
    expect(effects).toContainEqual({ type: 'notify', stage: 's', kind: 'success', title: 'p/s ok', body: 'line all ok {json}' });
  });
});

describe('hostile output', () => {
  it('takes a 1 MB malformed SENTRY line and binary garbage as plain lines', () => {
    const splitter = new LineSplitter();
    const pane = new Pane(EXAMPLE.pipelines[0]!);
    const huge = Buffer.concat([Buffer.from('### SENTRY {"type": "STATUS", "x": "'), Buffer.alloc(1024 * 1024, 'a'), Buffer.from('\n')]);
    for (const data of [Buffer.from('start lint\n'), huge, randomBytes(64 * 1024), Buffer.from('\n0 problems\n')]) {
      for (const line of splitter.push({ offset: splitter.offset, data })) pane.line(line.text);
    }
    // The truncated SENTRY line parsed as nothing (its JSON is cut), so lint ran until "0 problems".
    expect(pane.statuses()).toEqual(['lint:COMPLETED', 'build:WAITING_APPROVAL']);
  });
});

describe('stage timing (StageView startedAt/finishedAt, kept in the stage data)', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const timing = (pane: Pane, stage: string) => {
    const compiled = pane.pipeline.stages.find((s) => s.name === stage)!;
    const { startedAt, finishedAt } = stageView(compiled, pane.states[stage], null);
    return { startedAt, finishedAt };
  };

  it('a run starts on entering RUNNING or WAITING_APPROVAL, continues through automatic retries, ends on COMPLETED', () => {
    const pane = new Pane(
      stages(`      - name: s
        triggers: {any_of: [{log_regex: "^go$"}]}
        success_when: {any_of: [{log_regex: "^ok$"}]}
        fail_when: {any_of: [{log_regex: "^bad$"}]}
        on_fail: [{retry: {max: 1}}, {if_still_fail: {ask_human: "help"}}]
`),
    );
    pane.line('idle line');
    expect(timing(pane, 's')).toEqual({ startedAt: null, finishedAt: null });
    pane.line('go');
    const started = pane.now;
    expect(timing(pane, 's')).toEqual({ startedAt: iso(started), finishedAt: null });
    pane.line('bad'); // automatic retry: the same run
    expect(pane.states.s).toMatchObject({ status: 'RUNNING', retries: 1 });
    expect(timing(pane, 's').startedAt).toBe(iso(started));
    pane.line('bad'); // retries used up: waits for a human, a new phase
    expect(pane.status('s')).toBe('WAITING_APPROVAL');
    expect(timing(pane, 's')).toEqual({ startedAt: iso(pane.now), finishedAt: null });
    pane.apply({ type: 'approval', stage: 's', decision: 'approve' });
    const approved = pane.now;
    expect(timing(pane, 's').startedAt).toBe(iso(approved));
    pane.line('ok');
    expect(timing(pane, 's')).toEqual({ startedAt: iso(approved), finishedAt: iso(pane.now) });
    // In the data (so it is stored and survives a restart), to the millisecond.
    expect(pane.states.s!.data).toMatchObject({ started_ms: approved, finished_ms: pane.now });

    // A web retry starts a new run, also while running; a reset forgets the timing.
    pane.apply({ type: 'retry', stage: 's' });
    expect(timing(pane, 's')).toEqual({ startedAt: iso(pane.now), finishedAt: null });
    pane.apply({ type: 'retry', stage: 's' });
    expect(timing(pane, 's').startedAt).toBe(iso(pane.now));
    pane.apply({ type: 'reset', stage: 's' });
    expect(pane.states.s!.data.started_ms).toBeUndefined();
    expect(timing(pane, 's')).toEqual({ startedAt: null, finishedAt: null });
  });

  it('a rejected approval: from the request to the rejection', () => {
    const pane = new Pane(stages('      - name: s\n        require_approval: true\n'));
    pane.apply({ type: 'tick' });
    const asked = pane.now;
    expect(pane.status('s')).toBe('WAITING_APPROVAL');
    pane.apply({ type: 'approval', stage: 's', decision: 'reject' });
    expect(pane.status('s')).toBe('FAILED');
    expect(timing(pane, 's')).toEqual({ startedAt: iso(asked), finishedAt: iso(pane.now) });
  });

  it('a stage stored before the keys existed falls back to tmuxagent\'s second keys', () => {
    const stage = stages('      - name: s\n').stages[0]!;
    const view = (status: 'RUNNING' | 'COMPLETED', data: Record<string, number>) => stageView(stage, { status, retries: 0, data, updatedAt: 1_700_000_100 }, null);
    expect(view('RUNNING', { started_at: 1_700_000_000 })).toMatchObject({ startedAt: iso(1_700_000_000_000), finishedAt: null });
    expect(view('COMPLETED', { completed_at: 1_700_000_050 })).toMatchObject({ startedAt: null, finishedAt: iso(1_700_000_050_000) });
  });
});
