/**
 * What the server words in English reaches a Chinese user in Chinese: a flow's
 * validation issues (zod's codes and the graph rules' codes) and a stage's reason
 * (its code), the notifications the engine words itself, a queue item's and a flow run's reasons, each through the catalog; English renders exactly as the server wrote it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { issueMessage, issueText, setLocale } from '../../client/i18n/index.ts';
import { reasonText } from '../../client/services/stage-reason.ts';
import { parseOr400 } from '../../server/http/errors.ts';
import { ApiError } from '../../base/errors.ts';
import { CreateSessionBody, FlowInput, KeysBody, conditionText, hostReasonOf, hostReasonText, flowProblems, stageReasonOf, stageReasonText } from '../../schemas/index.ts';
import { en as eagerEnglish } from '../../client/i18n/en/index.ts';
import { flows as flowsEnglish } from '../../client/i18n/en/flows.ts';
import { addEnglish } from '../../client/i18n/catalog.ts';
import { serverWords as serverWordsEnglish } from '../../client/i18n/en/server-words.ts';
import { history as historyEnglish } from '../../client/i18n/en/history.ts';
import { notificationText } from '../../client/services/notification-text.ts';
import { escalationText } from '../../server/agent/policy/text.ts';
import type { NotificationRecord, QueueItem } from '../../schemas/index.ts';
import { blockedFields, failureFields, startErrorParams } from '../../schemas/queue-reason.ts';
import { flowRunReasonFields, flowRunReasonText } from '../../schemas/flow-reason.ts';
import { runReasonText } from '../../client/components/flows/run-reason.ts';
import { errorText } from '../../client/services/api.ts';
import { terminal as terminalEnglish } from '../../client/i18n/en/terminal.ts';
import { t, type MessageKey } from '../../client/i18n/index.ts';
import { hostReasonText as hostReasonWords } from '../../client/services/host-reason.ts';
import { classifySshFailure } from '../../tmux/ssh.ts';
import { terminalCloseCode, terminalCloseText, terminalErrorText } from '../../schemas/terminal-view.ts';
import { terminalErrorText as terminalErrorWords } from '../../client/services/terminal-words.ts';
import { terminalError } from '../../server/sessions/terminal-error.ts';
import { sessionErrorText } from '../../schemas/session-error.ts';
import { reasons as queuesEnglish } from '../../client/i18n/en/reasons.ts';
import { blockedText, failureText } from '../../client/components/queues/item-reason.ts';

addEnglish(flowsEnglish);
void eagerEnglish;

/** Words of three or more Latin letters: English left in a Chinese text (ids and config words excepted by the caller). */
const english = (text: string, allowed: readonly string[] = []) => (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !allowed.includes(w));

afterEach(() => setLocale('en', false));

