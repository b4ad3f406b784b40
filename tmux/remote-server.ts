import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Disposable, toDisposable } from '../base/lifecycle.ts';
import { Emitter } from '../base/emitter.ts';
import { TmuxAddress } from './address.ts';
import { ControlClient } from './control-client.ts';
import { PaneMonitor } from './pane-monitor.ts';
import { RemotePaneStreams } from './remote-streams.ts';
import { HOLDER_SESSION } from './server.ts';
import { channelArgs, classifySshFailure, masterArgs, remoteCommand, sshAttachCommand, type SshTarget } from './ssh.ts';
import type { SessionEndpoint } from './stream-source.ts';
import { hostReasonText } from '../schemas/host-reason.ts';

/**
 * - `connecting`: the first connection is being made.
 * - `connected`: the control client answers; streams are live.
 * - `reconnecting`: the connection was lost or cannot be made (reason says why); retried with backoff.
 * - `auth_failed`, `host_key_failed`: ssh refused; retried with backoff, but a person must act.
 * - `control_unavailable`: ssh works, tmux control mode does not (tmux older than 3.2): poll instead.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'auth_failed' | 'host_key_failed' | 'control_unavailable';

export interface ConnectionStatus {
  readonly state: ConnectionState;
  readonly reason: string | null;
  /** ISO time of the last state change. */
  readonly since: string;
}

/**
 * Why a host's connection was let go: `removed` from hosts.yaml, its settings `changed`
 * (a new connection follows), `polled` from now on (no control mode), or the server `stopped`.
 */
export type RemoteHostDropped = 'removed' | 'changed' | 'polled' | 'stopped';

export interface RemoteTmuxServerOptions {
  readonly target: SshTarget;
  /** `default` = the remote user's default server, else `tmux -L <socket>`. */
  readonly socket: string;
  readonly tmuxBin: string;
  readonly sshBin?: string;
  readonly ringBytes?: number;
  readonly pollIntervalMs?: number;
  readonly commandTimeoutMs?: number;
  /** Longest wait between reconnect attempts. */
  readonly maxReconnectDelayMs?: number;
}

/**
 * The remote command line. `-u`: the ssh session usually has no UTF-8 locale, and
 * tmux would then turn every byte outside printable ASCII in command output into `_`.
 */
function remoteTmux(tmuxBin: string, tmuxArgs: readonly string[]): string {
  return `exec ${remoteCommand([tmuxBin, '-u', ...tmuxArgs])}`;
}

const CONTROL_UNAVAILABLE = /unknown flag|usage: |invalid option|unknown option|command not found|not found/i;

/**
 * A tmux server on another machine, reached through ONE ssh connection: the ssh
 * master runs the command control client (`tmux -C new-session -A` on the holder
 * session, `-f no-output,ignore-size`) and owns a control socket, over which the
 * per-session output clients run as further channels. Keep-alives notice a dead
 * network; the control client reconnects with backoff and everything follows.
 */
export class RemoteTmuxServer extends Disposable implements SessionEndpoint {
  readonly address: TmuxAddress;
  readonly control: ControlClient;
  readonly monitor: PaneMonitor;
  readonly streams: RemotePaneStreams;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tb-ssh-'));
  private readonly controlPath = join(this.dir, 'cm');
  private current: ConnectionStatus = { state: 'connecting', reason: null, since: new Date().toISOString() };

  private readonly onStatusEmitter = this.register(new Emitter<ConnectionStatus>());
  readonly onStatus = this.onStatusEmitter.event;

