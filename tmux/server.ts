import { join } from 'node:path';
import { Disposable } from '../base/lifecycle.ts';
import { TmuxAddress, type TmuxAddressOptions } from './address.ts';
import { ControlClient } from './control-client.ts';
import { PaneMonitor } from './pane-monitor.ts';
import { PaneStreams } from './pane-streams.ts';
import type { SessionEndpoint } from './stream-source.ts';
import { requireTmux, type TmuxVersion } from './version.ts';

export interface TmuxServerOptions extends TmuxAddressOptions {
  /** Directory for FIFOs; must be private to this bridge. */
  readonly runDir: string;
  readonly ringBytes?: number;
  readonly pollIntervalMs?: number;
  /** history-limit for new panes, set globally only on a server of our own (not `default`). */
  readonly historyLimit?: number;
  readonly commandTimeoutMs?: number;
  /** The control watchdog's restart threshold (default: the command time limit). */
  readonly stuckAfterMs?: number;
}

/** The control client's own session: hidden from every listing. */
export const HOLDER_SESSION = '_tmux-bridge';

/**
 * Everything the bridge knows about one local tmux server: its address, the
 * persistent control client, the pane monitor and the pane output streams.
 */
export class TmuxServer extends Disposable implements SessionEndpoint {
  private constructor(
    readonly address: TmuxAddress,
    readonly version: TmuxVersion,
    readonly control: ControlClient,
    readonly monitor: PaneMonitor,
    readonly streams: PaneStreams,
  ) {
    super();
    // Disposed in reverse: streams, monitor, then the control client.
    this.register(control);
    this.register(monitor);
    this.register(streams);
  }

  static async start(options: TmuxServerOptions): Promise<TmuxServer> {
    const address = new TmuxAddress(options);
    const version = await requireTmux(address.binary);
    const control = new ControlClient({
      address,
      holderSession: HOLDER_SESSION,
      timeoutMs: options.commandTimeoutMs ?? 15_000,
      stuckAfterMs: options.stuckAfterMs,
    });
    try {
      await control.start();
      if (!address.isDefaultServer && options.historyLimit) {
        await control.run(['set-option', '-g', 'history-limit', String(options.historyLimit)]);
      }
    } catch (error) {
      control.dispose();
      throw error;
    }
    const monitor = new PaneMonitor(control, {
      hiddenSessions: new Set([HOLDER_SESSION]),
      pollIntervalMs: options.pollIntervalMs ?? 500,
    });
    const streams = new PaneStreams(control, monitor, {
      runDir: options.runDir,
      ringBytes: options.ringBytes ?? 2 * 1024 * 1024,
    });
    const server = new TmuxServer(address, version, control, monitor, streams);
    await server.readServerPid();
    server.register(control.onConnect(() => void server.readServerPid()));
    await monitor.refresh();
    return server;
  }

  /** What a person types to attach natively: `tmux -L sock attach -t =name`. */
  attachCommand(sessionName: string): string {
    return this.address.attachCommand(sessionName);
  }

  private serverPid: number | undefined;

  private async readServerPid(): Promise<void> {
    try {
      const [pid] = await this.control.run(['display-message', '-p', '#{pid}']);
      this.serverPid = Number(pid) || undefined;
    } catch {
      this.serverPid = undefined;
    }
  }

  /**
   * tmux 3.3a sometimes misses a SIGCHLD when several panes end together: the
   * program stays a zombie and the pane is dead without an exit status. One more
   * SIGCHLD makes tmux reap it and record the status. Harmless otherwise.
   */
  reapExitedPanes(): void {
    if (!this.serverPid) return;
    try {
      process.kill(this.serverPid, 'SIGCHLD');
    } catch {
      // the server is gone; the monitor will notice
    }
  }

  static runDirFor(dataDir: string, address: TmuxAddress): string {
    return join(dataDir, 'run', address.label.replace(/[^A-Za-z0-9_.-]/g, '_'));
  }
}
