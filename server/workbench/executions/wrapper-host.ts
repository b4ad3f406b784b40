import { posix } from 'node:path';
import { literalFormat, shellQuote, type TmuxCommand } from '../../../tmux/command.ts';
import { childrenOf, executionDir, newNonce, readPid, readStatus, wrapperPaths, wrapperScript, writeWrapper, type Wrapper } from './wrapper.ts';

/**
 * How a command's process tree gets a signal: all stopped, all signalled, all continued.
 * Signalled one by one, a shell whose child died first ran the rest of its script before
 * its own signal came (`sleep 300; echo never` printed "never" and exited 0).
 */
function signalSteps(signal: 'SIGTERM' | 'SIGKILL'): NodeJS.Signals[] {
  return signal === 'SIGKILL' ? ['SIGKILL'] : ['SIGSTOP', signal, 'SIGCONT'];
}

/**
 * Where an execution's wrapper files live: on the machine whose shell runs the
 * pane. For the bridge's own tmux server that is this machine's file system; for a
 * remote host it is the host's, reached through the host's control client (the one
 * long-lived ssh connection), never through a new ssh process.
 */
export interface WrapperHost {
  /** The remote host (null: this machine). */
  readonly host: string | null;
  /** How often the status file is read while a run goes on (the end marker in the stream normally comes first). */
  readonly statusPollMs: number;
  write(executionId: string, attempt: number, argv: readonly string[], workingDir?: string | null): Promise<Wrapper>;
  /** The exit status the wrapper recorded; undefined while it has not (or the host does not answer). */
  readStatus(wrapper: Wrapper): Promise<number | undefined>;
  /** Signals the command's processes (the wrapper's descendants), deepest first. */
  signal(wrapper: Wrapper, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** The run is settled: files that only served it go (this machine keeps its directory: the output file is there). */
  release(executionId: string): Promise<void>;
}

export class LocalWrapperHost implements WrapperHost {
  readonly host = null;
  readonly statusPollMs = 250;

  constructor(private readonly dataDir: string) {}

  write(executionId: string, attempt: number, argv: readonly string[], workingDir?: string | null): Promise<Wrapper> {
    return writeWrapper(executionDir(this.dataDir, executionId, attempt), argv, workingDir);
  }

  readStatus(wrapper: Wrapper): Promise<number | undefined> {
    return readStatus(wrapper.statusFile);
  }

  async signal(wrapper: Wrapper, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const pid = await readPid(wrapper.pidFile);
    if (!pid) return;
    const tree: number[] = [];
    const walk = async (parent: number, depth: number) => {
      if (depth > 16) return;
      for (const child of await childrenOf(parent)) {
        tree.push(child);
        await walk(child, depth + 1);
      }
    };
    await walk(pid, 0);
    for (const step of signalSteps(signal)) {
      for (const child of tree) {
        try {
          process.kill(child, step);
        } catch {
          // already gone
        }
      }
    }
  }

  async release(): Promise<void> {}
}

/** What the remote wrapper host needs of the host's control client. */
export interface HostCommands {
  run(command: TmuxCommand): Promise<string[]>;
  runList(commands: readonly TmuxCommand[]): Promise<string[][]>;
}

/**
 * Runs a shell command on the host through `run-shell` (tmux expands formats in
 * it, hence literalFormat). Its output goes nowhere: run-shell output would show
 * in a pane of the control client's session. It waits for the command to end.
 */
function hostShell(script: string): TmuxCommand {
  return ['run-shell', literalFormat(`{ ${script}; } >/dev/null 2>&1; true`)];
}

let bufferCounter = 0;
const bufferName = () => `tb-exec-${process.pid}-${++bufferCounter}`;

export class RemoteWrapperHost implements WrapperHost {
  /** Polled over the connection: less often than a local file (the stream's end marker is what ends a run). */
  readonly statusPollMs = 1000;
  private base: Promise<string> | undefined;

  constructor(
    readonly host: string,
    private readonly control: HostCommands,
  ) {}

  /** `$HOME/.tmux-bridge/executions` of the host's tmux server (HOME from tmux's global environment). */
  private baseDir(): Promise<string> {
    this.base ??= this.control.run(['show-environment', '-g', 'HOME']).then(
      (lines) => {
        const home = lines.find((line) => line.startsWith('HOME='))?.slice(5);
        if (!home || !home.startsWith('/')) throw new Error(`host ${this.host}: tmux's environment has no HOME`);
        return posix.join(home, '.tmux-bridge', 'executions');
      },
      (error: unknown) => {
        this.base = undefined;
        throw error;
      },
    );
    return this.base;
  }

  private async runDir(executionId: string): Promise<string> {
    return posix.join(await this.baseDir(), executionId);
  }

  async write(executionId: string, attempt: number, argv: readonly string[], workingDir?: string | null): Promise<Wrapper> {
    const dir = posix.join(await this.runDir(executionId), String(attempt));
    const wrapper = wrapperPaths(dir, newNonce());
    const buffer = bufferName();
    // One control line: the private directory, the script into a tmux buffer, the buffer into the file.
    await this.control.runList([
      hostShell(`umask 077 && mkdir -p -- ${shellQuote(dir)}`),
      ['set-buffer', '-b', buffer, '--', wrapperScript(wrapper, argv, workingDir)],
      ['save-buffer', '-b', buffer, literalFormat(wrapper.script)],
      ['delete-buffer', '-b', buffer],
    ]);
    return wrapper;
  }

  async readStatus(wrapper: Wrapper): Promise<number | undefined> {
    const buffer = bufferName();
    try {
      // load-buffer fails while the file does not exist, and the rest of the line is not run.
      const [, shown] = await this.control.runList([
        ['load-buffer', '-b', buffer, literalFormat(wrapper.statusFile)],
        ['show-buffer', '-b', buffer],
        ['delete-buffer', '-b', buffer],
      ]);
      const text = (shown ?? []).join('\n').trim();
      return /^\d+$/.test(text) ? Number(text) : undefined;
    } catch {
      return undefined;
    }
  }

  async signal(wrapper: Wrapper, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    // The wrapper's descendants, deepest first; a subshell body keeps each level's loop variable its own.
    const script = [
      `p=$(cat -- ${shellQuote(wrapper.pidFile)}) || exit 0`,
      'tb_walk() ( for c in $(cat /proc/$1/task/$1/children 2>/dev/null || pgrep -P $1); do echo $c; tb_walk $c; done )',
      'pids=$(tb_walk $p)',
      '[ -n "$pids" ] || exit 0',
      ...signalSteps(signal).map((step) => `kill -${step.slice(3)} $pids 2>/dev/null`),
      'exit 0',
    ].join('; ');
    await this.control.run(hostShell(script)).catch(() => undefined);
  }

  async release(executionId: string): Promise<void> {
    const dir = await this.runDir(executionId);
    await this.control.run(hostShell(`rm -rf -- ${shellQuote(dir)}`));
  }
}
