import { createHash } from 'node:crypto';
import type { CustomToolConfig, ToolSupports } from '../../../schemas/index.ts';

/** How a one-shot run continues an earlier conversation (nativeResume). */
export type NativeResume =
  /** First run of a resumeKey on a tool that accepts a chosen id (claude `--session-id`). */
  | { readonly kind: 'new'; readonly id: string }
  /** A later run: the id learned before. */
  | { readonly kind: 'resume'; readonly id: string };

export interface OneShotOptions {
  readonly prompt: string;
  readonly model?: string | null;
  readonly resume?: NativeResume;
}

/**
 * What tmux-bridge knows about one CLI tool: how to launch it, run it once with
 * a prompt, resume its own sessions, and read what it prints. Every command is
 * an argv (the prompt is one word), never a shell string.
 */
export interface ToolAdapter {
  readonly name: string;
  readonly bin: string;
  readonly source: 'builtin' | 'custom';
  /** What to install when the bin is missing. */
  readonly install: string;
  readonly supports: ToolSupports;
  /** True when a first nativeResume run can choose the tool's session id (claude). */
  readonly choosesSessionId: boolean;
  /** The arguments after `bin` for `--version`. */
  readonly versionArgs: readonly string[];
  /** Matches the tool's idle input prompt on screen (interactive completion guess). */
  readonly idlePrompt: RegExp | null;
  /** The argv (after bin) of the one-shot run. */
  oneShotArgs(options: OneShotOptions): string[];
  /** The tool's session id in what it printed (the last one), or null. */
  sessionIdFrom(output: string): string | null;
  /** The tool said the session to resume does not exist. */
  unknownSession(output: string): boolean;
  /** The tool refused a chosen session id because a session with it exists already. */
  sessionInUse(output: string): boolean;
  /** The answer in a one-shot run's output (for promptConcat transcripts). */
  answerFrom(output: string): string;
}

