/**
 * Every error code the server can answer with has words in both catalogs
 * (`apiError.<code>`, the server-words area; a terminal socket's own
 * error codes: `term.error.<code>`), and every rule a
 * 400's details name has its `issue.<rule>`: the server's source is scanned, so a
 * code added later without words fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverWords as enCommon } from '../../client/i18n/en/server-words.ts';
import { serverWords as zhCommon } from '../../client/i18n/zh-CN/server-words.ts';
import { zhCN } from '../../client/i18n/zh-CN/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** Every English area (issue words of a lazily loaded page live in its area). */
const en: Record<string, string> = {};
for (const file of readdirSync(join(ROOT, 'client/i18n/en')).filter((f) => f !== 'index.ts')) {
  Object.assign(en, ...(Object.values(await import(join(ROOT, 'client/i18n/en', file))) as Record<string, string>[]));
}

function sources(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push({ file: relative(ROOT, full), text: readFileSync(full, 'utf8') });
    }
  };
  walk(join(ROOT, dir));
  return out;
}

/** Index just past the string literal that starts at `i` ('…' or "…"). */
function skipString(text: string, i: number): number {
  const quote = text[i];
  for (let k = i + 1; k < text.length; k++) {
    if (text[k] === '\\') k++;
    else if (text[k] === quote) return k;
  }
  return text.length;
}

/** Index of the backquote that ends the template literal starting at `i`, `${…}` parts included. */
function skipTemplate(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    if (text[k] === '\\') k++;
    else if (text[k] === '`') return k;
    else if (text[k] === '$' && text[k + 1] === '{') k = skipBalanced(text, k + 1);
  }
  return text.length;
}

/** Index of the bracket closing the one at `open`; `onComma` hears each comma at the first level. */
function skipBalanced(text: string, open: number, onComma?: (at: number) => void): number {
  let depth = 0;
  for (let k = open; k < text.length; k++) {
    const c = text[k]!;
    if (c === "'" || c === '"') k = skipString(text, k);
    else if (c === '`') k = skipTemplate(text, k);
    else if (c === '/' && text[k + 1] === '/') k = text.indexOf('\n', k);
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (--depth === 0) return k;
    } else if (c === ',' && depth === 1) onComma?.(k);
  }
  return text.length;
}

/** The arguments (as source text) of every call `callee(…)` in `text` (no space before the bracket: words in comments are not calls), over as many lines as they take; definitions skipped. */
function callArgs(text: string, callee: string): string[][] {
  const calls: string[][] = [];
  const pattern = new RegExp(`(?<![\\w.])(function\\s+)?${callee.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:<[^>(]*>)?\\(`, 'g');
  for (const match of text.matchAll(pattern)) {
    if (match[1]) continue;
    const open = match.index + match[0].length - 1;
    const args: string[] = [];
    let start = open + 1;
    const close = skipBalanced(text, open, (at) => {
      args.push(text.slice(start, at).trim());
      start = at + 1;
    });
    const last = text.slice(start, close).trim();
    if (last) args.push(last);
    calls.push(args);
  }
  return calls;
}

const literal = (arg: string | undefined) => /^'([a-z][a-z0-9_]*)'$/.exec(arg ?? '')?.[1];

/** Code → the files that use it. */
function codeIndex() {
  const codes = new Map<string, Set<string>>();
  return { codes, add: (code: string, file: string) => void codes.set(code, (codes.get(code) ?? new Set()).add(file)) };
}

