/**
 * tmux on a remote host, the way tmuxagent reached it: one
 * `ssh -o BatchMode=yes -o ConnectTimeout=N -p PORT [-i KEY] [USER@]HOST tmux [-L SOCKET] …`
 * per poll, with every command of the poll joined by ` \; ` into that one call.
 *
 * One process carries several commands, and tmux prints their outputs back to back;
 * a `display-message` with a random marker after each command tells them apart. tmux
 * stops at the first failing command, so `runListSettled` returns the outputs of the
 * commands that ran and the error of the one that failed.
 */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import type { SshConfig } from '../../../schemas/agent-config.ts';
import { shellQuote, type TmuxCommand } from '../../../tmux/command.ts';
import { TmuxCommandError } from '../../../tmux/errors.ts';
import type { TmuxRunner } from '../../../tmux/runner.ts';
import { sshArgs } from '../actions.ts';

export interface SshTmuxRunnerOptions {
  readonly ssh: SshConfig;
  /** `default` = the remote user's default server; anything else is `tmux -L <socket>`. */
  readonly socket: string;
  readonly tmuxBin: string;
  /** Local ssh binary (tests put a fake one first on PATH instead). */
  readonly sshBin?: string;
  /** Time limit of one call (connect timeout plus the commands). */
  readonly timeoutMs?: number;
}

export interface SettledList {
  /** Outputs of the commands that ran, in order (fewer than asked when one failed). */
  readonly results: string[][];
  readonly error: Error | null;
}

/** The remote shell command line: tmux with its commands, each argument quoted for sh. */
export function remoteTmuxCommand(tmuxBin: string, socket: string, commands: readonly TmuxCommand[], marker: string): string {
  const words: string[] = [shellQuote(tmuxBin)];
  if (socket !== 'default') words.push('-L', shellQuote(socket));
  commands.forEach((command, index) => {
    if (index > 0) words.push('\\;');
    words.push(...command.map((arg) => shellQuote(arg)));
    words.push('\\;', 'display-message', '-p', shellQuote(`${marker}${index}`));
  });
  return words.join(' ');
}

export class SshTmuxRunner implements TmuxRunner {
  constructor(private readonly options: SshTmuxRunnerOptions) {}

  get description(): string {
    const { ssh } = this.options;
    return `ssh ${ssh.user ? `${ssh.user}@` : ''}${ssh.host}:${ssh.port}`;
  }

  async run(command: TmuxCommand): Promise<string[]> {
    const [lines] = await this.runList([command]);
    return lines ?? [];
  }

  async runList(commands: readonly TmuxCommand[]): Promise<string[][]> {
    const settled = await this.runListSettled(commands);
    if (settled.error) throw settled.error;
    return settled.results;
  }

  async runListSettled(commands: readonly TmuxCommand[]): Promise<SettledList> {
    if (commands.length === 0) return { results: [], error: null };
    const marker = `__tb_${randomBytes(6).toString('hex')}_`;
    const remote = remoteTmuxCommand(this.options.tmuxBin, this.options.socket, commands, marker);
    const timeout = this.options.timeoutMs ?? (this.options.ssh.timeoutSec + 30) * 1000;
    const result = await execa(this.options.sshBin ?? 'ssh', sshArgs(this.options.ssh, remote), {
      reject: false,
      stdin: 'ignore',
      timeout,
      maxBuffer: 256 * 1024 * 1024,
      stripFinalNewline: false,
    });
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const results: string[][] = [];
    let current: string[] = [];
    const lines = stdout.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      if (line === `${marker}${results.length}`) {
        results.push(current);
        current = [];
      } else {
        current.push(line);
      }
    }
    if (results.length === commands.length && !result.failed) return { results, error: null };
    const stderr = (typeof result.stderr === 'string' ? result.stderr : '').trim();
    let message: string;
    if (result.timedOut) message = `no answer within ${timeout} ms`;
    else if (result.exitCode === 255) message = `ssh failed: ${stderr || 'connection error'} (check host, port, user and key; ssh runs with BatchMode=yes, so the key must work without a password prompt)`;
    else message = stderr || result.shortMessage || `exit code ${String(result.exitCode)}`;
    const failed = commands[results.length] ?? commands[commands.length - 1]!;
    return { results, error: new TmuxCommandError(`${this.description}: tmux ${failed.join(' ')}`, message) };
  }
}