describe('validation issues in the UI language', () => {
  it('an empty flow draft: every issue in Chinese, through the catalog', async () => {
    await setLocale('zh-CN', false);
    const parsed = FlowInput.safeParse({ name: '', nodes: [{ id: 'A', data: { instruction: '' } }, { id: 'bad id', data: { instruction: 'x' } }], edges: [] });
    expect(parsed.success).toBe(false);
    const texts = parsed.error!.issues.map((i) => issueText(i));
    expect(texts.length).toBeGreaterThanOrEqual(3);
    for (const text of texts) expect(english(text, ['name', 'nodes', 'data', 'instruction']), text).toEqual([]);
    expect(texts).toContain('name：必填');
    expect(texts).toContain('nodes.0.data.instruction：必填');
    // A name pattern says which characters it allows.
    expect(texts).toContain('nodes.1.id：只能使用字母、数字、_ . : -');
  });

  it('a pattern whose first character is held to other rules says so', async () => {
    const parsed = FlowInput.safeParse({ name: 'f', nodes: [{ id: 'A', data: { instruction: 'x', outputName: '9lives' } }], edges: [] });
    const issue = parsed.error!.issues.find((i) => i.path.join('.') === 'nodes.0.data.outputName')!;
    expect(issueText(issue)).toBe('nodes.0.data.outputName: start with a letter or _, then letters, digits, _ . -');
    await setLocale('zh-CN', false);
    expect(issueText(issue)).toBe('nodes.0.data.outputName：以字母、_开头，之后只能使用字母、数字、_ . -');
  });

  it('the graph rules: codes with parameters, worded from the catalog', async () => {
    const draft = FlowInput.parse({
      name: 'f',
      nodes: [
        { id: 'A', data: { instruction: 'x', outputName: 'out', delivery: 'sendToSession' } },
        { id: 'B', data: { instruction: '{{out}} {{nope}}' } },
      ],
      edges: [{ source: 'A', target: 'C' }],
    });
    const problems = flowProblems(draft);
    expect(problems.map((p) => p.code).sort()).toEqual(['flow_needs_session', 'flow_unknown_name', 'flow_unknown_name_owner', 'flow_unknown_node']);
    // English: the catalog says what the server says, give or take the field names people see.
    expect(issueMessage(problems.find((p) => p.code === 'flow_unknown_node')!)).toBe(problems.find((p) => p.code === 'flow_unknown_node')!.message);
    await setLocale('zh-CN', false);
    for (const p of problems) expect(english(issueMessage(p), ['out', 'nope']), p.code).toEqual([]);
    expect(issueMessage(problems.find((p) => p.code === 'flow_unknown_name_owner')!)).toContain('节点“A”有它');
  });

  it('a 400 from the server carries the parameters the client words issues with', async () => {
    let error: ApiError | undefined;
    try {
      parseOr400(CreateSessionBody, { name: 'x'.repeat(500), cols: 'wide' });
    } catch (e) {
      error = e as ApiError;
    }
    expect(error?.status).toBe(400);
    const details = error!.details as Array<Record<string, unknown>>;
    const long = details.find((d) => d.code === 'too_big');
    expect(long, JSON.stringify(details)).toMatchObject({ path: ['name'], origin: 'string' });
    expect(typeof long!.maximum).toBe('number');
    await setLocale('zh-CN', false);
    expect(issueText(long!)).toBe(`name：最多 ${String(long!.maximum)} 个字符`);
  });

  it('a refinement names its rule: English keeps its words, Chinese words the rule', async () => {
    let error: ApiError | undefined;
    try {
      parseOr400(KeysBody, { keys: ['Enter', 'NoSuchKey'] });
    } catch (e) {
      error = e as ApiError;
    }
    const detail = (error!.details as Array<Record<string, unknown>>)[0]!;
    expect(detail).toMatchObject({ path: ['keys', 1], code: 'custom', params: { rule: 'key_name' } });
    expect(issueText(detail)).toBe(`keys.1: ${detail.message as string}`);
    await setLocale('zh-CN', false);
    expect(issueText(detail)).toBe('keys.1：不是 tmux 键名（如 Enter、Escape、C-c、M-x、F5、Up、BSpace 或单个字符）');
  });
});

