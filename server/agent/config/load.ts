/**
 * `loadAgentConfig`: read hosts.yaml and policy.yaml, validate, normalize and compile
 * them, and report every problem as `file:line:column: path: message`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HostsFile, NotifyChannelName, PolicyFile } from '../../../schemas/agent-config.ts';
import { compileHosts, compilePolicy } from './compile.ts';
import { prepareHosts, preparePolicy, type Prepared } from './prepare.ts';
import type { AgentConfig, ConfigIssue, IssuePath, LoadResult } from './types.ts';
import { validateWithWarnings, type RawIssue } from './validate.ts';
import { formatIssuePath, parseYamlSource, type YamlSource } from './yaml-source.ts';
import { words, type IssueWords } from './words.ts';
import { errorMessage } from '../../../base/errors.ts';

/** Config files are small; a bigger one is almost certainly the wrong file. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** The bridge's `--socket` when the caller does not say (as in server/options.ts). */
const DEFAULT_SOCKET = 'tmux-bridge';

export interface LoadAgentConfigOptions {
  readonly hostsPath?: string | null;
  readonly policyPath?: string | null;
  /** The bridge's own tmux socket name, for the default host when there is no hosts file. */
  readonly socketName?: string;
  /** Where `~` points (tests); defaults to the user's home. */
  readonly homeDir?: string;
}

export interface ConfigText {
  readonly file: string;
  readonly text: string;
}

export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

export function configHash(hostsText: string | null, policyText: string | null): string {
  return createHash('sha256')
    .update(`hosts\0${hostsText ?? '\u0000none'}\0policy\0${policyText ?? '\u0000none'}`)
    .digest('hex');
}

/** No files at all: one local host on the bridge's own tmux socket, no pipelines. */
export function defaultAgentConfig(socketName = DEFAULT_SOCKET, homeDir = homedir()): AgentConfig {
  const hosts = HostsFile.parse({ hosts: [{ name: 'local', tmux: { socket: socketName } }] });
  return {
    pollIntervalMs: hosts.pollIntervalMs,
    tmuxBin: hosts.tmuxBin,
    sqlitePath: expandHome(hosts.sqlitePath, homeDir),
    approvalDir: expandHome(hosts.approvalDir, homeDir),
    notify: ['stdout'],
    bridge: hosts.bridge,
    hosts: [{ name: 'local', ssh: null, tmux: hosts.hosts[0]!.tmux, sessionFilters: [], paneNamePatterns: [] }],
    policy: { principles: [], pipelines: [] },
    sources: { hostsPath: null, policyPath: null },
    hash: configHash(null, null),
  };
}

function toIssues(source: YamlSource, prepared: Prepared | null, raw: readonly RawIssue[]): ConfigIssue[] {
  return raw.map(({ path, ...issue }) => {
    const filePath: IssuePath = prepared ? prepared.mapPath(path) : path;
    const { line, column } = source.locate(filePath);
    return { file: source.file, line, column, path: filePath.length > 0 ? formatIssuePath(filePath) : '', ...issue };
  });
}

function topLevelMapping(source: YamlSource, file: 'hosts.yaml' | 'policy.yaml'): ConfigIssue[] {
  const data = source.data;
  if (data === undefined || data === null) return [];
  if (typeof data === 'object' && !Array.isArray(data)) return [];
  const params = { file, example: file === 'hosts.yaml' ? 'hosts:, notify:' : 'pipelines:' };
  // YAML gives a list or a scalar: a string, a number or a boolean.
  const said = Array.isArray(data)
    ? words('config_top_level_list', params)
    : typeof data === 'string'
      ? words('config_top_level_string', params)
      : typeof data === 'boolean'
        ? words('config_top_level_boolean', params)
        : words('config_top_level_number', params);
  return [{ file: source.file, line: 1, column: 1, path: '', ...said }];
}

