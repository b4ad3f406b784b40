import { access, constants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { ruleIssue, type CreateSessionBody, type ResumeStrategy, type ToolName } from '../../schemas/index.ts';
import { shellQuote } from '../../tmux/command.ts';
import { ApiError } from '../../base/errors.ts';

export interface LaunchRequest {
  readonly tool: ToolName;
  readonly model?: string | null;
  readonly resumeKey?: string | null;
  readonly resumeStrategy?: ResumeStrategy | null;
  readonly shell?: string;
  readonly envWrapper?: string;
}

/** Interactive launch, model and native resume flags per tool (docs/workbench.md "Tools: adapters and `tools.yaml`"). */
const TOOLS: Record<Exclude<ToolName, 'custom'>, { bin: string; base: string[]; model?: (m: string) => string[]; resume?: (id: string) => string[] }> = {
  bash: { bin: 'bash', base: ['-l'] },
  claude: { bin: 'claude', base: [], model: (m) => ['--model', m], resume: (id) => ['--resume', id] },
  codex: { bin: 'codex', base: [], model: (m) => ['-m', m], resume: (id) => ['resume', id] },
  gemini: { bin: 'gemini', base: [], model: (m) => ['-m', m], resume: (id) => ['-r', id] },
  qwen: { bin: 'qwen', base: [], model: (m) => ['-m', m], resume: (id) => ['--resume', id] },
  opencode: { bin: 'opencode', base: [], model: (m) => ['-m', m], resume: (id) => ['--session', id] },
};

/**
 * The argv tmux runs in the new pane. One element means "run by the shell";
 * several are executed directly, so nothing is re-parsed.
 */
export function launchCommand(request: LaunchRequest): string[] {
  let argv: string[];
  if (request.shell !== undefined) {
    argv = [request.shell];
  } else if (request.tool === 'custom') {
    throw new ApiError(400, 'invalid_body', 'tool "custom" needs a "shell" command to run', [
      ruleIssue('custom_needs_shell', ['shell'], 'tool "custom" needs a "shell" command to run'),
    ]);
  } else {
    const tool = TOOLS[request.tool];
    argv = [tool.bin, ...tool.base];
    if (request.model && tool.model) argv.push(...tool.model(request.model));
    if (request.resumeKey && request.resumeStrategy === 'nativeResume' && tool.resume) argv.push(...tool.resume(request.resumeKey));
  }
  if (request.envWrapper) {
    // The wrapper is a command prefix such as `direnv exec .` or `nix develop -c`.
    const inner = argv.length === 1 ? argv[0]! : argv.map(shellQuote).join(' ');
    argv = [`${request.envWrapper} ${inner}`];
  }
  return argv;
}

/** The executable a launch needs, when it can be checked up front. */
export function requiredExecutable(request: LaunchRequest): string | undefined {
  if (request.shell !== undefined || request.envWrapper || request.tool === 'custom') return undefined;
  return TOOLS[request.tool].bin;
}

export async function findOnPath(bin: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  if (isAbsolute(bin)) return (await isExecutable(bin)) ? bin : undefined;
  // Every directory at once (one round through the thread pool, not one per directory), the first in PATH order wins.
  const candidates = path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, bin));
  const found = await Promise.all(candidates.map(isExecutable));
  return candidates[found.indexOf(true)];
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a create request against this machine and returns what tmux will run, and
 * where. `remote`: the session runs on another machine, whose directories and PATH
 * cannot be checked from here (no working dir given = tmux's default there).
 */
export async function prepareLaunch(body: CreateSessionBody, where: { remote?: boolean } = {}): Promise<{ tool: ToolName; workingDir: string | null; argv: string[] }> {
  const tool: ToolName = body.tool ?? 'bash';
  const launch = { tool, model: body.model, resumeKey: body.resumeKey, resumeStrategy: body.resumeStrategy, shell: body.shell, envWrapper: body.envWrapper };
  if (where.remote) return { tool, workingDir: body.workingDir ?? null, argv: launchCommand(launch) };
  const workingDir = body.workingDir ?? process.env.HOME ?? process.cwd();
  await requireDirectory(workingDir);
  const argv = launchCommand(launch);
  const executable = requiredExecutable(launch);
  if (executable && !(await findOnPath(executable))) {
    throw new ApiError(400, 'tool_not_found', `"${executable}" was not found on PATH; install it or pass "shell" with the full command`);
  }
  return { tool, workingDir, argv };
}

async function requireDirectory(path: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) return;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'invalid_body', `workingDir "${path}" is not an existing directory`, [ruleIssue('not_a_directory', ['workingDir'], 'not a directory')]);
}

/** The executables of the known coding-agent CLIs (for `tmux-bridge doctor`). */
export const TOOL_BINARIES: readonly string[] = Object.entries(TOOLS)
  .filter(([name]) => name !== 'bash')
  .map(([, tool]) => tool.bin);
