/**
 * hosts.yaml `bridge: {notify_language: zh-CN}`: the titles and bodies the engine writes
 * itself (ask_human, approval, escalation, and the words around the signed links) reach
 * stdout, ServerChan, WeCom and a webhook (a local HTTP server here) in Chinese, while a
 * policy.yaml template goes as written and the stored record keeps the English. Then the
 * setting is removed from the file: the reload brings back the English, word for word
 * what the engine always sent.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newPane, useAgentBridge, waitForApproval, waitForStage, waitForWatching, type ReceivedRequest } from '../helpers/agent.ts';
import { waitFor } from '../helpers/tmux.ts';
import { AgentConfigView, ApprovalDecisionResult, NotificationList, type ApprovalView } from '../../schemas/index.ts';

const PROMPT = '代码检查没有通过：修好后批准，重新检查';
const hostsYaml = (socket: string, language: string) => `poll_interval_ms: 200
approval_dir: {APPROVALS}
notify: "stdout,serverchan,wecom,webhook"
hosts:
  - name: local
    tmux: {socket: ${socket}, session_filters: ["^lang"]}
bridge:
  notify_retry: {attempts: 3, base_delay_ms: 20, timeout_ms: 2000}
${language}`;

const ctx = useAgentBridge(
  ({ tmux, sink }) => ({
    hosts: hostsYaml(tmux.socketName, '  notify_language: zh-CN\n'),
    policy: `pipelines:
  - name: ship
    match: {any_of: [{window_name: "^ship$"}]}
    stages:
      - name: lint
        triggers: {any_of: [{log_regex: "^GO$"}]}
        success_when: {any_of: [{log_regex: "^LINT_OK$"}]}
        fail_when: {any_of: [{log_regex: "^E_LINT$"}]}
        on_fail: [{ask_human: "${PROMPT}"}]
      - name: build
        triggers: {any_of: [{after_stage_success: lint}]}
        require_approval: true
        success_when: {any_of: [{log_regex: "^BUILD_OK$"}]}
      - name: test
        triggers: {any_of: [{after_stage_success: build}]}
        fail_when: {any_of: [{log_regex: "^E_TEST_RED$"}]}
        on_fail: [{escalate: TESTS_RED}]
        on_fail_notify: {title: "test failed on {host}", body: "last line: {line}"}
`,
    env: sink.env(),
  }),
  { sink: true },
);

/** What one notification looked like on each channel. */
interface Received {
  readonly webhook: ReceivedRequest;
  readonly serverchan: ReceivedRequest;
  readonly wecom: ReceivedRequest;
  readonly stdout: string;
}

/** The notification of `kind` about `paneId` on every channel (the others found by the webhook's title: the latest with it). */
async function received(paneId: string, kind: string): Promise<Received> {
  const webhook = await waitFor(() => ctx.sink.on('/webhook').find((r) => r.body.pane === paneId && r.body.kind === kind), `the ${kind} webhook of ${paneId}`);
  const title: string = webhook.body.title;
  const serverchan = await waitFor(() => ctx.sink.on('/serverchan/SCTtestkey.send').findLast((r) => r.body.title === title), `the ${kind} ServerChan message`);
  const wecom = await waitFor(() => ctx.sink.on('/wecom').findLast((r) => r.body.markdown?.content?.startsWith(`**${title}**\n\n`)), `the ${kind} WeCom message`);
  const stdout = await waitFor(() => ctx.agent.stdout.findLast((text) => text.startsWith(`[NOTIFY] ${title}\n`)), `the ${kind} stdout line`);
  return { webhook, serverchan, wecom, stdout };
}

/** Types a line into the pane (its program echoes nothing itself: `cat` with the terminal's echo off). */
async function say(paneId: string, line: string): Promise<void> {
  await ctx.tmux.tmux('send-keys', '-t', paneId, '-l', '--', line);
  await ctx.tmux.tmux('send-keys', '-t', paneId, 'Enter');
}

async function approve(approval: ApprovalView): Promise<void> {
  const res = await ctx.api.post(`/api/approvals/${approval.id}`, { decision: 'approve' }, ApprovalDecisionResult);
  expect(res.status).toBe(200);
}

