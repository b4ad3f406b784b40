import type { Event } from '../schemas/base/emitter.ts';
import type { ControlClient } from './control-client.ts';
import type { PaneMonitor } from './pane-monitor.ts';
import type { PaneStream } from './pane-stream.ts';

export type StreamState = 'streaming' | 'foreign-pipe' | 'dead' | 'failed';

/**
 * Live pane output of one tmux server, however it arrives: pipe-pane into local
 * FIFOs (PaneStreams) or `%output` of control clients over ssh (RemotePaneStreams).
 */
export interface PaneStreamSource {
  get(paneId: string): PaneStream | undefined;
  state(paneId: string): StreamState | undefined;
  /** Resolves once the pane's output is being received (or that failed). */
  ready(paneId: string): Promise<PaneStream | undefined>;
  readonly onStreamOpened: Event<PaneStream>;
  readonly onStreamClosed: Event<string>;
}

/** A tmux server as the agent engine and the terminals use it, local or remote. */
export interface TmuxEndpoint {
  readonly control: ControlClient;
  readonly monitor: PaneMonitor;
  readonly streams: PaneStreamSource;
}
