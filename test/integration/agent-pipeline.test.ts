/**
 * Acceptance: a pane running examples/ci-demo.sh drives examples/policy.yaml
 * (lint → build with approval → test) to COMPLETED on a real tmux server, with the
 * approval decided once by the request file, once by a signed link and once by the
 * API — all three through the same ApprovalService.decide.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CI_DEMO, ROOT, newPane, useAgentBridge, waitForApproval, waitForStage } from '../helpers/agent.ts';
import { waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, ApprovalDecisionResult, ApprovalList, EventPage, Overview, PaneList, PipelineList, PipelineView, StageHistoryList } from '../../schemas/index.ts';

const ctx = useAgentBridge(
  ({ tmux, sink }) => ({
    hosts: `poll_interval_ms: 200
approval_dir: {APPROVALS}
notify: stdout,webhook
hosts:
  - name: local
    tmux: {socket: ${tmux.socketName}, session_filters: ["^demo"]}
bridge:
  notify_retry: {attempts: 3, base_delay_ms: 50, timeout_ms: 2000}
`,
    policy: readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8'),
    env: { TMUX_BRIDGE_WEBHOOK_URL: `${sink.url}/webhook` },
  }),
  { sink: true },
);

/** A pane that plays the CI runner; resolves when build waits for approval. */
async function ciPaneWaitingForBuild(session: string): Promise<string> {
  const paneId = await newPane(ctx.tmux, session, 'ci', `bash ${CI_DEMO}`, { CI_DEMO_DELAY: '0', CI_DEMO_TEST_FAILURES: '0' });
  await waitForStage(ctx.api, 'ci', paneId, 'lint', 'COMPLETED');
  await waitForStage(ctx.api, 'ci', paneId, 'build', 'WAITING_APPROVAL');
  return paneId;
}

async function expectCompleted(paneId: string): Promise<void> {
  await waitForStage(ctx.api, 'ci', paneId, 'test', 'COMPLETED');
  const { body } = await ctx.api.get('/api/pipelines/ci', PipelineView);
  const pane = body.panes.find((p: any) => p.paneId === paneId);
  expect(pane!.stages.map((s: any) => `${s.name}:${s.status}`)).toEqual(['lint:COMPLETED', 'build:COMPLETED', 'test:COMPLETED']);
  // The agent typed the commands into the pane (send_keys), one line each.
  const screen = await ctx.tmux.capture(paneId, '-S', '-100');
  expect(screen.match(/^ci> lint$/gm)).toHaveLength(1);
  expect(screen.match(/^ci> build$/gm)).toHaveLength(1);
  expect(screen.match(/^ci> test$/gm)).toHaveLength(1);
}