describe('stage reasons through the catalog', () => {
  const samples = [
    stageReasonText.triggered('log_regex "^START$"', 'START', false),
    stageReasonText.triggered('after_stage_success lint', null, true),
    stageReasonText.triggered(conditionText.noTriggers(), null, false),
    stageReasonText.succeeded(conditionText.allOfComplete(3, 'log_regex "^DONE$"'), 'DONE'),
    stageReasonText.succeeded('log_regex "^OK$"', 'OK "quoted" \\ line'),
    stageReasonText.retrying('log_regex "ERR"', 'ERR 1', 2, 3),
    stageReasonText.failed('log_regex "ERR"', 'ERR 1', 3, false),
    stageReasonText.failed('log_regex "ERR"', null, 1, true),
    stageReasonText.failed('log_regex "ERR"', null, null, false),
    stageReasonText.decided('approved', 'alice', 'web'),
    stageReasonText.decided('rejected', undefined, 'file'),
    stageReasonText.decided('approved'),
    stageReasonText.retryRequested('bob'),
    stageReasonText.reset(),
    stageReasonText.waitingTrigger(),
    'fail_condition',
    'rejected',
  ];

  it('every reason the engine writes has a code, and English renders it word for word', () => {
    for (const text of samples) {
      const parsed = stageReasonOf(text);
      expect(parsed, text).not.toBeNull();
      expect(reasonText({ reason: text, reasonCode: parsed!.code, reasonParams: parsed!.params }), text).toBe(text);
    }
    expect(stageReasonOf('exit status 2: make: *** [all] Error 2')).toBeNull();
  });

  it('in Chinese no fixed English word is left (the condition and the line stay as written)', async () => {
    await setLocale('zh-CN', false);
    const free = ['log_regex', 'START', 'DONE', 'after_stage_success', 'lint', 'OK', 'quoted', 'line', 'ERR', 'alice', 'bob'];
    for (const text of samples) {
      const parsed = stageReasonOf(text)!;
      const shown = reasonText({ reason: text, reasonCode: parsed.code, reasonParams: parsed.params });
      expect(english(shown.replace(/log_regex|after_stage_success|all_of/g, ''), free), `${text} → ${shown}`).toEqual([]);
    }
    expect(reasonText({ reason: 'fail_condition', reasonCode: 'fail_condition' })).toBe('满足失败条件');
    const started = stageReasonOf(stageReasonText.triggered(conditionText.noTriggers(), null, false))!;
    expect(reasonText({ reason: '', reasonCode: started.code, reasonParams: started.params })).toBe('触发条件满足：未设触发条件');
    // Free text without a code shows as sent.
    expect(reasonText({ reason: 'make: Error 2' })).toBe('make: Error 2');
  });
});

describe('notification texts the engine writes', () => {
  const record = (kind: NotificationRecord['kind'], title: string, body: string, text: NotificationRecord['payload']['text']): NotificationRecord => ({
    deliveryId: 'n1.stdout',
    notificationId: 'n1',
    channel: 'stdout',
    title,
    body,
    kind,
    status: 'sent',
    attempts: 1,
    lastError: null,
    httpStatus: null,
    createdAt: new Date(0).toISOString(),
    sentAt: null,
    payload: { host: 'local', paneId: '%1', pipeline: 'ci', stage: 'test', links: {}, text },
  });
  const vars = { pipeline: 'ci', stage: 'test', host: 'local', pane: '%1', retries: '2', max_retries: '2', reason: 'fail_condition', escalate_code: 'CI_RED', line: 'FAILED 3 tests', prompt: '' };
  const escalation = escalationText(vars);
  const escalate = record('escalate', escalation.title, escalation.body, { code: 'escalate', params: { reason: vars.reason, retries: vars.retries, escalate_code: vars.escalate_code, line: vars.line } });

  it('English reads as the server wrote it; Chinese has no English word but the subject and the pane line', async () => {
    addEnglish(historyEnglish);
    expect(notificationText(escalate)).toEqual(escalation);
    await setLocale('zh-CN', false);
    const shown = notificationText(escalate);
    expect(shown.title).toBe('升级 CI_RED：ci/test');
    expect(english(`${shown.title} ${shown.body}`, ['RED', 'test', 'local', 'FAILED', 'tests'])).toEqual([]);
    const approval = notificationText(record('approval', 'Approval required: ci/test', 'Stage "test" …', { code: 'approval', params: { prompt: '', file: '/tmp/a.json' } }));
    expect(approval.title).toBe('需要审批：ci/test');
    expect(english(`${approval.title} ${approval.body}`, ['test', 'local', 'tmp', 'json', 'approve', 'reject'])).toEqual([]);
    // A policy.yaml template (no code) shows as written.
    expect(notificationText(record('fail', 'ci failed', 'see the log', undefined))).toEqual({ title: 'ci failed', body: 'see the log' });
  });
});

