/**
 * Config file problems reach a Chinese user in Chinese. Every problem the loader
 * reports about hosts.yaml and policy.yaml (zod's, the schema's rules, the loader's
 * own: unknown keys, regexes, names, YAML syntax, the files themselves) carries a
 * code and parameters; English stays word for word what the loader has always said,
 * and the Chinese words come from the catalog with only config keys, values,
 * patterns and the YAML library's or regex engine's own message left as written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { addEnglish, interpolate } from '../../client/i18n/catalog.ts';
import { setLocale } from '../../client/i18n/index.ts';
import { config as configEnglish } from '../../client/i18n/en/config.ts';
import { config as configChinese } from '../../client/i18n/zh-CN/config.ts';
import { configErrorText, configIssueMessage, configIssueText } from '../../client/services/config-issue.ts';
import { ConfigIssueView, EVENT_PAYLOADS } from '../../schemas/index.ts';
import { formatIssue, parseAgentConfig, readConfigText, type ConfigIssue } from '../../server/agent/config/index.ts';

addEnglish(configEnglish);
afterEach(() => setLocale('en', false));

const ROOT = join(import.meta.dirname, '..', '..');
const en: Readonly<Record<string, string>> = configEnglish;
const zh: Readonly<Record<string, string>> = configChinese;

const HOSTS_SCHEMA = `poll_interval_ms: 50
tmux_bin: 42
notfy: stdout
colour: blue
notify: 5
hosts:
  - name: ""
    ssh: {host: "", port: "abc", live: maybe, timeout: 99999}
    tmux: {capture_lines: 1.5, session_filters: [1]}
  - name: b
    host: nas.local
    password: hunter2
  - name: c
    tmux: [1]
bridge:
  base_url: notaurl
  approval_ttl_hours: -1
  webhook_url: [x]
  notify_retry: {attempts: "x", timeout_ms: 5}
  approvals: {file: maybe}
  notify_language: fr
`;
const HOSTS_COMPILE = `notify: "stdout, wecom_app"
hosts:
  - name: a
    tmux: {socket: s, session_filters: ["(?i:abc)", "x(?i)y"]}
  - name: a
    ssh: {host: nas}
    tmux: {socket: bridge, pane_name_patterns: ["(?>abc)", "(unclosed"]}
`;
const POLICY_SCHEMA = `principles: [ok, {b: 1}]
pipelines:
  - name: ""
    stages: []
  - match: [{window_name: "^ci$"}, {}]
    stages:
      - name: s
        triggers: {any_of: [{}], extra: [{log_regex: "^GO$"}], all_of: [{log_regex: 5}]}
        actions_on_start: [{}, {shell: ""}]
        require_approval: maybe
        on_fail: [{retry: {max: -1}}]
        sucess_when: {any_of: [{log_regex: x}]}
  - name: p
    stages: x
  - name: q
`;
const POLICY_COMPILE = `pipelines:
  - name: ci
    stages:
      - name: lint
        triggers: {any_of: [{after_stage_success: lnt}, {after_stage_success: lint}, {after_stage_success: build}]}
        success_when: {any_of: [{log_regex: "a++"}]}
      - name: build
        fail_when: {any_of: [{log_regex: "(?(1)a|b)"}]}
      - name: build
  - name: ci
    match: {any_of: [{window_name: "(?P<n>x)(?P=n"}]}
    stages: [{name: x}]
`;

const DOCS = {
  HOSTS_SCHEMA: ['hosts', HOSTS_SCHEMA],
  HOSTS_COMPILE: ['hosts', HOSTS_COMPILE],
  POLICY_SCHEMA: ['policy', POLICY_SCHEMA],
  POLICY_COMPILE: ['policy', POLICY_COMPILE],
  SYNTAX: ['hosts', 'hosts: [a, b\n'],
  HOSTS_LIST: ['hosts', '- a\n- b\n'],
  POLICY_STRING: ['policy', 'just text\n'],
  POLICY_NUMBER: ['policy', '42\n'],
  POLICY_BOOLEAN: ['policy', 'yes\n'],
} as const;

/** What the loader said before its problems had codes: English must not change. */
const ENGLISH: Record<keyof typeof DOCS, string[]> = {
  HOSTS_SCHEMA: [
    'hosts.yaml:1:1: poll_interval_ms: must be at least 100 (milliseconds; tmuxagent never polled faster than 100)',
    'hosts.yaml:2:1: tmux_bin: expected a string (quote it in YAML)',
    'hosts.yaml:5:1: notify: expected a channel name, "a,b" or a list of channel names',
    'hosts.yaml:7:5: hosts[0].name: a host name must not be empty',
    'hosts.yaml:8:11: hosts[0].ssh.host: the ssh host must not be empty',
    'hosts.yaml:8:21: hosts[0].ssh.port: expected a whole number',
    'hosts.yaml:8:34: hosts[0].ssh.live: expected true or false',
    'hosts.yaml:8:47: hosts[0].ssh.timeout: must be at most 3600 (seconds)',
    'hosts.yaml:9:12: hosts[0].tmux.capture_lines: expected a whole number',
    'hosts.yaml:9:50: hosts[0].tmux.session_filters[0]: expected a regular expression as a string (quote it in YAML)',
    'hosts.yaml:14:5: hosts[2].tmux: expected object, received array',
    'hosts.yaml:16:3: bridge.base_url: expected an absolute URL such as http://127.0.0.1:7690',
    'hosts.yaml:17:3: bridge.approval_ttl_hours: Too small: expected number to be >0',
    'hosts.yaml:18:17: bridge.webhook_url[0]: Invalid URL',
    'hosts.yaml:19:18: bridge.notify_retry.attempts: expected a whole number',
    'hosts.yaml:19:33: bridge.notify_retry.timeout_ms: must be at least 100 (milliseconds)',
    'hosts.yaml:20:15: bridge.approvals.file: expected true or false',
    'hosts.yaml:21:3: bridge.notify_language: expected en (English) or zh-CN (Simplified Chinese)',
    'hosts.yaml:3:1: notfy: unknown key "notfy" is ignored (did you mean "notify"?)',
    'hosts.yaml:4:1: colour: unknown key "colour" is ignored',
    'hosts.yaml:12:5: hosts[1].password: password is not used: ssh runs with BatchMode=yes; use an ssh key (key: ~/.ssh/id_ed25519)',
  ],
  HOSTS_COMPILE: [
    'hosts.yaml:4:41: hosts[0].tmux.session_filters[0]: invalid regex "(?i:abc)": scoped inline flags such as (?i:...) are not supported; put (?i) at the start of the whole pattern',
    'hosts.yaml:5:5: hosts[1].name: host name "a" is used twice; host names must be unique',
    'hosts.yaml:7:12: hosts[1].tmux.socket: "bridge" means the bridge\'s own tmux server, which is local; an ssh host names its socket (or "default")',
    'hosts.yaml:7:49: hosts[1].tmux.pane_name_patterns[0]: invalid regex "(?>abc)": atomic groups (?>...) are not supported; use a plain group (?:...)',
    'hosts.yaml:7:60: hosts[1].tmux.pane_name_patterns[1]: invalid regex "(unclosed": /(unclosed/: Unterminated group',
    'hosts.yaml:1:1: notify: notification channel "wecom_app" is not supported and is skipped (supported: stdout, serverchan, wecom, webhook)',
    'hosts.yaml:4:53: hosts[0].tmux.session_filters[1]: inline flags (?i) not at the start apply to the whole pattern (as in Python before 3.11); move them to the start',
  ],
  POLICY_SCHEMA: [
    'policy.yaml:1:18: principles[1]: expected text (quote it in YAML)',
    'policy.yaml:3:5: pipelines[0].name: a pipeline needs a name',
    'policy.yaml:4:5: pipelines[0].stages: a pipeline needs at least one stage',
    'policy.yaml:5:5: pipelines[1].name: is required',
    'policy.yaml:5:5: pipelines[1].match.any_of[1]: a match condition needs window_name, pane_title or session_name',
    'policy.yaml:8:29: pipelines[1].stages[0].triggers.any_of[0]: a condition needs log_regex, message_type or after_stage_success',
    'policy.yaml:8:74: pipelines[1].stages[0].triggers.all_of[0].log_regex: expected a regular expression as a string (quote it in YAML)',
    'policy.yaml:9:28: pipelines[1].stages[0].actions_on_start[0]: an action needs send_keys or shell',
    'policy.yaml:9:33: pipelines[1].stages[0].actions_on_start[1].shell: must not be empty',
    'policy.yaml:10:9: pipelines[1].stages[0].require_approval: expected true or false',
    'policy.yaml:11:28: pipelines[1].stages[0].on_fail[0].retry.max: must be at least 0',
    'policy.yaml:14:5: pipelines[2].stages: expected a list of stages',
    'policy.yaml:15:5: pipelines[3].stages: expected a list of stages',
    'policy.yaml:5:5: pipelines[1].match: a bare list of conditions is read as any_of; write {any_of: [...]} to be explicit',
    'policy.yaml:8:34: pipelines[1].stages[0].triggers.extra: "extra" is not any_of or all_of; its conditions are read as any_of, as tmuxagent did',
    'policy.yaml:12:9: pipelines[1].stages[0].sucess_when: unknown key "sucess_when" is ignored (did you mean "success_when"?)',
  ],
  POLICY_COMPILE: [
    'policy.yaml:5:30: pipelines[0].stages[0].triggers.any_of[0].after_stage_success: "lnt" is not a stage of this pipeline (stages: lint, build, build)',
    'policy.yaml:5:58: pipelines[0].stages[0].triggers.any_of[1].after_stage_success: a stage cannot wait for its own success; name an earlier stage',
    'policy.yaml:6:34: pipelines[0].stages[0].success_when.any_of[0].log_regex: invalid regex "a++": possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported; drop the extra +',
    'policy.yaml:8:31: pipelines[0].stages[1].fail_when.any_of[0].log_regex: invalid regex "(?(1)a|b)": conditional groups (?(id)yes|no) are not supported; split the condition into two conditions',
    'policy.yaml:9:9: pipelines[0].stages[2].name: stage name "build" is used twice in pipeline "ci"',
    'policy.yaml:10:5: pipelines[1].name: pipeline name "ci" is used twice; pipeline names must be unique',
    'policy.yaml:11:23: pipelines[1].match.any_of[0].window_name: invalid regex "(?P<n>x)(?P=n": unterminated (?P=name) back-reference',
    'policy.yaml:5:87: pipelines[0].stages[0].triggers.any_of[2].after_stage_success: "build" comes later in the pipeline; stages run in order, so this holds only after a retry or reset',
  ],
  SYNTAX: [
    'hosts.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  HOSTS_LIST: [
    'hosts.yaml:1:1: hosts.yaml must be a mapping of keys (such as hosts:, notify:), not a list',
  ],
  POLICY_STRING: [
    'policy.yaml:1:1: policy.yaml must be a mapping of keys (such as pipelines:), not a string',
  ],
  POLICY_NUMBER: [
    'policy.yaml:1:1: policy.yaml must be a mapping of keys (such as pipelines:), not a number',
  ],
  POLICY_BOOLEAN: [
    'policy.yaml:1:1: policy.yaml must be a mapping of keys (such as pipelines:), not a boolean',
  ],
};

