import type { BridgeEvent, HostView } from '../../schemas/index.ts';
import type { ApiClient } from './api.ts';
import type { EventFeed } from './events.ts';
import { payloadOf } from './event-readers.ts';
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
    return (await this.api.get('/api/hosts', 'HostList')).hosts;
  }

  protected apply(data: HostView[], event: BridgeEvent): HostView[] {
    const p = payloadOf(event, 'HOST_STATUS');
    if (!p) return data;
    const c = p.connection;
    const at = data.findIndex((h) => h.name === p.host);
    if (at < 0) {
      this.refetchForUnknown(p.host);
      return data;
    }
    const known = data[at]!;
    const next: HostView = { ...known, state: c.state, reason: c.reason, since: c.since, mode: c.mode };
    if (next.state === known.state && next.reason === known.reason && next.mode === known.mode) return data;
    return data.map((h, i) => (i === at ? next : h));
  }
}
