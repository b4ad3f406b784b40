/**
 * bridge.notify_language: the server words the engine's notifications with the web UI's
 * catalog and wording function (the same words the board shows in that language), the
 * channels send them while the record keeps the English, and a bad value is a config
 * error with its code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../client/i18n/index.ts';
import { notificationText } from '../../client/services/notification-text.ts';
import type { NotificationRecord, NotificationText } from '../../schemas/agent.ts';
import { formatIssue, parseAgentConfig } from '../../server/agent/config/index.ts';
import { localizedText, Notifier, StdoutChannel, type Notification } from '../../server/agent/notify/index.ts';

afterEach(() => setLocale('en', false));

const LINKS = { approve: 'https://bridge.example/a/tok.sig/approve', reject: 'https://bridge.example/a/tok.sig/reject' };
const subject = { host: 'nas', paneId: '%7', pipeline: 'ci', stage: 'test' };

function notification(text: NotificationText, links?: Record<string, string>): Notification {
  return { ...subject, title: 'English title', body: 'English body', kind: text.code, text, ...(links ? { links } : {}) };
}

/** The record the board would get for it. */
function record(n: Notification): NotificationRecord {
  return {
    deliveryId: 'n_1.stdout',
    notificationId: 'n_1',
    channel: 'stdout',
    title: n.title,
    body: n.body,
    kind: n.kind,
    status: 'sent',
    attempts: 1,
    lastError: null,
    httpStatus: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    sentAt: null,
    payload: { ...subject, links: { ...n.links }, text: n.text },
  };
}

const CASES: { text: NotificationText; links?: Record<string, string>; title: string; body: string }[] = [
  {
    text: { code: 'approval', params: { prompt: '', file: '/tmp/ap/nas/pct7__test.txt' } },
    links: LINKS,
    title: '需要审批：ci/test',
    body: `流水线“ci”的阶段“test”（nas %7）正在等待审批。\n文件：/tmp/ap/nas/pct7__test.txt（在其中写入 approve 或 reject）\n[批准](${LINKS.approve}) | [拒绝](${LINKS.reject})`,
  },
  {
    text: { code: 'ask_human', params: { prompt: '测试一直失败', file: '' } },
    links: LINKS,
    title: '需要人工决定：ci/test',
    body: `测试一直失败\n批准则重新运行该阶段，拒绝则使其失败。\n[批准](${LINKS.approve}) | [拒绝](${LINKS.reject})`,
  },
  {
    text: { code: 'escalate', params: { reason: 'fail_condition', retries: '2', escalate_code: 'RED', line: 'E42' } },
    title: '升级 RED：ci/test',
    body: '流水线“ci”的阶段“test”在 nas %7 上失败（满足失败条件，重试 2 次）。\n升级代码：RED\n最后一行：E42',
  },
  {
    text: { code: 'escalate', params: { reason: 'rejected', retries: '0', escalate_code: '', line: '' } },
    title: '升级：ci/test',
    body: '流水线“ci”的阶段“test”在 nas %7 上失败（已拒绝）。',
  },
];

describe('notification texts in the notify language', () => {
  it('zh-CN: the catalog\'s words; the same the board shows in Chinese, with the links the board leaves out', async () => {
    await setLocale('zh-CN', false);
    for (const c of CASES) {
      const n = notification(c.text, c.links);
      expect(localizedText(n, 'zh-CN'), c.text.code).toEqual({ title: c.title, body: c.body });
      const board = notificationText(record(n));
      expect(board.title).toBe(c.title);
      expect(c.body.startsWith(board.body), c.text.code).toBe(true);
    }
  });

  it('en, and a policy.yaml template (no code), send what the engine or the user wrote', () => {
    expect(localizedText(notification(CASES[0]!.text, LINKS), 'en')).toBeNull();
    const template: Notification = { ...subject, title: 'ci/test failed on {host}', body: 'last line', kind: 'fail' };
    expect(localizedText(template, 'zh-CN')).toBeNull();
  });

  it('the channels send the other language; the record keeps the English', async () => {
    const lines: string[] = [];
    const records: NotificationRecord[] = [];
    const notifier = new Notifier({ channels: [new StdoutChannel((text) => lines.push(text))], recorder: { record: (r) => void records.push(r) } });
    const n = notification(CASES[2]!.text);
    await notifier.notify({ ...n, sent: localizedText(n, 'zh-CN')! });
    notifier.dispose();
    expect(lines).toEqual([`[NOTIFY] ${CASES[2]!.title}\n${CASES[2]!.body}\n`]);
    expect(records.at(-1)).toMatchObject({ status: 'sent', title: 'English title', body: 'English body', payload: { text: CASES[2]!.text } });
  });
});

describe('bridge.notify_language in hosts.yaml', () => {
  const hosts = (text: string) => parseAgentConfig({ hosts: { file: 'hosts.yaml', text } }, { homeDir: '/home/u' });

  it('en by default; zh-CN when set', () => {
    const plain = hosts('notify: stdout\n');
    const chinese = hosts('bridge:\n  notify_language: zh-CN\n');
    expect(plain.ok && plain.config.bridge.notifyLanguage).toBe('en');
    expect(chinese.ok && chinese.config.bridge.notifyLanguage).toBe('zh-CN');
  });

  it('another value is an error that says which values there are, with its code', () => {
    const result = hosts('bridge:\n  notify_language: zh\n');
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map(formatIssue)).toEqual(['hosts.yaml:2:3: bridge.notify_language: expected en (English) or zh-CN (Simplified Chinese)']);
    expect(errors[0]!.params).toMatchObject({ rule: 'config_notify_language' });
  });
});
