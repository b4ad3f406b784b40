import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { formatCommandList, type TmuxCommand } from '../../tmux/command.ts';
import { ControlProtocolParser } from '../../tmux/control-protocol.ts';
import { onCleanup } from './cleanup.ts';
import { tmuxEnv, type BenchTmux } from './tmux.ts';

/**
 * A bare `tmux -C` client for the tmux-only baselines: commands are written as
 * lines (pipelined, nothing awaited unless asked) and `%output` is delivered
 * as it arrives. This is the fastest way any program can talk to tmux.
 */
export class RawControl {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly parser = new ControlProtocolParser();
  private readonly waiting: Array<(lines: string[], ok: boolean) => void> = [];
  private readonly unregister: () => Promise<void>;
  private startedCallback: ((error?: Error) => void) | undefined;
  /** Settles with the reply to the command tmux -C was started with (attach/new-session). */
  private readonly started: Promise<void>;
  onOutput: ((paneId: string, data: Buffer, at: number) => void) | undefined;

  private constructor(tmux: BenchTmux, args: string[]) {
    this.child = spawn('tmux', [...tmux.args, '-C', ...args], { env: tmuxEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.resume();
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    const child = this.child;
    const what = `tmux -C ${args.join(' ')}`;
    this.started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.startedCallback?.(new Error(`${what}: no reply in 30 s`)), 30_000);
      this.startedCallback = (error) => {
        this.startedCallback = undefined;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      child.once('exit', (code) => this.startedCallback?.(new Error(`${what} exited (${code}) before its command was done`)));
    });
    this.unregister = onCleanup(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    });
  }

  /** Attached to `session`: receives `%output` of its panes; never changes its size. */
  static async attach(tmux: BenchTmux, session: string): Promise<RawControl> {
    const client = new RawControl(tmux, ['attach-session', '-t', `=${session}`, '-f', 'ignore-size']);
    await client.started;
    return client;
  }

  /** On a holder session of its own with no output at all: a command channel, as the bridge uses. */
  static async holder(tmux: BenchTmux, name: string): Promise<RawControl> {
    const client = new RawControl(tmux, ['new-session', '-A', '-s', name, '-x', '80', '-y', '24', '-f', 'no-output,ignore-size', 'exec sleep 2147483647']);
    await client.started;
    return client;
  }

  /** Writes commands without waiting (their replies are consumed in order). */
  write(commands: readonly TmuxCommand[]): void {
    // tmux answers each command of a list with its own reply block.
    for (let i = 0; i < commands.length; i++) this.waiting.push(() => undefined);
    this.child.stdin.write(`${formatCommandList(commands)}\n`);
  }

  /** Runs commands and resolves with the output of the last one. */
  run(command: TmuxCommand): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push((lines, ok) => (ok ? resolve(lines) : reject(new Error(lines.join('\n')))));
      this.child.stdin.write(`${formatCommandList([command])}\n`);
    });
  }

  /** Runs commands on one line (atomically, as the bridge captures); resolves with each command's output. */
  runList(commands: readonly TmuxCommand[]): Promise<string[][]> {
    return new Promise((resolve, reject) => {
      const results: string[][] = [];
      let failed = false;
      for (let i = 0; i < commands.length; i++) {
        this.waiting.push((lines, ok) => {
          if (failed) return;
          if (!ok) {
            failed = true;
            reject(new Error(lines.join('\n')));
            return;
          }
          results.push(lines);
          if (results.length === commands.length) resolve(results);
        });
      }
      this.child.stdin.write(`${formatCommandList(commands)}\n`);
    });
  }

  private onData(chunk: Buffer): void {
    const at = performance.now();
    for (const message of this.parser.push(chunk)) {
      if (message.kind === 'reply') {
        // flags 0: the start command's own reply (or hook output), not one of ours.
        if ((message.flags & 1) === 0) {
          // tmux 3.3 may run lines already waiting on stdin before the start command, when the
          // client is not attached yet: its %output then goes nowhere. Nothing is written before this.
          this.startedCallback?.(message.ok ? undefined : new Error(`tmux -C: ${message.lines.join('\n')}`));
          continue;
        }
        this.waiting.shift()?.(message.lines, message.ok);
      } else if (message.name === 'output' && message.data && this.onOutput) {
        // The parser hands the pane's bytes already unescaped (its `line` is only `%output %N`).
        this.onOutput(message.args[0] ?? '', message.data, at);
      }
    }
  }

  async close(): Promise<void> {
    await this.unregister();
  }
}