/** Validate and compile both files from their text (sync; `loadAgentConfig` reads the files and calls this). */
export function parseAgentConfig(
  texts: { readonly hosts?: ConfigText | null; readonly policy?: ConfigText | null },
  options: Pick<LoadAgentConfigOptions, 'socketName' | 'homeDir'> = {},
): LoadResult {
  const home = options.homeDir ?? homedir();
  const fallback = defaultAgentConfig(options.socketName, home);
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  let config: AgentConfig = fallback;

  if (texts.hosts) {
    const source = parseYamlSource(texts.hosts.file, texts.hosts.text);
    errors.push(...source.errors, ...(source.errors.length === 0 ? topLevelMapping(source, 'hosts.yaml') : []));
    if (errors.length === 0) {
      const prepared = prepareHosts(source.data ?? {});
      warnings.push(...toIssues(source, prepared, prepared.warnings));
      const result = validateWithWarnings(HostsFile, prepared.data);
      warnings.push(...toIssues(source, prepared, result.warnings));
      if (!result.ok) {
        errors.push(...toIssues(source, prepared, result.errors));
      } else {
        const sink = { errors: [] as RawIssue[], warnings: [] as RawIssue[] };
        const hosts = compileHosts(result.value.hosts, sink, options.socketName ?? DEFAULT_SOCKET);
        const notify: NotifyChannelName[] = [];
        const notifyKey = (source.data as Record<string, unknown>).notify !== undefined ? 'notify' : 'notify_channel';
        for (const name of result.value.notify) {
          const parsed = NotifyChannelName.safeParse(name.toLowerCase());
          if (parsed.success) {
            if (!notify.includes(parsed.data)) notify.push(parsed.data);
          } else {
            sink.warnings.push({ path: [notifyKey], ...words('config_notify_channel', { name, supported: NotifyChannelName.options.join(', ') }) });
          }
        }
        errors.push(...toIssues(source, prepared, sink.errors));
        warnings.push(...toIssues(source, prepared, sink.warnings));
        config = {
          ...config,
          pollIntervalMs: result.value.pollIntervalMs,
          tmuxBin: result.value.tmuxBin,
          sqlitePath: expandHome(result.value.sqlitePath, home),
          approvalDir: expandHome(result.value.approvalDir, home),
          notify,
          bridge: result.value.bridge,
          hosts,
        };
      }
    }
  }

  if (texts.policy) {
    const source = parseYamlSource(texts.policy.file, texts.policy.text);
    const before = errors.length;
    errors.push(...source.errors, ...(source.errors.length === 0 ? topLevelMapping(source, 'policy.yaml') : []));
    if (errors.length === before) {
      const prepared = preparePolicy(source.data ?? {});
      warnings.push(...toIssues(source, prepared, prepared.warnings));
      const result = validateWithWarnings(PolicyFile, prepared.data);
      warnings.push(...toIssues(source, prepared, result.warnings));
      if (!result.ok) {
        errors.push(...toIssues(source, prepared, result.errors));
      } else {
        const sink = { errors: [] as RawIssue[], warnings: [] as RawIssue[] };
        const policy = compilePolicy(result.value, sink);
        errors.push(...toIssues(source, prepared, sink.errors));
        warnings.push(...toIssues(source, prepared, sink.warnings));
        config = { ...config, policy };
      }
    }
  }

  // Hosts issues come first (pushed first); within a file, in the order of the text.
  const rank = (issue: ConfigIssue) => (issue.file === texts.hosts?.file ? 0 : 1);
  const order = (a: ConfigIssue, b: ConfigIssue) => rank(a) - rank(b) || a.line - b.line || a.column - b.column;
  errors.sort(order);
  warnings.sort(order);
  if (errors.length > 0) return { ok: false, errors, warnings };
  return {
    ok: true,
    warnings,
    config: {
      ...config,
      sources: { hostsPath: texts.hosts?.file ?? null, policyPath: texts.policy?.file ?? null },
      hash: configHash(texts.hosts?.text ?? null, texts.policy?.text ?? null),
    },
  };
}

/** Read a config file; a problem with the file itself becomes an issue at line 0. */
export async function readConfigText(file: string): Promise<{ text: ConfigText } | { error: ConfigIssue }> {
  const fail = (said: IssueWords) => ({ error: { file, line: 0, column: 0, path: '', ...said } });
  try {
    const info = await stat(file);
    if (!info.isFile()) return fail(words('config_not_a_file'));
    if (info.size > MAX_FILE_BYTES) return fail(words('config_file_too_big', { size: info.size, max: MAX_FILE_BYTES }));
    return { text: { file, text: await readFile(file, 'utf8') } };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(words('config_no_file'));
    if (code === 'EACCES') return fail(words('config_no_permission'));
    return fail(words('config_unreadable', { error: errorMessage(error) }));
  }
}

/**
 * Load hosts.yaml and/or policy.yaml. Without a hosts file the config has one local
 * host on the bridge's own socket; without a policy file it has no pipelines.
 */
export async function loadAgentConfig(options: LoadAgentConfigOptions = {}): Promise<LoadResult> {
  const errors: ConfigIssue[] = [];
  const texts: { hosts?: ConfigText; policy?: ConfigText } = {};
  for (const key of ['hosts', 'policy'] as const) {
    const path = key === 'hosts' ? options.hostsPath : options.policyPath;
    if (!path) continue;
    const read = await readConfigText(path);
    if ('error' in read) errors.push(read.error);
    else texts[key] = read.text;
  }
  if (errors.length > 0) return { ok: false, errors, warnings: [] };
  return parseAgentConfig(texts, options);
}
