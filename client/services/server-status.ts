import { signal } from '@preact/signals';
import type { ControlHealth } from '../../schemas/index.ts';
import { Disposable } from '../lib/disposable.ts';
import { BASE_PATH } from '../lib/base-path.ts';
import type { EventFeed } from './events.ts';
import { payloadOf } from './event-readers.ts';
import { loadContract } from './schemas.ts';

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
        const status = payloadOf(event, 'TMUX_STATUS');
        if (status) this.control.value = status.control;
      }),
    );
    this.register(feed.onOpen(() => void this.refresh()));
  }

  async refresh(): Promise<void> {
    try {
      const [contract, response] = await Promise.all([loadContract(), fetch(`${BASE_PATH}/healthz`, { headers: { accept: 'application/json' } })]);
      // 503 while tmux does not answer: the body says how the control client is doing all the same.
      const health = contract.check('Health', await response.json());
      if (health.ok) this.control.value = health.value.tmux.control;
    } catch {
      // The feed being down says enough; the next open reads it again.
    }
  }
}
