import { signal } from '@preact/signals';
import type { ControlHealth } from '../../schemas/index.ts';
import { Disposable } from '../lib/disposable.ts';
import { BASE_PATH } from '../lib/base-path.ts';
import type { EventFeed } from './events.ts';
import { isObject } from './guards.ts';

const STATES = new Set(['connecting', 'connected', 'slow', 'reconnecting', 'closed']);

function isControlHealth(value: unknown): value is ControlHealth {
  return (
    isObject(value) &&
    STATES.has(value.state as string) &&
    typeof value.since === 'string' &&
    typeof value.restarts === 'number' &&
    typeof value.pending === 'number' &&
    (value.lastProblem === null || typeof value.lastProblem === 'string')
  );
}

/**
 * How the server's connection to tmux is doing: read from `/healthz` whenever the
 * event feed (re)connects, then kept current by TMUX_STATUS events.
 */
export class ServerStatus extends Disposable {
  readonly control = signal<ControlHealth | null>(null);

  constructor(feed: EventFeed) {
    super();
    this.register(
      feed.onEvent((event) => {
        if (event.type === 'TMUX_STATUS' && isControlHealth(event.control)) this.control.value = event.control;
      }),
    );
    this.register(feed.onOpen(() => void this.refresh()));
  }

  async refresh(): Promise<void> {
    try {
      const response = await fetch(`${BASE_PATH}/healthz`, { headers: { accept: 'application/json' } });
      const body: unknown = await response.json();
      const control = isObject(body) && isObject(body.tmux) ? body.tmux.control : undefined;
      if (isControlHealth(control)) this.control.value = control;
    } catch {
      // The feed being down says enough; the next open reads it again.
    }
  }
}
