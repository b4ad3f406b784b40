/**
 * Notices a control client that stopped answering. tmux answers commands in order,
 * so the age of the oldest unanswered command says it all: past `stuckAfterMs` the
 * connection (or tmux) is wedged, and the client is killed and reconnected, which
 * fails the commands in flight instead of leaving them waiting forever. A client
 * with nothing to do gets a cheap probe now and then, so a hang is noticed without
 * traffic too. The check reads two numbers: it costs nothing while all is well.
 */
import { Disposable, disposableInterval } from '../base/lifecycle.ts';

export type { ControlHealth, ControlHealthState } from '../schemas/health.ts';

/** What the watchdog needs of the client (ControlClient implements it). */
export interface WatchedClient {
  oldestInFlightMs(now?: number): number;
  idleMs(now?: number): number;
  setSlow(slow: boolean): void;
  restart(reason: string): void;
  run(command: readonly string[]): Promise<string[]>;
}

export interface ControlWatchdogOptions {
  readonly stuckAfterMs: number;
  /** Check period (default: a quarter of stuckAfterMs, 250 ms to 5 s). */
  readonly checkMs?: number;
  /** Probe a client idle this long (default 10 s). */
  readonly probeIdleMs?: number;
}

export class ControlWatchdog extends Disposable {
  constructor(
    private readonly client: WatchedClient,
    private readonly options: ControlWatchdogOptions,
  ) {
    super();
    const checkMs = options.checkMs ?? Math.min(5000, Math.max(250, Math.floor(options.stuckAfterMs / 4)));
    this.register(disposableInterval(() => this.check(), checkMs));
  }

  check(now = Date.now()): void {
    const age = this.client.oldestInFlightMs(now);
    if (age < 0) return;
    if (age >= this.options.stuckAfterMs) {
      this.client.restart(`tmux did not answer for ${Math.round(age / 1000)} s`);
      return;
    }
    // Slow: a third of the way to a restart (commands queue up behind the slow one).
    this.client.setSlow(age >= this.options.stuckAfterMs / 3);
    if (age === 0 && this.client.idleMs(now) >= (this.options.probeIdleMs ?? 10_000)) {
      this.client.run(['display-message', '-p', 'ok']).catch(() => undefined);
    }
  }
}
