import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { Disposable, toDisposable } from '../base/lifecycle.ts';
import { Emitter } from '../base/emitter.ts';
import { formatCommandList, type TmuxCommand } from './command.ts';
import { ControlProtocolParser, type ControlNotification, type ControlReply } from './control-protocol.ts';
import { TmuxCommandError, TmuxDisconnectedError, TmuxTimeoutError } from './errors.ts';
import type { TmuxAddress } from './address.ts';
import { ControlWatchdog, type ControlHealth, type ControlHealthState } from './control-watchdog.ts';

export interface ControlClientOptions {
  readonly address: TmuxAddress;
  /** The session the client attaches to; created if missing. Kept out of every listing. */
  readonly holderSession: string;
  /** Per-command time limit. */
  readonly timeoutMs?: number;
  /**
   * The tmux arguments after the global ones; default: `-C new-session -A` on the
   * holder session with `-f no-output,ignore-size`.
   */
  readonly clientArgs?: readonly string[];
  /** How to run tmux with these arguments (default: the local binary); ssh for a remote host. */
  readonly launch?: (tmuxArgs: readonly string[]) => { file: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** Reconnect after the client died (default true). */
  readonly reconnect?: boolean;
  /** Longest wait between reconnect attempts (default 2 s). */
  readonly maxReconnectDelayMs?: number;
  /**
   * The oldest command unanswered this long means the connection (or tmux) is
   * wedged: the watchdog fails what is in flight and reconnects. Default: the
   * command time limit. 0 turns the watchdog off.
   */
  readonly stuckAfterMs?: number;
}

interface PendingCommand {
  readonly line: string;
  readonly expected: number;
  readonly results: string[][];
  readonly resolve: (results: string[][]) => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  timer?: NodeJS.Timeout;
  /** When it was written to tmux (for the watchdog). */
  sentAt?: number;
}

/**
 * One persistent `tmux -C` client per tmux server. Commands are written to its
 * stdin as lines and answered in order by `%begin/%end/%error` blocks; that
 * costs ~0.1 ms per command instead of a 3–4 ms process spawn.
 *
 * It attaches with `-f no-output,ignore-size` to a holder session of its own,
 * so it never changes any window's size and never receives pane output.
 * If the client dies it reconnects with backoff; commands issued meanwhile wait.
 *
 * Never send commands that run further commands (`if-shell`, `run-shell`,
 * `source-file`): their inner commands produce extra reply blocks.
 */
export class ControlClient extends Disposable {
  private child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  private parser = new ControlProtocolParser();
  /** Written to tmux, waiting for replies, in order. */
  private inFlight: PendingCommand[] = [];
  /** Not yet written because the client is (re)connecting. */
  private waiting: PendingCommand[] = [];
  private connected = false;
  private reconnectDelay = 100;
  private stderr = '';
  private readonly timeoutMs: number;
  /** Whether the current client process answered anything yet. */
  private answered = false;
  /** tmux said `%exit` to the current client: tmux ended it, the connection did not drop. */
  private exitSaid = false;
  private lastWriteAt = 0;
  /** Set when the watchdog kills the client: the reason the in-flight commands fail with. */
  private killReason: string | null = null;
  private healthState: ControlHealthState = 'connecting';
  private healthSince = Date.now();
  private restarts = 0;
  private lastProblem: { reason: string; at: string } | null = null;

  private readonly onNotificationEmitter = this.register(new Emitter<ControlNotification>());
  readonly onNotification = this.onNotificationEmitter.event;
  private readonly onConnectEmitter = this.register(new Emitter<void>());
  /** Fired on every (re)connection. */
  readonly onConnect = this.onConnectEmitter.event;
  private readonly onDisconnectEmitter = this.register(new Emitter<string>());
  readonly onDisconnect = this.onDisconnectEmitter.event;
  private readonly onHealthEmitter = this.register(new Emitter<ControlHealth>());
  /** The health state changed (connecting, connected, slow, reconnecting, closed). */
  readonly onHealth = this.onHealthEmitter.event;

  constructor(private readonly options: ControlClientOptions) {
    super();
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.register(toDisposable(() => this.shutdown()));
    const stuckAfterMs = options.stuckAfterMs ?? this.timeoutMs;
    if (stuckAfterMs > 0) this.register(new ControlWatchdog(this, { stuckAfterMs }));
  }

  /** How the connection to tmux is doing, for /healthz and the UI. */
  health(): ControlHealth {
    const oldest = Math.max(0, this.oldestInFlightMs());
    return {
      state: this.healthState,
      since: new Date(this.healthSince).toISOString(),
      restarts: this.restarts,
      pending: this.inFlight.length + this.waiting.length,
      oldestPendingMs: oldest,
      lastProblem: this.lastProblem?.reason ?? null,
      lastProblemAt: this.lastProblem?.at ?? null,
    };
  }