/** Errors then warnings, as the Config page lists them. */
function problems(name: keyof typeof DOCS): ConfigIssue[] {
  const [kind, text] = DOCS[name];
  const result = parseAgentConfig({ [kind]: { file: `${kind}.yaml`, text } }, { homeDir: '/home/u' });
  return [...(result.ok ? [] : result.errors), ...result.warnings];
}

async function fileProblems(): Promise<ConfigIssue[]> {
  const out: ConfigIssue[] = [];
  for (const file of ['/nonexistent/hosts.yaml', ROOT]) {
    const read = await readConfigText(file);
    if ('error' in read) out.push(read.error);
  }
  return out;
}

async function everyProblem(): Promise<ConfigIssue[]> {
  return [...(Object.keys(DOCS) as (keyof typeof DOCS)[]).flatMap(problems), ...(await fileProblems())];
}

/** The catalog key a problem is worded with when it names a rule or is the loader's own. */
function ownKey(issue: ConfigIssue): string | undefined {
  const rule = issue.params?.rule;
  if (typeof rule === 'string') return `issue.${rule}`;
  return issue.code.startsWith('config_') ? `issue.${issue.code}` : undefined;
}

/** zod's own English (describe() in validate.ts shortens "Invalid input: expected …"): no rule needed. */
const ZOD_OWN = /^(?:expected \w+, received \w+|Too (?:small|big): .*|Invalid \w+|invalid value)$/;