describe('queue item reasons', () => {
  it('blocked and failure reasons: English as the server writes them, Chinese from the codes', async () => {
    addEnglish(queuesEnglish);
    const dep = { item_id: 'a', ...failureFields('exit_code', { code: '2' }) } as unknown as QueueItem;
    const byId = new Map([['a', dep]]);
    const items = [
      { ...blockedFields('dep_failed', 'a', true, dep.failure_reason) },
      { ...blockedFields('dep_cancelled', 'a', false, null) },
      { ...blockedFields('dep_blocked', 'a', false, null) },
    ];
    const failures = [failureFields('timed_out'), failureFields('cancelled'), failureFields('stopped'), failureFields('could_not_start', { message: 'tool missing' }), failureFields('execution_lost', { execution: 'x_1' })];
    for (const item of items) expect(blockedText(item, byId)).toBe(item.blocked_reason);
    for (const item of [...failures, dep]) expect(failureText(item)).toBe(item.failure_reason);
    await setLocale('zh-CN', false);
    expect(blockedText(items[0]!, byId)).toBe('等待 a（在同一顺序组中排在它之前），但它已失败（退出码 2）');
    for (const item of failures) expect(english(failureText(item), ['tool', 'missing']), failureText(item)).toEqual([]);
  });

  it('a start error with an API code (auto-start, a queue item): the error in Chinese too', async () => {
    addEnglish(queuesEnglish);
    const busy = new ApiError(409, 'session_busy', 'session s1 is executing x_1; wait for it or cancel it');
    const autoStart = failureFields('auto_start_failed', startErrorParams(busy));
    const start = failureFields('could_not_start', startErrorParams(busy));
    const plain = failureFields('auto_start_failed', startErrorParams(new Error('spawn tmux ENOENT')));
    expect(autoStart.failure_code.params).toEqual({ message: busy.message, error: 'session_busy' });
    expect(autoStart.failure_reason).toBe(`auto-start failed: ${busy.message}`);
    for (const item of [autoStart, start, plain]) expect(failureText(item)).toBe(item.failure_reason);
    await setLocale('zh-CN', false);
    expect(failureText(autoStart)).toBe(`自动启动失败：${t('apiError.session_busy')}`);
    expect(failureText(start)).toBe(`无法启动：${t('apiError.session_busy')}`);
    expect(english(failureText(autoStart))).toEqual([]);
    // An error without a code keeps its words (a program's own message).
    expect(failureText(plain)).toBe('自动启动失败：spawn tmux ENOENT');
  });
});

describe('flow run reasons', () => {
  it('English as the runner writes it, Chinese from the code; the node\'s own error stays', async () => {
    addEnglish(flowsEnglish);
    const texts = [flowRunReasonText.paused(), flowRunReasonText.stopped(), flowRunReasonText.nodeFailed('B', 'exit 3', false), flowRunReasonText.nodeFailed('B', null, true)];
    for (const reason of texts) {
      const fields = flowRunReasonFields(reason);
      expect(fields.reasonCode, reason).toBeDefined();
      expect(runReasonText({ reason, ...fields })).toBe(reason);
    }
    await setLocale('zh-CN', false);
    for (const reason of texts) expect(english(runReasonText({ reason, ...flowRunReasonFields(reason) }), ['exit'])).toEqual([]);
    expect(runReasonText({ reason: texts[3]!, ...flowRunReasonFields(texts[3]) })).toBe('节点“B”失败：请查看其输出；继续运行会重新运行它');
  });
});

describe('API errors by code', () => {
  it('English shows the server\'s words; Chinese the catalog\'s for a known code, else the server\'s', async () => {
    expect(errorText('name_taken', 'a tmux session named "x" already exists')).toBe('a tmux session named "x" already exists');
    await setLocale('zh-CN', false);
    expect(errorText('name_taken', 'a tmux session named "x" already exists')).toBe('已有同名会话');
    expect(errorText('some_new_code', 'words')).toBe('words');
    // A 404 that says what was missing names it; an unknown kind falls back to the code's words.
    expect(errorText('not_found', 'no queue "q_1"; GET /api/queues lists them', { what: 'queue', id: 'q_1' })).toBe('没有队列“q_1”');
    expect(errorText('not_found', 'no pipeline "ci" in the running policy', { what: 'pipeline', id: 'ci' })).toBe('当前策略中没有流水线“ci”');
    expect(errorText('not_found', 'no widget "w"', { what: 'widget', id: 'w' })).toBe(t('apiError.not_found'));
    await setLocale('en', false);
    expect(errorText('not_found', 'no queue "q_1"; GET /api/queues lists them', { what: 'queue', id: 'q_1' })).toBe('no queue "q_1"; GET /api/queues lists them');
  });
});