/** A pane of pipeline ship driven through ask_human, an approval and an escalation; every notification as received. */
async function runShip(session: string) {
  const paneId = await newPane(ctx.tmux, session, 'ship', "sh -c 'stty -echo; exec cat'");
  await waitForWatching(ctx.api, paneId);
  await say(paneId, 'GO');
  await waitForStage(ctx.api, 'ship', paneId, 'lint', 'RUNNING');
  await say(paneId, 'E_LINT');
  const asked = await waitForApproval(ctx.api, paneId, 'lint');
  const askHuman = await received(paneId, 'ask_human');
  await approve(asked);
  await waitForStage(ctx.api, 'ship', paneId, 'lint', 'RUNNING');
  await say(paneId, 'LINT_OK');
  const waiting = await waitForApproval(ctx.api, paneId, 'build');
  const approval = await received(paneId, 'approval');
  await approve(waiting);
  await waitForStage(ctx.api, 'ship', paneId, 'build', 'RUNNING');
  await say(paneId, 'BUILD_OK');
  await waitForStage(ctx.api, 'ship', paneId, 'test', 'RUNNING');
  await say(paneId, 'E_TEST_RED');
  await waitForStage(ctx.api, 'ship', paneId, 'test', 'FAILED');
  const escalation = await received(paneId, 'escalate');
  const template = await received(paneId, 'fail');
  return { paneId, asked, waiting, askHuman, approval, escalation, template };
}

/** Every text a channel got: title and body (ServerChan's desp, WeCom's markdown, the stdout line). */
const texts = (r: Received) => [r.webhook.body.title, r.webhook.body.body, r.serverchan.body.title, r.serverchan.body.desp, r.wecom.body.markdown.content, r.stdout];

/**
 * Words of three or more Latin letters left after taking out what is not language: URLs,
 * paths, the pane id, codes (TESTS_RED, the pane's line E_TEST_RED), the names of the
 * pipeline, its stages and host, and `approve`/`reject`, which a user writes into the file.
 */
function englishLeft(text: string, paneId: string): string[] {
  const rest = text
    .replace(/https?:\/\/[^\s)]+/g, ' ')
    .replace(/\/[^\s（）()]+/g, ' ')
    .split(paneId)
    .join(' ')
    .replace(/\b[A-Z]+(?:_[A-Z]+)+\b/g, ' ');
  const names = ['ship', 'lint', 'build', 'test', 'local', 'approve', 'reject', 'NOTIFY'];
  return (rest.match(/[A-Za-z]{3,}/g) ?? []).filter((word) => !names.includes(word));
}

