/**
 * Actions and links in detail: `shell` actions run with a time limit and their output
 * goes into STAGE_ACTIONS; `--dry-run` reports actions without running them; signed
 * links expire (410) while the file and the API keep working.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newPane, useAgentBridge, waitForApproval, waitForStage, waitForWatching } from '../helpers/agent.ts';
import { waitFor, type TestTmux } from '../helpers/tmux.ts';
import { AgentConfigView, ApiErrorBody, ApprovalList, AuditList, NotificationList, StageCommandResult } from '../../schemas/index.ts';

const POLICY = `pipelines:
  - name: acts
    match: {any_of: [{window_name: "^acts$"}]}
    stages:
      - name: shell
        triggers: {any_of: [{log_regex: "^GO$"}]}
        actions_on_start:
          - {shell: "echo out-$((40 + 2)); echo err-line >&2; exit 3"}
          - {shell: "sleep 30"}
          - {send_keys: "echo TYPED-BY-AGENT"}
        success_when: {any_of: [{log_regex: "^TYPED-BY-AGENT$"}]}
      - name: gate
        triggers: {any_of: [{after_stage_success: shell}]}
        require_approval: true
        success_when: {any_of: [{log_regex: "^GATE-DONE$"}]}
`;

const hosts = (socket: string) => `approval_dir: {APPROVALS}
notify: stdout
hosts:
  - name: local
    tmux: {socket: ${socket}}
bridge:
  shell_timeout_ms: 3000
  approval_ttl_hours: 0.002
`;

async function type(tmux: TestTmux, paneId: string, line: string): Promise<void> {
  await tmux.tmux('send-keys', '-t', paneId, '-l', line);
  await tmux.tmux('send-keys', '-t', paneId, 'Enter');
}

describe('actions', () => {
  const ctx = useAgentBridge(({ tmux }) => ({ hosts: hosts(tmux.socketName), policy: POLICY }));

  it('runs shell actions with a time limit, captures their output, types send_keys; expired links are refused', async () => {
    const paneId = await newPane(ctx.tmux, 'acts', 'acts', 'bash --norc --noprofile');
    await waitForWatching(ctx.api, paneId);
    await type(ctx.tmux, paneId, 'echo GO');
    await waitForStage(ctx.api, 'acts', paneId, 'shell', 'COMPLETED');
    const event: any = await waitFor(() => ctx.agent.events.find((e: any) => e.type === 'STAGE_ACTIONS' && e.stage === 'shell'), 'STAGE_ACTIONS');
    expect(event).toMatchObject({ host: 'local', paneId, pipeline: 'acts', cause: 'start', attempt: 1 });
    const [first, second, third] = event.outcomes;
    expect(first).toMatchObject({ kind: 'shell', ok: false, exitCode: 3, timedOut: false, dryRun: false });
    expect(first.output).toContain('out-42');
    expect(first.output).toContain('err-line');
    expect(first.error).toMatch(/exited with code 3/);
    expect(second).toMatchObject({ kind: 'shell', ok: false, timedOut: true });
    expect(second.error).toMatch(/timed out after 3000 ms/);
    expect(third).toMatchObject({ kind: 'send_keys', ok: true, command: 'echo TYPED-BY-AGENT' });

    // The gate's link expires after ~7 s (room for a busy machine); the file still decides.
    const approval = await waitForApproval(ctx.api, paneId, 'gate');
    const record = await waitFor(async () => (await ctx.api.get('/api/notifications?limit=100', NotificationList)).body.notifications.find((n: any) => n.kind === 'approval' && n.payload.paneId === paneId), 'the approval notification');
    const link: string = record.payload.links.approve!;
    expect((await fetch(link)).status).toBe(200);
    await waitFor(async () => (await fetch(link)).status === 410, 'the link to expire', 30_000, 200);
    expect((await fetch(link, { method: 'POST' })).status).toBe(410);
    await waitFor(() => existsSync(approval.file), 'the request file');
    expect(readFileSync(approval.file, 'utf8')).toContain('PENDING');
    writeFileSync(approval.file, 'approve\n');
    await waitForStage(ctx.api, 'acts', paneId, 'gate', 'RUNNING');
    // The agent types through the bridge's one input path: its typing is in the audit log as its own.
    const audited = await waitFor(async () => (await ctx.api.get('/api/audit?limit=1000', AuditList)).body.entries.find((e: any) => e.source === 'agent' && e.preview.startsWith('echo TYPED-BY-AGENT')), 'the agent typing in the audit log');
    expect(audited.client).toBe('agent engine');
    expect(audited.sessionKey).toMatch(/^(a_|s_|pane:)/);
  });

  it('retry and reset from the web', async () => {
    const paneId = await newPane(ctx.tmux, 'acts-web', 'acts', 'bash --norc --noprofile');
    await waitForWatching(ctx.api, paneId);
    await type(ctx.tmux, paneId, 'echo GO');
    await waitForStage(ctx.api, 'acts', paneId, 'shell', 'COMPLETED');
    await waitForApproval(ctx.api, paneId, 'gate');

    // Bad requests say what is wrong.
    expect((await ctx.api.post('/api/pipelines/acts/stages/gate/retry', { host: 'local' }, ApiErrorBody)).status).toBe(400);
    expect((await ctx.api.post('/api/pipelines/acts/stages/nope/retry', { host: 'local', paneId }, ApiErrorBody)).status).toBe(404);
    expect((await ctx.api.post('/api/pipelines/nope/stages/gate/retry', { host: 'local', paneId }, ApiErrorBody)).status).toBe(404);
    expect((await ctx.api.post('/api/pipelines/acts/stages/gate/retry', { host: 'local', paneId: '%999' }, ApiErrorBody)).status).toBe(404);

    // Retry restarts the stage now (the click is the approval): the pending approval is withdrawn.
    const retried = await ctx.api.post('/api/pipelines/acts/stages/gate/retry', { host: 'local', paneId }, StageCommandResult);
    expect(retried.status).toBe(200);
    expect(retried.body.pane.stages.find((s: any) => s.name === 'gate')).toMatchObject({ status: 'RUNNING', retries: 0 });
    expect((await ctx.api.get('/api/approvals', ApprovalList)).body.approvals.some((a: any) => a.paneId === paneId)).toBe(false);
    const cancelled = (await ctx.api.get('/api/approvals?status=cancelled', ApprovalList)).body.approvals.find((a: any) => a.paneId === paneId);
    expect(cancelled).toMatchObject({ status: 'cancelled', note: 'retry requested by web' });

    // Reset sends the stage and the ones after it back; the first stage waits for its trigger again.
    const reset = await ctx.api.post('/api/pipelines/acts/stages/shell/reset', { host: 'local', paneId }, StageCommandResult);
    expect(reset.status).toBe(200);
    expect(reset.body.pane.stages.map((s: any) => s.status)).toEqual(['WAITING_TRIGGER', 'IDLE']);
    await type(ctx.tmux, paneId, 'echo GO');
    await waitForStage(ctx.api, 'acts', paneId, 'shell', 'COMPLETED');
  });
});

describe('--dry-run', () => {
  const ctx = useAgentBridge(({ tmux }) => ({
    hosts: hosts(tmux.socketName),
    policy: POLICY.replace('echo out-$((40 + 2))', `touch ${join('{DIR}', 'ran')}`),
    prepare: (files) => writeFileSync(files.policyPath, readFileSync(files.policyPath, 'utf8').replace('{DIR}', files.dir)),
    bridge: { dryRun: true },
  }));

  it('reports the actions it would run, and runs none', async () => {
    const paneId = await newPane(ctx.tmux, 'dry', 'acts', 'bash --norc --noprofile');
    await waitForWatching(ctx.api, paneId);
    await type(ctx.tmux, paneId, 'echo GO');
    const event: any = await waitFor(() => ctx.agent.events.find((e: any) => e.type === 'STAGE_ACTIONS'), 'STAGE_ACTIONS');
    expect(event.outcomes.map((o: any) => `${o.kind}:${o.dryRun}:${o.ok}`)).toEqual(['shell:true:true', 'shell:true:true', 'send_keys:true:true']);
    expect(ctx.agent.logs.filter((line) => line.startsWith('[dry-run]'))).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(join(ctx.files.dir, 'ran'))).toBe(false);
    expect(await ctx.tmux.capture(paneId)).not.toContain('TYPED-BY-AGENT');
    expect((await ctx.api.get('/api/agent/config', AgentConfigView)).body.dryRun).toBe(true);
  });
});