/** Words of three or more Latin letters. */
const latinWords = (text: string) => text.match(/[A-Za-z]{3,}/g) ?? [];
/** Names of the formats that Chinese text keeps (YAML, URL, ssh…), and words of the config itself the messages name. */
const KEPT = ['YAML', 'URL', 'ssh', 'tmux', 'tmuxagent', 'Python', 'BatchMode', 'yes', 'key', 'true', 'false', 'default', 'password', 'match', 'shell', 'http', 'name'];

describe('config problems have codes', () => {
  it('English is what the loader has always said, and every problem has a code', async () => {
    for (const name of Object.keys(DOCS) as (keyof typeof DOCS)[]) {
      const issues = problems(name);
      expect(issues.map(formatIssue), name).toEqual(ENGLISH[name]);
      for (const issue of issues) expect(issue.code, formatIssue(issue)).toMatch(/^[a-z_]+$/);
    }
    const files = await fileProblems();
    expect(files.map(formatIssue)).toEqual([
      '/nonexistent/hosts.yaml: does not exist; check the path (or leave the option out to run without it)',
      `${ROOT}: is not a regular file; give the path of the YAML file`,
    ]);
    expect(files.map((f) => f.code)).toEqual(['config_no_file', 'config_not_a_file']);
  });

  it('a rule or a code of the loader has words in both catalogs, and the English ones say what the loader says', async () => {
    for (const issue of await everyProblem()) {
      const key = ownKey(issue);
      if (key === undefined) {
        // zod's own code: only zod's own English may come without a rule (a schema's message needs `worded`).
        expect(issue.message, `${formatIssue(issue)}: a message of the schema without a rule`).toMatch(ZOD_OWN);
        continue;
      }
      expect(en, formatIssue(issue)).toHaveProperty([key]);
      expect(zh, formatIssue(issue)).toHaveProperty([key]);
      const unit = issue.params?.unit ? (en[`issue.config_unit.${issue.params.unit}`] ?? '?') : '';
      expect(interpolate(en[key]!, { ...issue.params, unit }), key).toBe(issue.message);
    }
  });

  it('every code the loader and the config schema can give has words in both catalogs', () => {
    const words = readFileSync(join(ROOT, 'server/agent/config/words.ts'), 'utf8');
    const schema = readFileSync(join(ROOT, 'schemas/agent-config.ts'), 'utf8');
    const codes = [
      ...[...words.matchAll(/^\s+(config_\w+): \(/gm)].map((m) => m[1]!),
      ...[...schema.matchAll(/\b(?:worded|rule|missing)\('(\w+)'/g)].map((m) => m[1]!),
      ...[...schema.matchAll(/\bUNITS = \{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/(\w+): '/g)].map((u) => `config_unit.${u[1]!}`)),
    ];
    expect(codes.length).toBeGreaterThan(50);
    for (const code of codes) {
      expect(en, code).toHaveProperty([`issue.${code}`]);
      expect(zh, code).toHaveProperty([`issue.${code}`]);
    }
  });
});

describe('config problems in Chinese', () => {
  it('no English word is left but config keys, values, patterns and the parser\'s own message', async () => {
    const issues = await everyProblem();
    await setLocale('zh-CN', false);
    for (const issue of issues) {
      const message = configIssueMessage(issue);
      expect(message, formatIssue(issue)).not.toBe(issue.message);
      const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
      expect(configIssueText(issue)).toBe(issue.path ? `${where}：${issue.path}：${message}` : `${where}：${message}`);
      // The parameters are the file's own words (keys, names, patterns, the YAML library's message); snake_case words are config keys.
      let rest = message;
      for (const [name, value] of Object.entries(issue.params ?? {})) if (name !== 'rule' && name !== 'unit') rest = rest.split(String(value)).join(' ');
      rest = rest.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, ' ');
      expect(latinWords(rest).filter((w) => !KEPT.includes(w)), `${formatIssue(issue)} → ${message}`).toEqual([]);
    }
    const [notfy] = problems('HOSTS_SCHEMA').filter((i) => i.path === 'notfy');
    expect(configIssueText(notfy!)).toBe('hosts.yaml:3:1：notfy：未知的键“notfy”，已忽略（是不是想写“notify”？）');
    const seconds = problems('HOSTS_SCHEMA').find((i) => i.path === 'hosts[0].ssh.timeout')!;
    expect(configIssueMessage(seconds)).toBe('不能大于 3600（秒）');
    const tmux = problems('HOSTS_SCHEMA').find((i) => i.path === 'hosts[2].tmux')!;
    expect(configIssueMessage(tmux)).toBe('应为映射（键: 值），实际为列表');
    const scoped = problems('HOSTS_COMPILE')[0]!;
    expect(configIssueMessage(scoped)).toBe('无效的正则表达式 "(?i:abc)"：不支持 (?i:...) 这类局部内联标志；请把 (?i) 放在整个模式的开头');
    const condition = problems('POLICY_SCHEMA').find((i) => i.path === 'pipelines[1].stages[0].triggers.any_of[0]')!;
    expect(condition).toMatchObject({ code: 'custom', params: { rule: 'config_condition_keys' } });
    expect(configIssueMessage(condition)).toBe('条件需要 log_regex、message_type 或 after_stage_success');
    const syntax = problems('SYNTAX')[0]!;
    expect(configIssueMessage(syntax)).toBe(`YAML 语法错误：${String(syntax.params!.error)}`);
  });

  it('the Config page\'s problems and a CONFIG_ERROR event: English as the server wrote it, Chinese from the codes', async () => {
    const errors = problems('POLICY_COMPILE').slice(0, 3);
    // What the API and the event carry, through the schemas the client checks them with.
    const views = errors.map((issue) => z.parse(ConfigIssueView, { ...issue, text: formatIssue(issue) }));
    expect(views[0]).toMatchObject({ code: 'config_no_such_stage', params: { stage: 'lnt', stages: 'lint, build, build' } });
    const payload = z.parse(EVENT_PAYLOADS.CONFIG_ERROR, { errors: errors.map(formatIssue), warnings: [], issues: errors });
    expect(payload.issues[2]).toMatchObject({ code: 'config_regex_possessive', params: { pattern: '"a++"' } });
    expect(views.map(configIssueText)).toEqual(errors.map(formatIssue));
    expect(configErrorText(payload)).toBe(errors.map(formatIssue).join('; '));
    await setLocale('zh-CN', false);
    expect(views.map(configIssueText)[0]).toBe('policy.yaml:5:30：pipelines[0].stages[0].triggers.any_of[0].after_stage_success：“lnt”不是这条流水线的阶段（阶段：lint, build, build）');
    const line = configErrorText(payload);
    expect(line).toBe(views.map(configIssueText).join('；'));
    expect(line).toContain('阶段不能等待自身成功');
    expect(line).toContain('不支持占有量词');
    // An event an older build stored (no codes) shows as it was written.
    const old = { errors: ['policy.yaml:1:1: something'], warnings: [], issues: [{ file: 'policy.yaml', line: 1, column: 1, path: '', message: 'something' }] };
    expect(configErrorText(z.parse(EVENT_PAYLOADS.CONFIG_ERROR, old))).toBe('policy.yaml:1:1：something');
  });
});
