/**
 * Strict zod validation where unknown keys are warnings, not errors: a first parse
 * finds them (`unrecognized_keys`), they are removed from a copy of the data, and a
 * second parse yields the value or the real errors.
 */
import type { z } from 'zod';
import { issueParams, type IssueParams } from '../../../schemas/issue-detail-view.ts';
import { wordedRule } from '../../../schemas/rule.ts';
import type { IssuePath } from './types.ts';
import { words } from './words.ts';

/**
 * A problem before it is placed in its file. `code` says what is wrong for a UI to
 * word: zod's code with zod's parameters (as a 400's details carry them; a message
 * the schema `worded` adds its rule in `params`), or a code of words.ts with `params`.
 */
export interface RawIssue extends IssueParams {
  readonly path: IssuePath;
  readonly message: string;
  readonly code: string;
}

export type ValidateResult<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: RawIssue[] }
  | { readonly ok: false; readonly errors: RawIssue[]; readonly warnings: RawIssue[] };

/** Every key the two file formats know, for "did you mean" hints. */
const KNOWN_KEYS = [
  'poll_interval_ms', 'tmux_bin', 'sqlite_path', 'approval_dir', 'notify', 'notify_channel', 'hosts', 'bridge',
  'name', 'ssh', 'tmux', 'host', 'port', 'user', 'key', 'key_path', 'password', 'timeout', 'known_hosts', 'accept_new_host_key', 'live',
  'socket', 'session_filters', 'pane_name_patterns', 'capture_lines',
  'base_url', 'approval_ttl_hours', 'webhook_url', 'notify_endpoints', 'serverchan', 'wecom', 'webhook',
  'notify_retry', 'attempts', 'base_delay_ms', 'timeout_ms', 'shell_timeout_ms', 'approvals', 'file', 'notify_language',
  'principles', 'pipelines', 'match', 'stages', 'any_of', 'all_of', 'window_name', 'pane_title', 'session_name',
  'triggers', 'actions_on_start', 'success_when', 'fail_when', 'on_fail', 'require_approval',
  'on_start_notify', 'on_success_notify', 'on_fail_notify', 'title', 'body',
  'log_regex', 'message_type', 'after_stage_success', 'send_keys', 'shell',
  'retry', 'max', 'ask_human', 'escalate', 'if_still_fail',
];

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known key `key` is probably a misspelling of, if any. */
export function didYouMean(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of KNOWN_KEYS) {
    const distance = editDistance(key.toLowerCase(), known);
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 4)) ? best : undefined;
}

function toPath(path: ReadonlyArray<PropertyKey>): IssuePath {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Zod's own text for unions is "Invalid input"; our schemas set a better one.
    return issue.message === 'Invalid input' ? 'invalid value' : issue.message;
  }
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input: expected')) {
    return issue.message.replace('Invalid input: expected', 'expected');
  }
  return issue.message;
}

/** What YAML gave where a type was expected, as zod names types (its issue no longer says). */
function received(root: unknown, path: IssuePath): string {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return 'undefined';
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node === null ? 'null' : Array.isArray(node) ? 'array' : typeof node;
}

function fromZod(issue: z.core.$ZodIssue, data: unknown): RawIssue {
  const path = toPath(issue.path);
  const detail = issueParams(issue);
  const rule = wordedRule(issue.message);
  let params = rule ? { ...detail.params, ...rule } : detail.params;
  if (!rule && issue.code === 'invalid_type') params = { ...params, received: received(data, path) };
  return { path, message: describe(issue), code: issue.code, ...detail, ...(params ? { params } : {}) };
}

function removeKeys(root: unknown, path: IssuePath, keys: readonly string[]): void {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string | number, unknown>)[segment];
  }
  if (node === null || typeof node !== 'object') return;
  for (const key of keys) delete (node as Record<string, unknown>)[key];
}

export function validateWithWarnings<S extends z.ZodType>(schema: S, data: unknown): ValidateResult<z.output<S>> {
  const warnings: RawIssue[] = [];
  let current = data;
  // Usually one round; a key inside a value zod could not reach the first time may surface later.
  for (let round = 0; round < 8; round++) {
    const result = schema.safeParse(current);
    if (result.success) return { ok: true, value: result.data, warnings };
    const unknown = result.error.issues.filter((issue) => issue.code === 'unrecognized_keys');
    if (unknown.length === 0) {
      return { ok: false, errors: result.error.issues.map((issue) => fromZod(issue, current)), warnings };
    }
    if (round === 0) current = structuredClone(data);
    for (const issue of unknown) {
      if (issue.code !== 'unrecognized_keys') continue;
      const path = toPath(issue.path);
      removeKeys(current, path, issue.keys);
      for (const key of issue.keys) {
        const suggestion = didYouMean(key);
        const said = suggestion === undefined ? words('config_unknown_key', { key }) : words('config_unknown_key_suggest', { key, suggestion });
        warnings.push({ path: [...path, key], ...said });
      }
    }
  }
  return { ok: false, errors: [{ path: [], ...words('config_too_complex') }], warnings };
}
