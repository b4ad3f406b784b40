import type { BridgeEvent, HostView } from '../../schemas/index.ts';
import type { ApiClient } from './api.ts';
import type { EventFeed } from './events.ts';
import { isObject, readHostView } from './guards.ts';
import { LiveResource } from './resource.ts';

/**
 * `GET /api/hosts`, kept live by HOST_STATUS events: every host of hosts.yaml with
 * its connection (connected / reconnecting with the reason / auth failed …).
 */
export class HostsStore extends LiveResource<HostView[]> {
  protected readonly refetchOn: ReadonlySet<string> = new Set(['CONFIG_RELOADED']);

  constructor(
    feed: EventFeed,
    private readonly api: ApiClient,
  ) {
    super(feed);
  }

  /** A host by name, once loaded. */
  get(name: string): HostView | undefined {
    return this.data.value?.find((h) => h.name === name);
  }

  /** Remote hosts with a live connection: sessions can be created there. */
  remote(): HostView[] {
    return (this.data.value ?? []).filter((h) => h.kind === 'ssh' && h.mode === 'stream');
  }

  /** Remote hosts read by polling (no control mode, or `live: false`): they have no sessions. */
  polled(): HostView[] {
    return (this.data.value ?? []).filter((h) => h.kind === 'ssh' && h.mode === 'poll');
  }

  protected async load(): Promise<HostView[]> {
    const body = await this.api.call('GET', '/api/hosts');
    if (!isObject(body) || !Array.isArray(body.hosts)) return [];
    return body.hosts.flatMap((h) => readHostView(h) ?? []);
  }

  protected apply(data: HostView[], event: BridgeEvent): HostView[] {
    if (event.type !== 'HOST_STATUS' || typeof event.host !== 'string' || !isObject(event.connection)) return data;
    const c = event.connection;
    const at = data.findIndex((h) => h.name === event.host);
    if (at < 0) {
      this.refetchForUnknown(event.host);
      return data;
    }
    const known = data[at]!;
    const next: HostView = {
      ...known,
      state: typeof c.state === 'string' ? (c.state as HostView['state']) : known.state,
      reason: typeof c.reason === 'string' ? c.reason : null,
      since: typeof c.since === 'string' ? c.since : known.since,
      mode: c.mode === 'poll' ? 'poll' : 'stream',
    };
    if (next.state === known.state && next.reason === known.reason && next.mode === known.mode) return data;
    return data.map((h, i) => (i === at ? next : h));
  }
}
