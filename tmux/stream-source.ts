import type { Event } from '../base/emitter.ts';
import type { TmuxAddress } from './address.ts';
import type { PaneInfo } from './panes.ts';
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

/**
 * A tmux server the workbench runs sessions on: the bridge's own (TmuxServer) or a
 * remote one over its ssh connection (RemoteTmuxServer).
 */
export interface SessionEndpoint extends TmuxEndpoint {
  readonly address: TmuxAddress;
  readonly streams: PaneStreamSource & {
    open(pane: PaneInfo): PaneStream;
    readonly onError?: Event<{ paneId: string; error: Error }>;
  };
  /** What a person types to attach to a session natively. */
  attachCommand(sessionName: string): string;
  /**
   * Puts bytes into a named tmux buffer on that server, for pastes too large for
   * send-keys; absent: a local file is loaded (`load-buffer <file>`).
   */
  loadBuffer?(bufferName: string, bytes: Uint8Array): Promise<void>;
  /**
   * Clients of the bridge's own attached to a session (a remote host's output
   * clients), which tmux counts in `session_attached` like a person's.
   */
  ownClients?(sessionId: string): number;
  /** Nudges tmux to record exit statuses it missed (local servers only). */
  reapExitedPanes?(): void;
}