/** What the scan found: codes by the files that use them, and calls whose code is not a literal. */
function scanErrorCodes() {
  const { codes, add } = codeIndex();
  const dynamic: string[] = [];
  const server = sources('server');
  const defaultWhat = /function parseOr400[^{]*what = '([a-z]+)'/.exec(readFileSync(join(ROOT, 'server/http/errors.ts'), 'utf8'))?.[1];
  expect(defaultWhat, 'the default "what" of parseOr400').toBe('body');
  for (const { file, text } of server) {
    for (const args of callArgs(text, 'new ApiError')) {
      const code = literal(args[1]);
      if (code) add(code, file);
      else dynamic.push(`${file}: ${args[1]}`);
    }
    for (const args of callArgs(text, 'sendError')) {
      const code = literal(args[2]);
      if (code) add(code, file);
      else dynamic.push(`${file}: ${args[2]}`);
    }
    for (const args of callArgs(text, 'parseOr400')) {
      const what = args.length >= 3 ? literal(args[2]) : defaultWhat;
      if (what) add(`invalid_${what}`, file);
      else dynamic.push(`${file}: parseOr400 ${args[2]}`);
    }
    // A JSON error body written by hand (routes outside the API's error handler).
    for (const match of text.matchAll(/error:\s*\{\s*code:\s*'([a-z_]+)'/g)) add(match[1]!, file);
  }
  return { codes, dynamic };
}

describe('API error codes in both catalogs', () => {
  const { codes, dynamic } = scanErrorCodes();

  it('the scan finds the codes, the multi-line calls and every parseOr400 kind among them', () => {
    // The only codes that are not literals: the parse helper's own and the handler passing an ApiError on.
    expect(dynamic.sort()).toEqual(["server/http/errors.ts: 'invalid_' + what", 'server/http/errors.ts: error.code']);
    expect(codes.size).toBeGreaterThanOrEqual(50);
    // Written over several lines: new ApiError(\n 400,\n 'invalid_flow', …).
    expect(codes.get('invalid_flow')).toEqual(new Set(['server/workbench/flows/flows.ts']));
    expect(codes.get('invalid_body')?.has('server/workbench/flows/service.ts')).toBe(true);
    for (const code of ['invalid_body', 'invalid_path', 'invalid_query', 'not_found', 'unauthorized', 'forbidden_origin', 'rate_limited', 'too_many_streams', 'starting', 'invalid_queue', 'executions_unavailable', 'invalid_hook']) {
      expect(codes.has(code), code).toBe(true);
    }
  });

  it('each has apiError words in English and in Chinese', () => {
    const missing = (catalog: Record<string, string>) =>
      [...codes].filter(([code]) => !(`apiError.${code}` in catalog)).map(([code, files]) => `${code} (${[...files].join(', ')})`);
    expect(missing(enCommon), 'apiError.<code> missing from client/i18n/en/server-words.ts').toEqual([]);
    expect(missing(zhCommon), 'apiError.<code> missing from client/i18n/zh-CN/server-words.ts').toEqual([]);
  });

  it('the Chinese words have no English word but names of programs, flags and formats', () => {
    const allowed = ['tmux', 'PATH', 'JSON', 'hosts', 'yaml', 'allowed', 'bridge', 'content', 'type', 'application', 'json'];
    for (const key of Object.keys(zhCommon).filter((k) => k.startsWith('apiError.'))) {
      const text = zhCommon[key as keyof typeof zhCommon];
      expect((text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !allowed.includes(w)), `${key}: ${text}`).toEqual([]);
    }
  });
});

/** The rule codes a 400's details can carry: refinements (`rule`), details the server builds (`ruleIssue`, the board's `fieldError`), and the graph checks' own codes. */
function scanRuleCodes() {
  const { codes, add } = codeIndex();
  const dynamic: string[] = [];
  const take = (file: string, arg: string | undefined) => {
    const code = literal(arg);
    if (code) add(code, file);
    else dynamic.push(`${file}: ${arg}`);
  };
  for (const { file, text } of [...sources('schemas'), ...sources('server')]) {
    if (file === 'schemas/rule.ts') continue;
    for (const args of callArgs(text, 'rule')) take(file, args[0]);
    for (const args of callArgs(text, 'ruleIssue')) take(file, args[0]);
    for (const args of callArgs(text, 'fieldError')) take(file, args[1]);
  }
  for (const file of ['schemas/flow-graph.ts', 'server/workbench/issues/ordering.ts']) {
    for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(/code: '([a-z_]+)'/g)) add(match[1]!, file);
  }
  return { codes, dynamic };
}

describe('request rules in both catalogs', () => {
  const { codes, dynamic } = scanRuleCodes();

  it('the scan finds the rules of schemas and server', () => {
    // fieldError passes its caller's code on; the board's placement failures carry theirs (ordering.ts, scanned for code: '…').
    expect(dynamic.sort()).toEqual(['server/workbench/issues/service.ts: code', 'server/workbench/issues/service.ts: placed.code']);
    expect(codes.size).toBeGreaterThanOrEqual(35);
    for (const code of ['key_name', 'label_no_commas', 'one_line', 'queue_cycle', 'queue_later_group', 'board_other_column', 'board_not_neighbours', 'flow_cycle', 'flow_unknown_variable', 'tool_no_one_shot']) {
      expect(codes.has(code), code).toBe(true);
    }
  });

  it('each has issue words in English and in Chinese', () => {
    const missing = (catalog: Record<string, string>) => [...codes].filter(([code]) => !(`issue.${code}` in catalog)).map(([code, files]) => `${code} (${[...files].join(', ')})`);
    expect(missing(en), 'issue.<rule> missing from client/i18n/en').toEqual([]);
    expect(missing(zhCN), 'issue.<rule> missing from client/i18n/zh-CN').toEqual([]);
  });

  it('no detail the server builds by hand lacks a code (config files aside: their own report)', () => {
    const bare: string[] = [];
    for (const { file, text } of sources('server')) {
      if (file.startsWith('server/agent/config/')) continue;
      for (const match of text.matchAll(/\{\s*path:[^{}]*?\bmessage:[^{}]*\}/g)) if (!/\bcode\b/.test(match[0])) bare.push(`${file}: ${match[0]}`);
    }
    expect(bare).toEqual([]);
  });
});

describe('error frames on a terminal socket', () => {
  const view = readFileSync(join(ROOT, 'schemas/terminal-view.ts'), 'utf8');
  const table = view.slice(view.indexOf('export const terminalErrorText'), view.indexOf('};', view.indexOf('export const terminalErrorText')));
  const codes = [...table.matchAll(/code: '([a-z_]+)'/g)].map((m) => m[1]!);

  it('the server builds every error frame from terminalErrorText (its own words) or terminalError (a thrown error and its API code)', () => {
    const byHand: string[] = [];
    for (const { file, text } of sources('server')) {
      if (file === 'server/sessions/terminal-error.ts') continue;
      for (const match of text.matchAll(/type: 'error'(.{0,40})/g)) if (!match[1]!.startsWith(', ...terminalErrorText.')) byHand.push(`${file}: ${match[0]}`);
    }
    expect(byHand).toEqual([]);
    expect(codes.length).toBeGreaterThanOrEqual(6);
    expect(codes).toEqual(expect.arrayContaining(['view_only', 'foreign_pipe', 'not_json', 'invalid_message']));
  });

  it('each of the terminal\'s own codes has words in both catalogs', async () => {
    const { terminal: enTerminal } = await import('../../client/i18n/en/terminal.ts');
    const { terminal: zhTerminal } = await import('../../client/i18n/zh-CN/terminal.ts');
    expect(codes.filter((code) => !(`term.error.${code}` in enTerminal))).toEqual([]);
    expect(codes.filter((code) => !(`term.error.${code}` in zhTerminal))).toEqual([]);
  });

  it('a control message the server cannot read is worded in Chinese, the parser\'s detail kept', async () => {
    const { setLocale } = await import('../../client/i18n/index.ts');
    const { addEnglish } = await import('../../client/i18n/catalog.ts');
    const { terminal } = await import('../../client/i18n/en/terminal.ts');
    const { terminalErrorText } = await import('../../schemas/terminal-view.ts');
    const { terminalErrorText: shown } = await import('../../client/services/terminal-words.ts');
    addEnglish(terminal);
    const frame = { type: 'error' as const, ...terminalErrorText.invalidMessage('cols: too small') };
    expect(shown(frame)).toBe('invalid message: cols: too small');
    try {
      await setLocale('zh-CN', false);
      expect(shown(frame)).toBe('控制消息无效：cols: too small');
      expect(shown({ type: 'error', ...terminalErrorText.notJson() })).toBe('控制消息必须是 JSON');
    } finally {
      await setLocale('en', false);
    }
  });
});
