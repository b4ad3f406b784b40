import type { BridgeEvent } from '../../schemas/index.ts';
import type { AgentApi } from './agent-api.ts';
import { readPaneTail, readStageUpdate } from './event-readers.ts';
import { paneKey, type ConfigView, type PaneInfo } from './agent-types.ts';
import type { EventFeed } from './events.ts';
import type { PaneTails } from './pane-tails.ts';
import { LiveResource } from './resource.ts';

export interface PaneEntry {
  readonly key: string;
  readonly info: PaneInfo;
}

/**
 * Every watched or bridge pane (`GET /api/panes`). The list changes when panes
 * come and go (session events, config reloads, a tail or stage of a pane it does
 * not know); their output lives in PaneTails, so a tail never re-renders the list.
 */
export class PaneStore extends LiveResource<readonly PaneEntry[]> {
  protected readonly refetchOn: ReadonlySet<string> = new Set(['CONFIG_RELOADED', 'CLI_SESSION_CREATED', 'CLI_SESSION_CLOSED']);

  constructor(
    feed: EventFeed,
    private readonly agent: AgentApi,
    private readonly tails: PaneTails,
  ) {
    super(feed);
  }

  protected async load(): Promise<readonly PaneEntry[]> {
    const panes = await this.agent.panes();
    for (const pane of panes) this.tails.seed(pane.host, pane.paneId, pane.lastLines);
    return panes.map((info) => ({ key: paneKey(info.host, info.paneId), info }));
  }

  protected apply(data: readonly PaneEntry[], event: BridgeEvent): readonly PaneEntry[] {
    let key: string | undefined;
    if (event.type === 'PANE_TAIL') {
      const tail = readPaneTail(event);
      if (tail) key = paneKey(tail.host, tail.paneId);
    } else if (event.type === 'STAGE_UPDATED') {
      const u = readStageUpdate(event);
      if (u) key = paneKey(u.host, u.paneId);
    }
    if (key !== undefined && !data.some((p) => p.key === key)) this.refetchForUnknown(key);
    return data;
  }
}

/** `GET /api/agent/config`, fetched again when the files are reloaded or fail to load. */
export class AgentConfigStore extends LiveResource<ConfigView> {
  protected readonly refetchOn: ReadonlySet<string> = new Set(['CONFIG_RELOADED', 'CONFIG_ERROR']);

  constructor(
    feed: EventFeed,
    private readonly agent: AgentApi,
  ) {
    super(feed);
  }

  protected load(): Promise<ConfigView> {
    return this.agent.config();
  }

  protected apply(data: ConfigView): ConfigView {
    return data;
  }
}
