/**
 * Acceptance: failures. A stage that keeps failing is retried and then asks a human
 * (ask_human), or is retried and then fails with its escalate_code — and the
 * notifications arrive at ServerChan, WeCom and a generic webhook, played here by a
 * local HTTP server (real HTTP, payloads checked). A failing endpoint is retried with
 * backoff, recorded, and never stops the engine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CI_DEMO, ROOT, newPane, useAgentBridge, waitForApproval, waitForStage } from '../helpers/agent.ts';
import { waitFor } from '../helpers/tmux.ts';
import { AgentConfigView, ApprovalDecisionResult, NotificationList, Overview, StageHistoryList } from '../../schemas/index.ts';

const ctx = useAgentBridge(
  ({ tmux, sink }) => {
    // The second webhook never works: its deliveries end as failed records.
    sink.failFirst('/broken', 1_000_000);
    return {
      hosts: `approval_dir: {APPROVALS}
notify: "stdout,serverchan,wecom,webhook"
hosts:
  - name: local
    tmux: {socket: ${tmux.socketName}, session_filters: ["^demo"]}
bridge:
  notify_retry: {attempts: 3, base_delay_ms: 20, timeout_ms: 2000}
`,
      policy: readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8'),
      env: { ...sink.env(), TMUX_BRIDGE_WEBHOOK_URL: `${sink.url}/webhook,${sink.url}/broken` },
    };
  },
  { sink: true },
);

const webhooks = (paneId: string, kind: string) => ctx.sink.on('/webhook').filter((r) => r.body.pane === paneId && r.body.kind === kind);

describe('retry, then ask a human / escalate, with notifications over real HTTP', () => {
  it('lint fails, is retried once, fails again and asks a human; approving runs it again', async () => {
    ctx.sink.failFirst('/wecom', 1); // the first WeCom message gets a 500: retried with backoff
    const paneId = await newPane(ctx.tmux, 'demo-ask', 'ci', `bash ${CI_DEMO}`, { CI_DEMO_DELAY: '0', CI_DEMO_LINT_FAILURES: '2', CI_DEMO_TEST_FAILURES: '0' });
    const waiting = await waitForStage(ctx.api, 'ci', paneId, 'lint', 'WAITING_APPROVAL');
    expect(waiting).toMatchObject({ retries: 1, maxRetries: 1 });
    const approval = await waitForApproval(ctx.api, paneId, 'lint');
    expect(approval).toMatchObject({ kind: 'ask_human', prompt: 'lint keeps failing: fix the code, then approve to lint again' });

    // The question reached every channel, with the links to answer it.
    const hook = await waitFor(() => webhooks(paneId, 'ask_human')[0], 'the ask_human webhook');
    expect(hook.body).toMatchObject({ title: 'Manual decision needed: ci/lint', host: 'local', pipeline: 'ci', stage: 'lint' });
    expect(hook.body.body).toContain('lint keeps failing');
    expect(hook.body.links.approve).toMatch(/\/a\/[^/]+\/approve$/);
    const chan = await waitFor(() => ctx.sink.on('/serverchan/SCTtestkey.send').find((r) => r.body.title === 'Manual decision needed: ci/lint'), 'serverchan');
    expect(chan.body.desp).toContain('lint keeps failing');
    expect(chan.body.desp).toContain(`[Approve](${hook.body.links.approve})`);
    const wecom = await waitFor(() => ctx.sink.on('/wecom').find((r) => r.body.markdown?.content?.startsWith('**Manual decision needed: ci/lint**')), 'wecom');
    expect(wecom.body.msgtype).toBe('markdown');

    // Two runs of lint were typed before asking (the first run and the retry).
    expect((await ctx.tmux.capture(paneId, '-S', '-100')).match(/^ci> lint$/gm)).toHaveLength(2);
    const res = await ctx.api.post(`/api/approvals/${approval.id}`, { decision: 'approve' }, ApprovalDecisionResult);
    expect(res.status).toBe(200);
    await waitForStage(ctx.api, 'ci', paneId, 'lint', 'COMPLETED');
    expect((await ctx.tmux.capture(paneId, '-S', '-100')).match(/^ci> lint$/gm)).toHaveLength(3);
    const build = await waitForApproval(ctx.api, paneId, 'build');
    await ctx.api.post(`/api/approvals/${build.id}`, { decision: 'approve' }, ApprovalDecisionResult);
    await waitForStage(ctx.api, 'ci', paneId, 'test', 'COMPLETED');

    // The WeCom delivery that got a 500 was retried and is recorded with both attempts.
    const records = await waitFor(async () => {
      const { body } = await ctx.api.get('/api/notifications?limit=200', NotificationList);
      return body.notifications.find((n: any) => n.channel === 'wecom' && n.attempts === 2 && n.status === 'sent') ? body.notifications : undefined;
    }, 'a wecom delivery sent on its second attempt');
    expect(records.find((n: any) => n.channel === 'wecom' && n.attempts === 2)).toMatchObject({ status: 'sent', httpStatus: 200 });
  });

  it('test fails, is retried once, fails again: FAILED with escalate_code CI_TESTS_RED and an escalation', async () => {
    const paneId = await newPane(ctx.tmux, 'demo-escalate', 'ci', `bash ${CI_DEMO}`, { CI_DEMO_DELAY: '0', CI_DEMO_TEST_FAILURES: '2' });
    const build = await waitForApproval(ctx.api, paneId, 'build');
    await ctx.api.post(`/api/approvals/${build.id}`, { decision: 'approve' }, ApprovalDecisionResult);
    const failed = await waitForStage(ctx.api, 'ci', paneId, 'test', 'FAILED');
    expect(failed).toMatchObject({ retries: 1, maxRetries: 1, reason: 'fail_condition', escalateCode: 'CI_TESTS_RED' });

    // on_fail_notify on both failures, then the escalation; on every channel.
    const fails = await waitFor(() => (webhooks(paneId, 'fail').length === 2 ? webhooks(paneId, 'fail') : undefined), 'two fail webhooks');
    expect(fails.map((r) => r.body.title)).toEqual(['ci/test failed', 'ci/test failed']);
    expect(fails.map((r) => r.body.body)).toEqual([
      '[ci] FAIL: 1 of 42 tests failed (test/network.test.ts: socket hang up) (retries so far: 0/1)',
      '[ci] FAIL: 1 of 42 tests failed (test/network.test.ts: socket hang up) (retries so far: 1/1)',
    ]);
    const escalation = await waitFor(() => webhooks(paneId, 'escalate')[0], 'the escalation webhook');
    expect(escalation.body).toMatchObject({ title: 'Escalation CI_TESTS_RED: ci/test', host: 'local', pane: paneId, pipeline: 'ci', stage: 'test' });
    expect(escalation.body.body).toContain('Escalation code: CI_TESTS_RED');
    expect(escalation.body.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const chan = await waitFor(() => ctx.sink.on('/serverchan/SCTtestkey.send').find((r) => r.body.title === 'Escalation CI_TESTS_RED: ci/test'), 'serverchan escalation');
    expect(chan.body.desp).toContain('Escalation code: CI_TESTS_RED');
    await waitFor(() => ctx.sink.on('/wecom').find((r) => r.body.markdown.content.startsWith('**Escalation CI_TESTS_RED: ci/test**')), 'wecom escalation');

    // Stored with tmuxagent's data, and on the overview.
    const { body: history } = await ctx.api.get(`/api/stage-history?host=local&paneId=${encodeURIComponent(paneId)}&stage=test`, StageHistoryList);
    expect(history.history.map((h: any) => `${h.from}>${h.to}`).reverse()).toEqual(['IDLE>RUNNING', 'RUNNING>RUNNING', 'RUNNING>FAILED']);
    expect(history.history[0]!.data).toMatchObject({ reason: 'fail_condition', escalate_code: 'CI_TESTS_RED' });
    const { body: overview } = await ctx.api.get('/api/overview', Overview);
    expect(overview.recentFailures).toContainEqual(expect.objectContaining({ paneId, stage: 'test', escalateCode: 'CI_TESTS_RED', reason: 'fail_condition' }));
    // The test command was typed twice (first run and the retry).
    expect((await ctx.tmux.capture(paneId, '-S', '-100')).match(/^ci> test$/gm)).toHaveLength(2);
  });

  it('a broken endpoint ends in failed records after its retries, and the engine keeps going', async () => {
    const { body } = await ctx.api.get('/api/notifications?status=failed&limit=500', NotificationList);
    expect(body.notifications.length).toBeGreaterThan(0);
    for (const record of body.notifications) {
      expect(record).toMatchObject({ channel: 'webhook[1]', status: 'failed', attempts: 3, httpStatus: 500 });
      expect(record.lastError).toMatch(/HTTP 500/);
    }
    const { body: sent } = await ctx.api.get('/api/notifications?status=sent&limit=500', NotificationList);
    expect(new Set(sent.notifications.map((n: any) => n.channel))).toEqual(new Set(['stdout', 'serverchan', 'wecom', 'webhook[0]']));
    expect((await fetch(new URL('/healthz', ctx.agent.bridge.url))).status).toBe(200);
    // Config view: channels active, secrets redacted.
    const { body: config } = await ctx.api.get('/api/agent/config', AgentConfigView);
    expect(config.activeChannels).toEqual(['stdout', 'serverchan', 'wecom', 'webhook[0]', 'webhook[1]']);
    expect(JSON.stringify(config)).not.toContain('SCTtestkey');
  });
});
