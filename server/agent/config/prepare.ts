/**
 * Passes over the raw YAML data before validation, for layouts tmuxagent accepted
 * that the strict schemas do not describe: the old flat host layout, and condition
 * groups written as a bare list or under a key other than any_of/all_of (tmuxagent
 * read every list in a group as "any of").
 */
import { FLAT_SSH_KEYS, FLAT_TMUX_KEYS } from '../../../schemas/agent-config.ts';
import type { IssuePath } from './types.ts';
import type { RawIssue } from './validate.ts';
import { words } from './words.ts';

type Dict = Record<string, unknown>;

const isDict = (value: unknown): value is Dict => value !== null && typeof value === 'object' && !Array.isArray(value);

export interface Prepared {
  readonly data: unknown;
  readonly warnings: RawIssue[];
  /** Maps a path of the prepared data back to where the value is written in the file. */
  mapPath(path: IssuePath): IssuePath;
}

/** Nests flat `ssh`/`tmux` host keys (tmuxagent did this only when the nested block was absent). */
export function prepareHosts(data: unknown): Prepared {
  const warnings: RawIssue[] = [];
  const moved = new Map<number, Set<string>>();
  if (!isDict(data) || !Array.isArray(data.hosts)) return { data, warnings, mapPath: (path) => path };

  const hosts = data.hosts.map((host: unknown, index: number) => {
    if (!isDict(host)) return host;
    const out: Dict = { ...host };
    const groups = new Set<string>();
    for (const [block, keys] of [['tmux', FLAT_TMUX_KEYS], ['ssh', FLAT_SSH_KEYS]] as const) {
      if (block in out) continue;
      const nested: Dict = {};
      for (const key of keys) {
        if (key in out) {
          nested[key] = out[key];
          delete out[key];
        }
      }
      if (Object.keys(nested).length > 0) {
        out[block] = nested;
        groups.add(block);
      }
    }
    if (groups.size > 0) moved.set(index, groups);
    const ssh = out.ssh;
    if (isDict(ssh) && ssh.password !== undefined && ssh.password !== null) {
      warnings.push({
        path: groups.has('ssh') ? ['hosts', index, 'password'] : ['hosts', index, 'ssh', 'password'],
        ...words('config_password_unused'),
      });
    }
    return out;
  });

  return {
    data: { ...data, hosts },
    warnings,
    mapPath: (path) => {
      const [first, index, block] = path;
      if (first !== 'hosts' || typeof index !== 'number' || typeof block !== 'string') return path;
      return moved.get(index)?.has(block) ? ['hosts', index, ...path.slice(3)] : path;
    },
  };
}

const GROUP_KEYS = new Set(['any_of', 'all_of']);

function prepareGroup(value: unknown, path: IssuePath, warnings: RawIssue[], foreignKeysAreAnyOf: boolean): unknown {
  if (Array.isArray(value)) {
    warnings.push({ path, ...words('config_bare_list') });
    return { any_of: value };
  }
  if (!isDict(value) || !foreignKeysAreAnyOf) return value;
  const out: Dict = {};
  const extra: unknown[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (GROUP_KEYS.has(key) || !Array.isArray(item)) {
      out[key] = item;
    } else {
      extra.push(...item);
      warnings.push({ path: [...path, key], ...words('config_group_key', { key }) });
    }
  }
  if (extra.length > 0) out.any_of = [...(Array.isArray(out.any_of) ? out.any_of : []), ...extra];
  return out;
}

/** Condition groups into `{any_of, all_of}` form. */
export function preparePolicy(data: unknown): Prepared {
  const warnings: RawIssue[] = [];
  if (!isDict(data) || !Array.isArray(data.pipelines)) return { data, warnings, mapPath: (path) => path };
  const pipelines = data.pipelines.map((pipeline: unknown, p: number) => {
    if (!isDict(pipeline)) return pipeline;
    const out: Dict = { ...pipeline };
    // tmuxagent only read match.any_of; other keys there are plain unknown keys.
    if (out.match !== undefined) out.match = prepareGroup(out.match, ['pipelines', p, 'match'], warnings, false);
    if (Array.isArray(out.stages)) {
      out.stages = out.stages.map((stage: unknown, s: number) => {
        if (!isDict(stage)) return stage;
        const next: Dict = { ...stage };
        for (const key of ['triggers', 'success_when', 'fail_when']) {
          if (next[key] !== undefined && next[key] !== null) {
            next[key] = prepareGroup(next[key], ['pipelines', p, 'stages', s, key], warnings, true);
          }
        }
        return next;
      });
    }
    return out;
  });
  return { data: { ...data, pipelines }, warnings, mapPath: (path) => path };
}
