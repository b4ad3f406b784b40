import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuote } from '../../../tmux/command.ts';

/**
 * The wrapper an execution runs in a shell session: a script file under the data
 * directory that prints an invisible begin marker, runs the command (an argv,
 * every word quoted), records `$?` in a status file (one write by a shell builtin), and
 * prints the end marker with the exit status. The line typed into the pane is
 * only `bash '<script>'`; the markers are OSC sequences built by printf from
 * pieces, with a random nonce, so neither the echoed line nor the script's text
 * can ever match them.
 */
export interface Wrapper {
  readonly dir: string;
  readonly script: string;
  readonly statusFile: string;
  readonly pidFile: string;
  readonly nonce: string;
  /** What is typed into the pane (then Enter). */
  readonly typed: string;
}

/** The OSC number used for markers: terminals ignore OSC numbers they do not know. */
const OSC = '7717';

export function markerPattern(nonce: string): { begin: Buffer; end: RegExp } {
  return {
    begin: Buffer.from(`\x1b]${OSC};tb:${nonce}:begin\x07`),
    // The status, then BEL.
    end: new RegExp(`\\x1b\\]${OSC};tb:${nonce}:end:(\\d+)\\x07`),
  };
}

/** What a run printed between its begin and end markers (all that came, when a marker is missing). */
export function markedOutput(bytes: Buffer, nonce: string): Buffer {
  const { begin, end } = markerPattern(nonce);
  const at = bytes.lastIndexOf(begin);
  let body = at >= 0 ? bytes.subarray(at + begin.length) : bytes;
  const match = end.exec(body.toString('latin1'));
  if (match) body = body.subarray(0, match.index);
  return body;
}

export function executionDir(dataDir: string, executionId: string, attempt = 1): string {
  return join(dataDir, 'executions', attempt === 1 ? executionId : `${executionId}.${attempt}`);
}

export function newNonce(): string {
  return randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
}

/** The wrapper's files in `dir` (a directory on the machine whose shell runs it). */
export function wrapperPaths(dir: string, nonce: string): Wrapper {
  const script = join(dir, 'run.sh');
  // A leading space keeps it out of shell history where HISTCONTROL ignores spaces.
  return { dir, script, statusFile: join(dir, 'status'), pidFile: join(dir, 'pid'), nonce, typed: ` bash ${shellQuote(script)}` };
}

/** The wrapper script's text for `argv` (see the comment at the top). */
export function wrapperScript(wrapper: Wrapper, argv: readonly string[], workingDir?: string | null): string {
  const q = shellQuote;
  return [
    '# tmux-bridge execution wrapper (generated; see docs/workbench.md)',
    `printf '%s\\n' "$$" > ${q(wrapper.pidFile)}`,
    // A trapped INT lets the wrapper outlive a Ctrl-C of the command and still report its status.
    "trap ':' INT",
    ...(workingDir ? [`cd -- ${q(workingDir)} || exit 97`] : []),
    `printf '\\033]%s;tb:%s:%s\\007' '${OSC}' '${wrapper.nonce}' 'begin'`,
    argv.map(q).join(' '),
    '__tb_rc=$?',
    // One write() by a builtin (no mv to fork): a reader sees an empty file or the whole number, never part of it.
    `printf '%s\\n' "$__tb_rc" > ${q(wrapper.statusFile)}`,
    `printf '\\033]%s;tb:%s:end:%s\\007' '${OSC}' '${wrapper.nonce}' "$__tb_rc"`,
    '',
  ].join('\n');
}

export async function writeWrapper(dir: string, argv: readonly string[], workingDir?: string | null): Promise<Wrapper> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const wrapper = wrapperPaths(dir, newNonce());
  await writeFile(wrapper.script, wrapperScript(wrapper, argv, workingDir), { mode: 0o600 });
  return wrapper;
}

/** The exit status the wrapper recorded, or undefined while it has not. */
export async function readStatus(statusFile: string): Promise<number | undefined> {
  try {
    const text = (await readFile(statusFile, 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const text = (await readFile(pidFile, 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The direct children of a process (Linux /proc), to interrupt a command that ignores Ctrl-C. */
export async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
