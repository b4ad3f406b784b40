import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { BUILTIN_TOOLS, ToolsFile, ruleIssue, type ToolInfo } from '../../../schemas/index.ts';
import { findOnPath } from '../../sessions/index.ts';
import { BUILTIN_ADAPTERS, customAdapter, type ToolAdapter } from './adapter.ts';
import { ApiError, errorMessage } from '../../../base/errors.ts';

export interface ToolRegistryOptions {
  /** The custom tools file (YAML or JSON); missing is fine. */
  readonly toolsFile?: string;
  /** How long an installed/version answer is reused (default 30 s). */
  readonly cacheMs?: number;
  readonly log?: (message: string) => void;
  /** PATH to search (default: the server's). */
  readonly path?: () => string | undefined;
}

interface Probe {
  readonly at: number;
  readonly path: string | null;
  readonly version: Promise<string | null>;
}

/** The tools this server can run: built-ins plus the custom tools file, with a short cache of what is installed. */
export class ToolRegistry {
  private readonly adapters = new Map<string, ToolAdapter>();
  private readonly probes = new Map<string, Probe>();
  /** Binary name → where an execute last found it. */
  private readonly found = new Map<string, string>();
  readonly problems: string[] = [];

  constructor(private readonly options: ToolRegistryOptions = {}) {
    for (const adapter of BUILTIN_ADAPTERS) this.adapters.set(adapter.name, adapter);
    if (options.toolsFile) this.loadFile(options.toolsFile);
  }

  private loadFile(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.problem(`tools file ${file} cannot be read: ${errorMessage(error)}`);
      return;
    }
    let parsed: ToolsFile;
    try {
      parsed = ToolsFile.parse(parseYaml(text) ?? {});
    } catch (error) {
      this.problem(`tools file ${file} is not valid: ${errorMessage(error)}; custom tools are not loaded`);
      return;
    }
    for (const [name, config] of Object.entries(parsed.tools)) {
      if ((BUILTIN_TOOLS as readonly string[]).includes(name)) {
        this.problem(`tools file ${file}: "${name}" is a built-in tool; choose another name`);
        continue;
      }
      if (config.oneShot && !config.oneShot.some((word) => word.includes('{prompt}'))) {
        this.problem(`tools file ${file}: tool "${name}": "oneShot" must contain {prompt}`);
        continue;
      }
      try {
        this.adapters.set(name, customAdapter(name, config));
      } catch (error) {
        this.problem(`tools file ${file}: tool "${name}": ${errorMessage(error)}`);
      }
    }
  }

  private problem(message: string): void {
    this.problems.push(message);
    this.options.log?.(message);
  }

  names(): string[] {
    return [...this.adapters.keys()];
  }

  adapter(name: string): ToolAdapter | undefined {
    return this.adapters.get(name);
  }

  /** The adapter and the absolute path of its executable, or a 400 tool_not_found that says what to install. */
  async require(name: string, need: { oneShot?: boolean } = {}): Promise<{ adapter: ToolAdapter; path: string }> {
    const adapter = this.known(name, need);
    const path = await this.locate(adapter, true);
    if (!path) {
      const why = `"${adapter.bin}" (tool ${name}) was not found on PATH; install it: ${adapter.install}`;
      throw new ApiError(400, 'tool_not_found', why, [
        ruleIssue('tool_not_installed', ['tool'], why, { tool: name, program: adapter.bin }),
      ]);
    }
    return { adapter, path };
  }

  /**
   * The adapter, checked but not looked for on this machine's PATH: a run on a
   * remote host finds the tool on the host's PATH (its shell reports a missing one).
   */
  known(name: string, need: { oneShot?: boolean } = {}): ToolAdapter {
    const adapter = this.adapters.get(name);
    if (!adapter) {
      const why = `unknown tool "${name}"; known tools: ${this.names().join(', ')} (custom tools go in the tools file, see docs/workbench.md)`;
      throw new ApiError(400, 'tool_not_found', why, [
        ruleIssue('tool_unknown', ['tool'], why, { tool: name }),
      ]);
    }
    if (need.oneShot && !adapter.supports.oneShot) {
      const why = `tool "${name}" has no one-shot form; add "oneShot" to it in the tools file`;
      throw new ApiError(400, 'invalid_body', why, [
        ruleIssue('tool_no_one_shot', ['tool'], why, { tool: name }),
      ]);
    }
    return adapter;
  }

  /** `GET /api/tools`. */
  async list(): Promise<ToolInfo[]> {
    return Promise.all(
      [...this.adapters.values()].map(async (adapter) => {
        const probe = await this.probe(adapter, false);
        return {
          tool: adapter.name,
          available: probe.path !== null,
          path: probe.path,
          version: await probe.version,
          supports: adapter.supports,
          source: adapter.source,
          ...(probe.path ? {} : { install: adapter.install }),
        };
      }),
    );
  }

  private async locate(adapter: ToolAdapter, fresh: boolean): Promise<string | null> {
    // An execute checks the file system itself (a tool installed a second ago counts). The file it found
    // last time, still there and executable, is one check instead of one per PATH directory.
    if (fresh) {
      const last = this.found.get(adapter.bin);
      if (last && (await findOnPath(last))) return last;
      const path = (await findOnPath(adapter.bin, this.searchPath())) ?? null;
      if (path) this.found.set(adapter.bin, path);
      else this.found.delete(adapter.bin);
      return path;
    }
    return (await this.probe(adapter, false)).path;
  }

  private searchPath(): string {
    return this.options.path?.() ?? process.env.PATH ?? '';
  }

  private async probe(adapter: ToolAdapter, force: boolean): Promise<Probe> {
    const cached = this.probes.get(adapter.name);
    if (!force && cached && Date.now() - cached.at < (this.options.cacheMs ?? 30_000)) return cached;
    const path = (await findOnPath(adapter.bin, this.searchPath())) ?? null;
    const version = path ? versionOf(path, adapter.versionArgs) : Promise.resolve(null);
    const probe: Probe = { at: Date.now(), path, version };
    this.probes.set(adapter.name, probe);
    return probe;
  }
}

async function versionOf(path: string, args: readonly string[]): Promise<string | null> {
  try {
    const result = await execa(path, [...args], { timeout: 3000, reject: false, stdin: 'ignore', env: { NO_COLOR: '1' } });
    const line = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
    return line ? line.slice(0, 200) : null;
  } catch {
    return null;
  }
}
