import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { literalFormat, shellQuote, type TmuxCommand } from './command.ts';

/** Pane option naming the FIFO our pipe writes to; tells our pipes from a user's own pipe-pane. */
export const PIPE_OPTION = '@tb_pipe';

export function fifoPathFor(runDir: string, paneId: string): string {
  return join(runDir, `pane-${paneId.replace(/^%/, '')}.fifo`);
}

/** Creates FIFOs (one mkfifo process for all of them), replacing stale ones. */
export async function createFifos(paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  await Promise.all(paths.map((p) => rm(p, { force: true })));
  await execa('mkfifo', ['-m', '600', ...paths]);
}

export async function ensureRunDir(runDir: string): Promise<void> {
  await mkdir(runDir, { recursive: true, mode: 0o700 });
}

/**
 * Starts piping the pane's output into the FIFO with a single `cat`.
 *
 * `exec cat > FIFO` would block in open() while no reader exists, and a shell
 * stuck there outlives everything (the bridge gone, the pane gone). Instead the
 * shell opens the FIFO read-write first (never blocks on Linux), opens the
 * write end (succeeds at once: there is a reader now, itself), and closes the
 * read-write descriptor before exec. `cat` then holds only the write end: it
 * gets SIGPIPE and exits as soon as no reader is left, and tmux stops piping.
 * Replaces a previous pipe of ours; the caller makes sure it never replaces a
 * pipe somebody else set up.
 */
export function armPipeCommands(paneId: string, fifoPath: string): TmuxCommand[] {
  const fifo = shellQuote(fifoPath);
  return [
    ['pipe-pane', '-O', '-t', paneId, literalFormat(`exec cat 3<>${fifo} >${fifo} 3<&-`)],
    ['set-option', '-p', '-t', paneId, PIPE_OPTION, fifoPath],
  ];
}

export function disarmPipeCommands(paneId: string): TmuxCommand[] {
  return [
    ['pipe-pane', '-t', paneId],
    ['set-option', '-p', '-u', '-t', paneId, PIPE_OPTION],
  ];
}