  constructor(private readonly options: RemoteTmuxServerOptions) {
    super();
    this.address = new TmuxAddress({ socketName: options.socket, binary: options.tmuxBin });
    const sshBin = options.sshBin ?? 'ssh';
    this.control = this.register(
      new ControlClient({
        address: this.address,
        holderSession: HOLDER_SESSION,
        timeoutMs: options.commandTimeoutMs ?? 15_000,
        maxReconnectDelayMs: options.maxReconnectDelayMs ?? 15_000,
        launch: (tmuxArgs) => {
          // A control socket left by a master that was killed would make the new one refuse to listen.
          rmSync(this.controlPath, { force: true });
          return { file: sshBin, args: masterArgs(options.target, this.controlPath, remoteTmux(options.tmuxBin, tmuxArgs)), env: this.address.env() };
        },
      }),
    );
    this.monitor = this.register(new PaneMonitor(this.control, { hiddenSessions: new Set([HOLDER_SESSION]), pollIntervalMs: options.pollIntervalMs ?? 1000 }));
    this.streams = this.register(
      new RemotePaneStreams(this.monitor, {
        address: this.address,
        ringBytes: options.ringBytes ?? 2 * 1024 * 1024,
        commandTimeoutMs: options.commandTimeoutMs,
        launch: (tmuxArgs) => ({ file: sshBin, args: this.channel(remoteTmux(options.tmuxBin, tmuxArgs)), env: this.address.env() }),
      }),
    );
    this.register(this.control.onConnect(() => this.onUp()));
    this.register(this.control.onDisconnect((reason) => this.onDown(reason)));
    this.register(toDisposable(() => rmSync(this.dir, { recursive: true, force: true })));
    this.control.start().then(
      () => this.onUp(),
      () => undefined, // onDisconnect reported why; the client keeps trying
    );
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  get target(): SshTarget {
    return this.options.target;
  }

  /** ssh arguments for one more channel over this host's connection (never a new connection). */
  channel(command: string, tty = false): string[] {
    return channelArgs(this.options.target, this.controlPath, command, tty);
  }

  ownClients(sessionId: string): number {
    return this.streams.ownClients(sessionId);
  }

  /** Process id of the ssh master (the host's connection). */
  get masterPid(): number | undefined {
    return this.control.pid;
  }

  /** What a person types to attach natively: `ssh -t host tmux -L sock attach -t =name`. */
  attachCommand(sessionName: string): string {
    return sshAttachCommand(this.options.target, [this.options.tmuxBin, ...this.address.globalArgs(), 'attach', '-t', `=${sessionName}`]);
  }

  /**
   * Large input for a paste: the bytes go over one more channel of the connection
   * into `tmux load-buffer -` on the host (a command line cannot carry them).
   */
  loadBuffer(bufferName: string, bytes: Uint8Array): Promise<void> {
    const { tmuxBin } = this.options;
    const args = this.channel(remoteTmux(tmuxBin, [...this.address.globalArgs(), 'load-buffer', '-b', bufferName, '-']));
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.sshBin ?? 'ssh', args, { stdio: ['pipe', 'ignore', 'pipe'], env: this.address.env() });
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGTERM'), this.options.commandTimeoutMs ?? 15_000);
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
      child.stdin.on('error', () => undefined); // the exit code tells
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`tmux load-buffer on ${this.options.target.host} failed (${code}): ${stderr.trim() || 'no output'}`));
      });
      child.stdin.end(Buffer.from(bytes));
    });
  }

  private onUp(): void {
    if (this.isDisposed) return;
    // Stream clients attach first: whoever hears "connected" can wait for them (streams.ready).
    this.streams.setConnected(true);
    this.setStatus('connected', null);
    void this.monitor.refresh().catch(() => undefined);
  }

  private onDown(reason: string): void {
    if (this.isDisposed) return;
    this.streams.setConnected(false);
    const stderr = reason.replace(/^tmux control client exited \([^)]*\):?\s*/, '');
    const failure = classifySshFailure(this.options.target, this.control.lastExitCode, stderr);
    if (failure.kind === 'auth') this.setStatus('auth_failed', failure.message);
    else if (failure.kind === 'host-key') this.setStatus('host_key_failed', failure.message);
    else if (failure.kind === 'remote' && CONTROL_UNAVAILABLE.test(stderr)) {
      this.setStatus('control_unavailable', hostReasonText.noControl(failure.message));
    } else this.setStatus('reconnecting', failure.message);
  }

  private setStatus(state: ConnectionState, reason: string | null): void {
    if (this.current.state === state && this.current.reason === reason) return;
    this.current = { state, reason, since: new Date().toISOString() };
    this.onStatusEmitter.fire(this.current);
  }
}