describe('notify_language', () => {
  it('zh-CN: the engine\'s own notifications reach every channel in Chinese; a template as written; the record in English', async () => {
    const run = await runShip('lang-zh');
    const { paneId } = run;
    for (const r of [run.askHuman, run.approval, run.escalation]) {
      for (const text of texts(r)) expect(englishLeft(text, paneId), text).toEqual([]);
    }

    // The words are the web UI's Chinese catalog's, the links inside them.
    const { approve: yes, reject: no } = run.approval.webhook.body.links;
    expect(run.approval.webhook.body.title).toBe('需要审批：ship/build');
    expect(run.approval.webhook.body.body).toBe(
      `流水线“ship”的阶段“build”（local ${paneId}）正在等待审批。\n文件：${run.waiting.file}（在其中写入 approve 或 reject）\n[批准](${yes}) | [拒绝](${no})`,
    );
    expect(run.approval.serverchan.body.desp).toBe(run.approval.webhook.body.body);
    expect(run.approval.wecom.body.markdown.content).toBe(`**需要审批：ship/build**\n\n${run.approval.webhook.body.body}`);
    expect(run.approval.stdout).toBe(`[NOTIFY] 需要审批：ship/build\n${run.approval.webhook.body.body}\n`);
    expect(run.askHuman.webhook.body.title).toBe('需要人工决定：ship/lint');
    const asked = run.askHuman.webhook.body.links;
    expect(run.askHuman.webhook.body.body).toBe(
      `${PROMPT}\n批准则重新运行该阶段，拒绝则使其失败。\n文件：${run.asked.file}（在其中写入 approve 或 reject）\n[批准](${asked.approve}) | [拒绝](${asked.reject})`,
    );
    expect(run.escalation.webhook.body).toMatchObject({
      title: '升级 TESTS_RED：ship/test',
      body: `流水线“ship”的阶段“test”在 local ${paneId} 上失败（满足失败条件）。\n升级代码：TESTS_RED\n最后一行：E_TEST_RED`,
      pipeline: 'ship',
      stage: 'test',
      host: 'local',
    });

    // policy.yaml's on_fail_notify goes exactly as written.
    expect(run.template.webhook.body).toMatchObject({ title: 'test failed on local', body: 'last line: E_TEST_RED' });
    expect(run.template.serverchan.body).toMatchObject({ title: 'test failed on local', desp: 'last line: E_TEST_RED' });

    // The stored records keep the English words and the code the board words them by.
    const { body } = await ctx.api.get('/api/notifications?limit=500', NotificationList);
    const records = body.notifications.filter((n) => n.payload.paneId === paneId);
    const approvalRecord = records.find((n) => n.kind === 'approval' && n.channel === 'serverchan')!;
    expect(approvalRecord).toMatchObject({ title: 'Approval required: ship/build', status: 'sent', payload: { text: { code: 'approval' } } });
    expect(approvalRecord.body).toContain(`[Approve](${yes}) | [Reject](${no})`);
    expect(records.find((n) => n.kind === 'escalate' && n.channel === 'webhook')).toMatchObject({ title: 'Escalation TESTS_RED: ship/test', payload: { text: { code: 'escalate' } } });
    expect((await ctx.api.get('/api/agent/config', AgentConfigView)).body.bridge.notifyLanguage).toBe('zh-CN');
  });

  it('without the setting (after a reload): English, exactly as the engine always wrote it', async () => {
    writeFileSync(ctx.files.hostsPath, hostsYaml(ctx.tmux.socketName, '').replaceAll('{APPROVALS}', ctx.files.approvalDir));
    await waitFor(async () => (await ctx.api.get('/api/agent/config', AgentConfigView)).body.bridge.notifyLanguage === 'en', 'the reload to English', 30_000);

    const run = await runShip('lang-en');
    const { paneId } = run;
    const approval = run.approval.webhook.body;
    expect(approval.title).toBe('Approval required: ship/build');
    expect(approval.body).toBe(
      `Stage "build" of pipeline "ship" on local ${paneId} is waiting for approval.\nFile: ${run.waiting.file} (write approve or reject into it)\n[Approve](${approval.links.approve}) | [Reject](${approval.links.reject})`,
    );
    expect(run.approval.serverchan.body).toEqual({ title: approval.title, desp: approval.body });
    expect(run.approval.wecom.body.markdown.content).toBe(`**${approval.title}**\n\n${approval.body}`);
    expect(run.approval.stdout).toBe(`[NOTIFY] ${approval.title}\n${approval.body}\n`);
    const asked = run.askHuman.webhook.body;
    expect(asked.title).toBe('Manual decision needed: ship/lint');
    expect(asked.body).toBe(
      `${PROMPT}\nApprove to run the stage again, reject to fail it.\nFile: ${run.asked.file} (write approve or reject into it)\n[Approve](${asked.links.approve}) | [Reject](${asked.links.reject})`,
    );
    expect(run.escalation.webhook.body).toMatchObject({
      title: 'Escalation TESTS_RED: ship/test',
      body: `Stage "test" of pipeline "ship" failed on local ${paneId} (fail_condition).\nEscalation code: TESTS_RED\nLast line: E_TEST_RED`,
    });
    expect(run.escalation.serverchan.body.desp).toBe(run.escalation.webhook.body.body);
    expect(run.template.webhook.body).toMatchObject({ title: 'test failed on local', body: 'last line: E_TEST_RED' });
  });
});