describe('agent board on live panes: lint → approval → build → test', () => {
  it('approval by the request file (tmuxagent path and words)', async () => {
    const paneId = await ciPaneWaitingForBuild('demo-file');
    const approval = await waitForApproval(ctx.api, paneId, 'build');
    const file = join(ctx.files.approvalDir, 'local', `${paneId.replace('%', 'pct')}__build.txt`);
    expect(approval.file).toBe(file);
    await waitFor(() => existsSync(file), 'the request file');
    expect(readFileSync(file, 'utf8')).toMatch(/^PENDING$/m);
    writeFileSync(file, '# decided by a human\nApproved\n');
    await expectCompleted(paneId);
    // Decided once, via the file, which is cleaned up.
    await waitFor(() => !existsSync(file), 'the request file to be removed');
    const { body } = await ctx.api.get('/api/approvals?status=decided', ApprovalList);
    expect(body.approvals.find((a: any) => a.id === approval.id)).toMatchObject({ status: 'approved', decidedVia: 'file', decidedBy: expect.stringMatching(new RegExp(`^uid ${process.getuid!()}\\b`)) });
    expect(ctx.agent.events.filter((e) => e.type === 'APPROVAL_DECIDED' && (e as any).approval.id === approval.id)).toHaveLength(1);
  });

  it('approval by a signed link: GET shows a page and decides nothing, POST decides, a second POST is refused', async () => {
    const paneId = await ciPaneWaitingForBuild('demo-link');
    const approval = await waitForApproval(ctx.api, paneId, 'build');
    // The approval notification reached the webhook with its links.
    const notice = await waitFor(() => ctx.sink.on('/webhook').find((r) => r.body.kind === 'approval' && r.body.pane === paneId), 'the approval webhook');
    expect(notice.body).toMatchObject({ pipeline: 'ci', stage: 'build', host: 'local', title: 'Approval required: ci/build' });
    const link: string = notice.body.links.approve;
    expect(link).toMatch(new RegExp(`^${ctx.agent.bridge.url.replace(/\/$/, '')}/a/[^/]+/approve$`));
    expect(notice.body.links.reject).toBe(link.replace(/approve$/, 'reject'));

    // A chat app's link preview: GET (no bridge token) shows the confirmation page only.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain(paneId);
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Nothing is decided until you press the button.');
    // A Chinese browser gets the page in Chinese (the web UI's languages).
    const zh = await (await fetch(link, { headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' } })).text();
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('批准 ci/build？');
    expect(zh).toContain('按下按钮之前不会做出任何决定。');
    expect(zh).not.toMatch(/Nothing is decided|Pipeline|Approve/);
    await new Promise((r) => setTimeout(r, 400));
    expect((await ctx.api.get('/api/approvals', ApprovalList)).body.approvals.some((a: any) => a.id === approval.id)).toBe(true);

    // A forged token is refused outright.
    const forged = link.replace(/\/a\/([^.]+)\.[^/]+\//, '/a/$1.AAAA/');
    expect((await fetch(forged, { method: 'POST' })).status).toBe(403);

    const decided = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'note=ship+it' });
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain('Approved');
    const again = await fetch(link, { method: 'POST' });
    expect(again.status).toBe(410);
    const againZh = await fetch(link, { method: 'POST', headers: { 'accept-language': 'zh-CN' } });
    expect(againZh.status).toBe(410);
    expect(await againZh.text()).toContain('这个链接不能再做决定');
    // The other link of the same request cannot decide any more either.
    expect((await fetch(notice.body.links.reject, { method: 'POST' })).status).toBe(410);
    await expectCompleted(paneId);
    const { body } = await ctx.api.get('/api/approvals?status=decided', ApprovalList);
    expect(body.approvals.find((a: any) => a.id === approval.id)).toMatchObject({ status: 'approved', decidedVia: 'link', note: 'ship it' });
    expect(existsSync(approval.file)).toBe(false);
  });

  it('approval by the API', async () => {
    const paneId = await ciPaneWaitingForBuild('demo-api');
    const approval = await waitForApproval(ctx.api, paneId, 'build');
    expect(approval).toMatchObject({ host: 'local', pipeline: 'ci', stage: 'build', kind: 'require_approval', status: 'pending' });
    expect((await ctx.api.post(`/api/approvals/${approval.id}`, { decision: 'maybe' }, ApiErrorBody)).status).toBe(400);
    // The approval names its pane and terminal (no /api/panes needed), in the API and in its event.
    const { body: panes } = await ctx.api.get('/api/panes', PaneList);
    const sessionKey = panes.panes.find((p: any) => p.paneId === paneId)!.sessionKey;
    expect(sessionKey).toMatch(/^a_/);
    expect(approval).toMatchObject({ sessionKey, pane: { sessionName: 'demo-api', windowName: 'ci' } });
    // (The event follows the stored approval a moment later.)
    const requested = (await waitFor(() => ctx.agent.events.find((e: any) => e.type === 'APPROVAL_REQUESTED' && e.approval.id === approval.id), 'the request event')) as any;
    expect(requested.approval).toMatchObject({ sessionKey, pane: { sessionName: 'demo-api', windowName: 'ci' } });
    expect((await ctx.api.get('/api/overview', Overview)).body.pendingApprovals.find((a: any) => a.id === approval.id)).toMatchObject({ sessionKey });
    const res = await ctx.api.post(`/api/approvals/${approval.id}`, { decision: 'approve', note: 'looks good' }, ApprovalDecisionResult);
    expect(res.status).toBe(200);
    expect(res.body.approval).toMatchObject({ status: 'approved', decidedVia: 'web', note: 'looks good', sessionKey });
    expect((await ctx.api.post(`/api/approvals/${approval.id}`, { decision: 'reject' }, ApiErrorBody)).status).toBe(409);
    expect((await ctx.api.post('/api/approvals/ap_nope', { decision: 'reject' }, ApiErrorBody)).status).toBe(404);
    await expectCompleted(paneId);
    await waitFor(() => !existsSync(approval.file), 'the request file to be removed');
  });

  it('stored every transition as history and STAGE_UPDATED events, and shows the board', async () => {
    const { body: overview } = await ctx.api.get('/api/overview', Overview);
    const ci = overview.hosts.find((h: any) => h.name === 'local')!.pipelines.find((p: any) => p.name === 'ci');
    expect(ci).toMatchObject({ panes: 3, counts: { COMPLETED: 9, FAILED: 0 } });
    expect(overview.pendingApprovals).toEqual([]);
    expect(overview.principles).toContain("Nothing is built without a human's approval.");

    const { body: pipelines } = await ctx.api.get('/api/pipelines', PipelineList);
    const pane = pipelines.pipelines[0]!.panes[0];
    const { body: history } = await ctx.api.get(`/api/stage-history?host=local&paneId=${encodeURIComponent(pane!.paneId)}&pipeline=ci`, StageHistoryList);
    const moves = history.history.map((h: any) => `${h.stage}:${h.from}>${h.to}`).reverse();
    // Each stage's last run: from entering RUNNING (or WAITING_APPROVAL) to COMPLETED, as the history
    // recorded them (the history row is written a moment after the machine's clock).
    const at = (stage: string, move: string) => Date.parse(history.history.find((h: any) => h.stage === stage && `${h.from}>${h.to}` === move)!.at);
    const near = (iso: string | null, ms: number) => expect(Math.abs(Date.parse(iso ?? '') - ms)).toBeLessThan(1000);
    const stage = (name: string) => pane!.stages.find((s: any) => s.name === name);
    near(stage('lint')!.startedAt, at('lint', 'WAITING_TRIGGER>RUNNING'));
    near(stage('lint')!.finishedAt, at('lint', 'RUNNING>COMPLETED'));
    near(stage('build')!.startedAt, at('build', 'WAITING_APPROVAL>RUNNING'));
    near(stage('build')!.finishedAt, at('build', 'RUNNING>COMPLETED'));
    for (const s of pane!.stages) expect(Date.parse(s.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(s.startedAt!));
    // The pane's terminal, as /api/panes knows it.
    const { body: paneList } = await ctx.api.get('/api/panes', PaneList);
    expect(pane!.sessionKey).toMatch(/^a_/);
    expect(pane!.sessionKey).toBe(paneList.panes.find((p: any) => p.paneId === pane!.paneId)!.sessionKey);
    // Stored events of this pipeline on this host, newest first, filtered on the server.
    const { body: decisions } = await ctx.api.get('/api/events?before=latest&host=local&pipeline=ci&type=APPROVAL_DECIDED', EventPage);
    expect(decisions.events.map((e: any) => e.approval.decidedVia)).toEqual(['web', 'link', 'file']);
    expect(decisions.next).toBe(decisions.events.at(-1)!.id);
    expect(moves).toEqual([
      'lint:IDLE>WAITING_TRIGGER',
      'lint:WAITING_TRIGGER>RUNNING',
      'lint:RUNNING>COMPLETED',
      'build:IDLE>WAITING_APPROVAL',
      'build:WAITING_APPROVAL>RUNNING',
      'build:RUNNING>COMPLETED',
      'test:IDLE>RUNNING',
      'test:RUNNING>COMPLETED',
    ]);
    const updates = ctx.agent.events.filter((e: any) => e.type === 'STAGE_UPDATED' && e.paneId === pane!.paneId);
    expect(updates.map((e: any) => `${e.stage}:${e.status}`)).toEqual(moves.map((m: string) => `${m.split(':')[0]}:${m.split('>')[1]}`));
    expect(updates.at(-1)).toMatchObject({ view: { name: 'test', status: 'COMPLETED', order: 2 } });
    // Stored events, too.
    const { body: stored } = await ctx.api.get('/api/events?type=STAGE_UPDATED&limit=1000', EventPage);
    expect(stored.events.filter((e: any) => e.paneId === pane!.paneId)).toHaveLength(updates.length);
    // Actions ran and were reported with their outcome.
    const actions = ctx.agent.events.filter((e: any) => e.type === 'STAGE_ACTIONS' && e.paneId === pane!.paneId);
    expect(actions.map((e: any) => e.outcomes[0].command)).toEqual(['lint', 'build', 'test']);
    expect(actions.every((e: any) => e.outcomes[0].ok)).toBe(true);

    // Watched panes with their last lines.
    const { body: panes } = await ctx.api.get('/api/panes', PaneList);
    const shown = panes.panes.find((p: any) => p.paneId === pane!.paneId);
    expect(shown).toMatchObject({ host: 'local', watched: true, pipelines: ['ci'], status: 'watching', window: 'ci' });
    expect(shown!.lastLines).toContain('[ci] 42 tests passed');
    // The live pane monitor got ephemeral PANE_TAIL events (not stored).
    const tails = ctx.agent.events.filter((e: any) => e.type === 'PANE_TAIL' && e.paneId === pane!.paneId);
    expect(tails.length).toBeGreaterThan(0);
    expect(tails.every((e: any) => e.id === undefined && e.host === 'local' && e.lines.length <= 20)).toBe(true);
    expect(tails.at(-1)).toMatchObject({ sessionKey: expect.stringMatching(/^a_/) });
    // stdout channel printed too.
    expect(ctx.agent.stdout.join('')).toContain('[NOTIFY] ci/test passed');
  });
});
