/**
 * tmuxagent's approval request files: `<approval_dir>/<host>/<pane>__<stage>.txt`
 * with `%` in the pane id written as `pct` (e.g. `approvals/local/pct3__build.txt`).
 * The file holds a comment header and `PENDING`; a human replaces `PENDING` with
 * `approve`/`approved`/`yes` or `reject`/`rejected`/`no` (any case). The first word
 * that is not on a `#` comment line decides.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ApprovalDecision } from '../../../schemas/agent.ts';
import { approvalDirProblem, ensurePrivateDir } from './dir-safety.ts';

export type FileDecision = ApprovalDecision | 'pending' | 'missing';

/** Keep a name inside its directory: no separators, no NUL, never `.` or `..`. */
function safeSegment(name: string): string {
  const cleaned = name.replace(/[/\\\0]/g, '_');
  return cleaned === '.' || cleaned === '..' || cleaned === '' ? `_${cleaned}` : cleaned;
}

export function approvalFileName(paneId: string, stage: string): string {
  return `${safeSegment(paneId.replace(/%/g, 'pct'))}__${safeSegment(stage)}.txt`;
}

export function approvalFilePath(approvalDir: string, host: string, paneId: string, stage: string): string {
  return join(approvalDir, safeSegment(host), approvalFileName(paneId, stage));
}

const APPROVE_WORDS = new Set(['approve', 'approved', 'yes']);
const REJECT_WORDS = new Set(['reject', 'rejected', 'no']);

/** The decision a file's text holds: the first word outside `#` comments, case-insensitive. */
export function parseApprovalText(text: string): ApprovalDecision | 'pending' {
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const word = (line.split(/\s+/)[0] ?? '').toLowerCase().replace(/[.!,;:]+$/, '');
    if (APPROVE_WORDS.has(word)) return 'approve';
    if (REJECT_WORDS.has(word)) return 'reject';
    return 'pending'; // PENDING, or a word we do not know: wait for a real answer
  }
  return 'pending';
}

export interface ApprovalFileInfo {
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly kind: 'require_approval' | 'ask_human';
  readonly prompt: string | null;
  readonly requestedAt: string;
}

export function approvalFileText(info: ApprovalFileInfo): string {
  const comment = (text: string) => text.split(/\r?\n/).map((line) => `# ${line}`.trimEnd());
  const lines = [
    '# tmux-bridge approval request',
    `# host: ${info.host}   pane: ${info.paneId}   pipeline: ${info.pipeline}   stage: ${info.stage}`,
    `# requested: ${info.requestedAt}`,
    ...(info.kind === 'ask_human'
      ? ['# The stage keeps failing and asks for a decision:', ...comment(info.prompt ?? '')]
      : ['# The stage requires approval before it runs.']),
    '#',
    '# Replace PENDING with approve (or approved, yes) to go on,',
    '# or with reject (or rejected, no) to stop. Lines starting with # are ignored.',
    'PENDING',
    '',
  ];
  return lines.join('\n');
}

/**
 * Write the request file (atomically: a reader never sees half a file) into a private
 * directory; refuse a directory another user can write to (they could approve).
 */
export async function writeApprovalFile(path: string, info: ApprovalFileInfo): Promise<void> {
  const hostDir = dirname(path);
  const problem = (await approvalDirProblem(dirname(hostDir))) ?? (await approvalDirProblem(hostDir));
  if (problem) throw new Error(`${problem}; the request file was not written (decide in the web UI or by link)`);
  await ensurePrivateDir(hostDir);
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, approvalFileText(info), { mode: 0o600 });
  await rename(temp, path);
}

export async function readApprovalFile(path: string): Promise<FileDecision> {
  return (await readApprovalFileOwned(path)).decision;
}

/** The decision and the uid owning the file (who wrote it, for the record). */
export async function readApprovalFileOwned(path: string): Promise<{ decision: FileDecision; uid: number | null }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { decision: 'missing', uid: null };
    throw error;
  }
  try {
    // One open file for both: the owner is the owner of the text we read.
    const info = await handle.stat();
    const buffer = Buffer.alloc(Math.min(info.size, 65_536));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { decision: parseApprovalText(buffer.subarray(0, bytesRead).toString('utf8')), uid: info.uid };
  } finally {
    await handle.close();
  }
}

/** Remove a request file once decided; a file already gone is fine. */
export async function removeApprovalFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