  /**
   * @internal (watchdog) Milliseconds the oldest command written to tmux has waited;
   * 0 when none, -1 while this client has not answered yet (still connecting: ssh and
   * tmux have their own connect timeouts, and a slow connect is not a hang).
   */
  oldestInFlightMs(now = Date.now()): number {
    if (!this.answered) return -1;
    const head = this.inFlight[0];
    return head?.sentAt !== undefined ? now - head.sentAt : 0;
  }

  /** @internal (watchdog) Milliseconds since a command was last written. */
  idleMs(now = Date.now()): number {
    return this.connected ? now - this.lastWriteAt : 0;
  }

  /** @internal (watchdog) Marks the connection slow (answers late) or fine again. */
  setSlow(slow: boolean): void {
    if (slow && this.healthState === 'connected') this.setHealth('slow');
    else if (!slow && this.healthState === 'slow') this.setHealth('connected');
  }

  /**
   * @internal (watchdog) The connection is wedged: kill the client process (ours),
   * which fails every command in flight with `reason` and reconnects.
   */
  restart(reason: string): void {
    const child = this.child;
    if (!child || this.isDisposed) return;
    this.restarts++;
    this.killReason = reason;
    this.lastProblem = { reason, at: new Date().toISOString() };
    this.setHealth('reconnecting');
    child.kill('SIGKILL');
  }

  private setHealth(state: ControlHealthState): void {
    if (state === this.healthState) return;
    this.healthState = state;
    this.healthSince = Date.now();
    this.onHealthEmitter.fire(this.health());
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Process id of the running client (tmux, or ssh for a remote one). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Why the client last went away (its exit and what it printed on stderr). */
  get lastExitReason(): string | null {
    return this.exitReason;
  }

  private exitReason: string | null = null;

  /** Starts the client; resolves once tmux answers the first command, rejects with the reason it could not. */
  async start(): Promise<void> {
    this.spawnClient();
    await this.run(['display-message', '-p', 'ready']);
  }

  /** Runs one command; resolves with its output lines, rejects with TmuxCommandError. */
  async run(command: TmuxCommand): Promise<string[]> {
    const [lines] = await this.runList([command]);
    return lines ?? [];
  }

  /**
   * Runs several commands on one line: tmux executes them back to back with no
   * pane output processed in between (an atomic view of the pane). Stops at the
   * first failing command, like tmux does.
   */
  runList(commands: readonly TmuxCommand[]): Promise<string[][]> {
    // Nothing to run (e.g. zero bytes to type) is written as nothing: an empty line on a
    // control client's stdin makes tmux end that client, failing every command in flight.
    if (commands.length === 0) return Promise.resolve([]);
    const line = formatCommandList(commands);
    return new Promise((resolve, reject) => {
      if (this.isDisposed) {
        reject(new TmuxDisconnectedError('the tmux control client is closed'));
        return;
      }
      const pending: PendingCommand = { line, expected: commands.length, results: [], resolve, reject, settled: false };
      pending.timer = setTimeout(() => this.settle(pending, new TmuxTimeoutError(line, this.timeoutMs)), this.timeoutMs);
      pending.timer.unref?.();
      if (this.connected && this.child) {
        this.write(pending);
      } else {
        this.waiting.push(pending);
      }
    });
  }

  private write(pending: PendingCommand): void {
    pending.sentAt = this.lastWriteAt = Date.now();
    this.inFlight.push(pending);
    this.child!.stdin.write(`${pending.line}\n`);
  }

  private spawnClient(): void {
    const { address, holderSession } = this.options;
    const tmuxArgs = this.options.clientArgs ? [...address.globalArgs(), ...this.options.clientArgs] : [
      ...address.globalArgs(),
      '-C',
      'new-session',
      '-A',
      '-s',
      holderSession,
      '-x',
      '80',
      '-y',
      '24',
      '-f',
      'no-output,ignore-size',
      // The holder pane runs nothing that reads input or prints.
      'exec sleep 2147483647',
    ];
    const launched = this.options.launch?.(tmuxArgs) ?? { file: address.binary, args: tmuxArgs, env: address.env() };
    const child = spawn(launched.file, launched.args, { stdio: ['pipe', 'pipe', 'pipe'], env: launched.env ?? address.env() });
    this.child = child;
    this.parser = new ControlProtocolParser();
    this.stderr = '';
    this.answered = false;
    this.exitSaid = false;
    this.killReason = null;
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.stdin.on('error', () => {
      // EPIPE when tmux exits first; the 'close' handler reconnects.
    });
    child.on('error', (error) => this.onClosed(child, `cannot run ${launched.file}: ${error.message}`, null));
    // Killed by the watchdog: tmux's server holds our pipes (it reads and writes them
    // itself), so 'close' may wait for a hung server. Let go of them at the exit.
    child.on('exit', (code, signal) => {
      if (!this.killReason || this.child !== child) return;
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.destroy();
      this.onClosed(child, `tmux control client exited (${signal ?? code})`, code);
    });
    child.on('close', (code, signal) => {
      // tmux's exit code only says whether some earlier command on this client failed;
      // without stderr, the `%exit` tells that tmux itself ended the client.
      const said = this.stderr.trim() || (this.exitSaid ? 'tmux sent %exit (its session ended, or it read an empty line or the end of its input)' : '');
      this.onClosed(child, `tmux control client exited (${signal ?? code})${said ? `: ${said}` : ''}`, code);
    });
    // Commands queued while disconnected go out first; tmux answers in order.
    this.connected = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const pending of waiting) {
      if (!pending.settled) this.write(pending);
    }
  }