describe('terminal close reasons', () => {
  it('the reasons the server closes a terminal with have codes, worded in Chinese', async () => {
    const reasons = [terminalCloseText.sessionClosed, terminalCloseText.sessionUnavailable, terminalCloseText.hostRemoved('farm'), terminalCloseText.hostPolled('farm')];
    const codes = reasons.map((reason) => terminalCloseCode(reason)?.code);
    expect(codes).toEqual(['session_closed', 'session_unavailable', 'host_removed', 'host_polled']);
    expect(terminalCloseCode(terminalCloseText.hostRemoved('my host'))).toEqual({ code: 'host_removed', host: 'my host' });
    expect(terminalCloseCode('too slow')).toBeNull();
    addEnglish(terminalEnglish);
    for (const reason of reasons) {
      const known = terminalCloseCode(reason)!;
      expect(t(`term.close.${known.code}`, { host: known.host })).toBe(reason);
    }
    await setLocale('zh-CN', false);
    expect(t('term.close.host_removed', { host: 'farm' })).toBe('主机 farm 已从 hosts.yaml 中移除');
  });
});

describe('host connection reasons', () => {
  const target = { host: 'nas.local', port: 2222, user: 'ops', key: null, timeoutSec: 10, knownHosts: null, acceptNewHostKey: false };
  const reasons = [
    hostReasonText.connecting(),
    hostReasonText.settingsChanged(),
    classifySshFailure(target, 255, 'ops@nas.local: Permission denied (publickey).').message,
    classifySshFailure(target, 255, 'Host key verification failed.').message,
    classifySshFailure(target, 255, '').message,
    classifySshFailure(target, 255, 'ssh: connect to host nas.local port 2222: Connection refused').message,
    classifySshFailure(target, 1, '').message,
    classifySshFailure(target, 1, 'bash: tmux: command not found').message,
    hostReasonText.noControl(classifySshFailure(target, 1, 'usage: tmux [-2CDlNuvV]').message),
    hostReasonText.polling(hostReasonText.noControl(classifySshFailure(target, 1, 'usage: tmux [-2CDlNuvV]').message)),
  ];

  it('every reason the bridge gives has a code, and the English catalog says it word for word', () => {
    addEnglish(serverWordsEnglish);
    const codes = reasons.map((reason) => hostReasonOf(reason)?.code);
    expect(codes).toEqual(['connecting', 'settings_changed', 'auth', 'host_key', 'connection_lost', 'unreachable', 'remote_exit', 'remote', 'no_control', 'polling']);
    for (const reason of reasons) expect(hostReasonWords(reason)).toBe(reason);
    // The catalog's English is the server's, so a reworded server text fails here until the catalog follows.
    const english = (reason: string): string => {
      const { code, params } = hostReasonOf(reason)!;
      const { why, ...rest } = params;
      return t(`hostReason.${code}` as MessageKey, why === undefined ? rest : { ...rest, why: english(why) });
    };
    for (const reason of reasons) expect(english(reason)).toBe(reason);
    expect(hostReasonOf('tmux: no server running on /tmp/tmux-0/x')).toBeNull();
  });

  it('in Chinese only the host, the command and what ssh or tmux said stay as written', async () => {
    await setLocale('zh-CN', false);
    const free = ['ops', 'nas', 'local', 'Permission', 'denied', 'publickey', 'Host', 'key', 'verification', 'failed', 'ssh', 'connect', 'host', 'port', 'Connection', 'refused',
      'bash', 'tmux', 'command', 'not', 'found', 'usage', 'CDlNuvV', 'hosts', 'yaml', 'authorized', 'keys', 'known', 'keyscan', 'accept', 'new', 'true'];
    for (const reason of reasons) expect(english(hostReasonWords(reason)!, free), reason).toEqual([]);
    expect(hostReasonWords(reasons[4]!)).toBe('无法连接 ops@nas.local:2222：连接已断开');
    expect(hostReasonWords(reasons.at(-1)!)).toBe('该主机上的 tmux 没有控制模式（在 ops@nas.local:2222 上：usage: tmux [-2CDlNuvV]）；实时输出需要 tmux 3.2 或更高版本；改为定时抓取屏幕');
    expect(hostReasonWords('tmux: no server running')).toBe('tmux: no server running');
  });
});