/** A UUID (version 5 layout) derived from a resumeKey: the same key always names the same claude session. */
export function sessionUuidFor(resumeKey: string, tool = 'claude'): string {
  const hash = createHash('sha1').update(`tmux-bridge:${tool}:${resumeKey}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const GENERIC_SESSION_ID = /session[ _-]?id["']?\s*[:=]\s*["']?([A-Za-z0-9][A-Za-z0-9._:-]{3,127})/gi;
const SESSION_IN_USE = /session(?: id)?\b.{0,80}\b(?:is )?already (?:in use|exists)/i;
const UNKNOWN_SESSION = /(no (?:conversation|session) found|session (?:id )?not found|unknown session|could not find (?:a )?session|invalid session|no such session|does not exist)/i;

function lastMatch(pattern: RegExp, text: string): string | null {
  let found: string | null = null;
  const global = pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
  global.lastIndex = 0;
  for (let m = global.exec(text); m; m = global.exec(text)) {
    found = m[1] ?? m[0];
    if (m[0].length === 0) global.lastIndex++;
  }
  return found;
}

interface Spec {
  readonly name: string;
  readonly bin: string;
  readonly install: string;
  readonly oneShot?: (prompt: string) => string[];
  readonly model?: (model: string) => string[];
  /** Resume flags for a one-shot run, placed before the one-shot args (or replacing them via `oneShotResume`). */
  readonly resume?: (id: string) => string[];
  readonly oneShotResume?: (id: string, prompt: string) => string[];
  readonly newSession?: (id: string) => string[];
  readonly idlePrompt?: RegExp;
  readonly hooks?: boolean;
  readonly sessionId?: RegExp;
  readonly answer?: (output: string) => string;
}

/** claude `--output-format stream-json`: the answer is the `result` line's text. */
function claudeAnswer(output: string): string {
  let result: string | null = null;
  for (const line of output.split(/\r?\n/)) {
    const start = line.indexOf('{');
    if (start < 0) continue;
    try {
      const value = JSON.parse(line.slice(start)) as { type?: string; result?: unknown };
      if (value.type === 'result' && typeof value.result === 'string') result = value.result;
    } catch {
      // not a JSON line
    }
  }
  return result ?? output.trim();
}

function fromSpec(spec: Spec, source: 'builtin' | 'custom', versionArgs: readonly string[] = ['--version']): ToolAdapter {
  return {
    name: spec.name,
    bin: spec.bin,
    source,
    install: spec.install,
    supports: { oneShot: spec.oneShot !== undefined, nativeResume: spec.resume !== undefined || spec.oneShotResume !== undefined, hooks: spec.hooks ?? false },
    choosesSessionId: spec.newSession !== undefined,
    versionArgs,
    idlePrompt: spec.idlePrompt ?? null,
    oneShotArgs({ prompt, model, resume }) {
      if (!spec.oneShot) throw new Error(`${spec.name} has no one-shot form`);
      const args: string[] = [];
      if (resume?.kind === 'resume' && spec.oneShotResume) {
        args.push(...spec.oneShotResume(resume.id, prompt));
      } else {
        if (resume?.kind === 'resume' && spec.resume) args.push(...spec.resume(resume.id));
        if (resume?.kind === 'new' && spec.newSession) args.push(...spec.newSession(resume.id));
        args.push(...spec.oneShot(prompt));
      }
      if (model && spec.model) args.push(...spec.model(model));
      return args;
    },
    sessionIdFrom(output) {
      return (spec.sessionId && lastMatch(spec.sessionId, output)) || lastMatch(GENERIC_SESSION_ID, output);
    },
    unknownSession(output) {
      return UNKNOWN_SESSION.test(output);
    },
    sessionInUse(output) {
      return spec.newSession !== undefined && SESSION_IN_USE.test(output);
    },
    answerFrom(output) {
      return spec.answer ? spec.answer(output) : output.trim();
    },
  };
}

/** The built-in tools (docs/workbench.md "Tools: adapters and `tools.yaml`" lists their flags). */
export const BUILTIN_ADAPTERS: readonly ToolAdapter[] = [
  fromSpec({ name: 'bash', bin: 'bash', install: 'apt-get install bash', oneShot: (cmd) => ['-c', cmd] }, 'builtin'),
  fromSpec(
    {
      name: 'claude',
      bin: 'claude',
      install: 'npm install -g @anthropic-ai/claude-code',
      oneShot: (p) => ['-p', p, '--output-format', 'stream-json', '--verbose'],
      model: (m) => ['--model', m],
      resume: (id) => ['--resume', id],
      newSession: (id) => ['--session-id', id],
      idlePrompt: /^\s*[>❯]\s*$/m,
      hooks: true,
      sessionId: /"session_id"\s*:\s*"([0-9a-fA-F-]{8,})"/g,
      answer: claudeAnswer,
    },
    'builtin',
  ),
  fromSpec(
    {
      name: 'codex',
      bin: 'codex',
      install: 'npm install -g @openai/codex',
      oneShot: (p) => ['exec', p],
      oneShotResume: (id, p) => ['exec', 'resume', id, p],
      model: (m) => ['-m', m],
      idlePrompt: /^\s*[›>]\s*$/m,
      hooks: true,
    },
    'builtin',
  ),
  fromSpec(
    { name: 'gemini', bin: 'gemini', install: 'npm install -g @google/gemini-cli', oneShot: (p) => ['-p', p], resume: (id) => ['-r', id], model: (m) => ['-m', m], idlePrompt: /^\s*>\s/m },
    'builtin',
  ),
  fromSpec(
    { name: 'qwen', bin: 'qwen', install: 'npm install -g @qwen-code/qwen-code', oneShot: (p) => ['-p', p], resume: (id) => ['--resume', id], model: (m) => ['-m', m], idlePrompt: /^\s*>\s/m },
    'builtin',
  ),
  fromSpec(
    {
      name: 'opencode',
      bin: 'opencode',
      install: 'npm install -g opencode-ai',
      oneShot: (p) => ['run', p],
      oneShotResume: (id, p) => ['run', '--session', id, p],
      model: (m) => ['-m', m],
      idlePrompt: /^\s*>\s/m,
    },
    'builtin',
  ),
];

function fill(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((word) => word.replace(/\{(prompt|model|id)\}/g, (whole, name: string) => values[name] ?? whole));
}

/** A custom tool from the tools file. */
export function customAdapter(name: string, config: CustomToolConfig): ToolAdapter {
  const oneShot = config.oneShot;
  const resume = config.resume;
  const model = config.model;
  return fromSpec(
    {
      name,
      bin: config.bin,
      install: config.install ?? `install "${config.bin}" or fix "bin" of tool "${name}" in the tools file`,
      oneShot: oneShot ? (prompt) => fill(oneShot, { prompt }) : undefined,
      resume: resume ? (id) => fill(resume, { id }) : undefined,
      model: model ? (m) => fill(model, { model: m }) : undefined,
      idlePrompt: config.idlePrompt ? new RegExp(config.idlePrompt, 'm') : undefined,
      sessionId: config.sessionIdPattern ? new RegExp(config.sessionIdPattern, 'g') : undefined,
    },
    'custom',
    config.version ?? ['--version'],
  );
}