  private onData(chunk: Buffer): void {
    for (const message of this.parser.push(chunk)) {
      if (message.kind === 'reply') {
        this.onReply(message);
      } else if (message.name === 'exit') {
        // The client is leaving (holder session killed, server exiting); 'close' follows.
        this.exitSaid = true;
      } else {
        this.onNotificationEmitter.fire(message);
      }
    }
  }

  private onReply(reply: ControlReply): void {
    // Hook output and the attach command's own reply carry flags 0: not ours.
    if ((reply.flags & 1) === 0) return;
    const head = this.inFlight[0];
    if (!head) return;
    if (this.reconnectDelay !== 100) {
      this.reconnectDelay = 100;
    }
    if (!this.answered) {
      this.answered = true;
      this.setHealth('connected');
    }
    if (!reply.ok) {
      this.inFlight.shift();
      this.settle(head, new TmuxCommandError(head.line, reply.lines.join('\n')));
      return;
    }
    head.results.push(reply.lines);
    if (head.results.length >= head.expected) {
      this.inFlight.shift();
      this.settle(head, undefined);
    }
  }

  private settle(pending: PendingCommand, error: Error | undefined): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.timer) clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(pending.results);
  }

  /** Exit code of the last client process (255: ssh itself failed), null if killed or never ran. */
  get lastExitCode(): number | null {
    return this.exitCode;
  }

  private exitCode: number | null = null;

  private onClosed(child: ChildProcessByStdio<Writable, Readable, Readable>, reason: string, code: number | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.connected = false;
    // Killed by the watchdog: say why, not just "exited (SIGKILL)".
    if (this.killReason) reason = `${this.killReason}; reconnecting`;
    this.exitReason = reason;
    this.exitCode = code;
    if (!this.isDisposed) {
      if (!this.killReason) this.lastProblem = { reason, at: new Date().toISOString() };
      this.setHealth(this.options.reconnect === false ? 'closed' : 'reconnecting');
    }
    const lost = this.inFlight;
    this.inFlight = [];
    for (const pending of lost) this.settle(pending, new TmuxDisconnectedError(reason));
    if (this.isDisposed) return;
    if (this.options.reconnect === false) {
      for (const pending of this.waiting) this.settle(pending, new TmuxDisconnectedError(reason));
      this.waiting = [];
    }
    this.onDisconnectEmitter.fire(reason);
    if (this.options.reconnect === false) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.options.maxReconnectDelayMs ?? 2000);
    // A timer that leaves the store once fired: reconnects never accumulate.
    this.store.timeout(() => {
      if (this.isDisposed) return;
      this.spawnClient();
      this.run(['display-message', '-p', 'ready']).then(
        () => this.onConnectEmitter.fire(),
        () => {
          // The next close schedules the next attempt.
        },
      );
    }, delay);
  }

  private shutdown(): void {
    this.healthState = 'closed';
    const child = this.child;
    this.child = undefined;
    this.connected = false;
    for (const pending of [...this.inFlight, ...this.waiting]) {
      this.settle(pending, new TmuxDisconnectedError('the tmux control client is closed'));
    }
    this.inFlight = [];
    this.waiting = [];
    if (child) {
      // Closing stdin detaches the client cleanly; the holder session stays.
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 1000);
      timer.unref();
      child.once('close', () => clearTimeout(timer));
    }
  }
}