describe('terminal errors', () => {
  const errors = [
    terminalErrorText.foreignPipe(),
    terminalErrorText.viewOnly(),
    terminalErrorText.screenUnreadable("can't find pane: %9"),
    terminalErrorText.hostDropped(terminalCloseText.hostRemoved('farm')),
  ].map((e) => ({ type: 'error' as const, ...e }));
  const exited = terminalError(new ApiError(409, 'session_exited', 'the program in session s1 has exited; restart it'));

  it('English as the server sends it; the catalog says the same', () => {
    addEnglish(terminalEnglish);
    expect(exited.code).toBe('session_exited');
    for (const error of [...errors, exited]) expect(terminalErrorWords(error)).toBe(error.message);
    for (const error of errors) expect(t(`term.error.${error.code}` as MessageKey, error.params)).toBe(error.message);
  });

  it('Chinese from the codes; what tmux said stays', async () => {
    addEnglish(terminalEnglish);
    await setLocale('zh-CN', false);
    for (const error of [...errors, exited]) expect(english(terminalErrorWords(error), ['pipe', 'pane', 'mode', 'view', 'can', 'find', 'farm', 'hosts', 'yaml']), error.message).toEqual([]);
    expect(terminalErrorWords(errors[3]!)).toBe('主机 farm 已从 hosts.yaml 中移除：此终端已停止；会话仍在该主机上运行');
    expect(terminalErrorWords(exited)).toBe(t('apiError.session_exited'));
    expect(terminalErrorWords({ type: 'error', message: 'nope' })).toBe('nope');
  });
});

describe('session errors in the history', () => {
  it('the words the bridge frames tmux\'s error with come from the catalog; tmux\'s words stay', async () => {
    // Event rows read their payloads through the client's contract (loaded beside the first request in the app).
    await (await import('../../client/services/schemas.ts')).loadContract();
    const { describe: describeEvent } = await import('../../client/components/board/EventRow.tsx');
    addEnglish(historyEnglish);
    const event = (payload: Record<string, unknown>) => ({ type: 'CLI_SESSION_ERROR', at: new Date(0).toISOString(), sessionKey: 's1', ...payload }) as never;
    const failed = sessionErrorText.createFailed('create session failed: bad-dir: No such file or directory');
    const late = sessionErrorText.lateRemoved('build-1');
    expect(describeEvent(event(failed))).toBe(`s1: ${failed.message}`);
    expect(describeEvent(event(late))).toBe(`s1: ${late.message}`);
    await setLocale('zh-CN', false);
    expect(describeEvent(event(failed))).toBe('s1: tmux 无法创建会话：create session failed: bad-dir: No such file or directory');
    expect(describeEvent(event(late))).toBe('s1: 已移除 tmux 会话“build-1”：它的创建此前已失败');
    // An older row without a code, or a code this client does not know: as the server wrote it.
    expect(describeEvent(event({ message: 'pipe-pane failed' }))).toBe('s1: pipe-pane failed');
    expect(describeEvent(event({ message: 'newer words', code: 'from_a_newer_server', params: {} }))).toBe('s1: newer words');
  });
});
