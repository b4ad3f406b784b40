import type { Snapshot } from '../../schemas/index.ts';
import { capturePane, plainScreen, snapshotBytes } from '../../tmux/capture.ts';
import type { PaneStream } from '../../tmux/pane-stream.ts';
import type { SessionEndpoint, StreamState } from '../../tmux/stream-source.ts';
import type { SessionRegistry } from './session-registry.ts';

export interface TerminalScreen {
  readonly bytes: Buffer;
  readonly offset: number;
  readonly cols: number;
  readonly rows: number;
  readonly exact: boolean;
}

/**
 * What a session shows: its screen (a snapshot for the API, the redraw bytes
 * for a new viewer, each cut at a known offset of the output stream) and the
 * output stream itself, so no caller reaches into the tmux server's streams.
 */
export class SessionScreens {
  constructor(
    private readonly tmux: SessionEndpoint,
    private readonly registry: SessionRegistry,
  ) {}

  /** The session's live output, once it is received (undefined: it has none, a foreign pipe say). */
  async outputStream(key: string): Promise<PaneStream | undefined> {
    return this.tmux.streams.ready(this.registry.paneOf(key).paneId);
  }

  /** How the session's output arrives now (undefined once it is closed). */
  streamState(key: string): StreamState | undefined {
    const session = this.registry.liveSession(key);
    return session ? this.tmux.streams.state(session.pane.paneId) : undefined;
  }

  async snapshot(key: string, historyLines = 0): Promise<Snapshot> {
    const screen = await this.capture(key, historyLines);
    const lines = plainScreen(screen.value).map((l) => l.trimEnd());
    return {
      text: lines.join('\n'),
      cursor: { x: screen.value.modes.cursorX, y: screen.value.modes.cursorY },
      cols: screen.value.modes.cols,
      rows: screen.value.modes.rows,
      offset: screen.offset,
    };
  }

  /** The bytes that redraw the pane for a new viewer, and the stream offset they stand for. */
  async terminalScreen(key: string, historyLines: number): Promise<TerminalScreen> {
    const screen = await this.capture(key, historyLines);
    const stream = this.tmux.streams.get(this.registry.paneOf(key).paneId);
    return {
      bytes: snapshotBytes(screen.value, { bracketedPaste: stream?.bracketedPaste ?? false }),
      offset: screen.offset,
      cols: screen.value.modes.cols,
      rows: screen.value.modes.rows,
      exact: screen.exact,
    };
  }

  private async capture(key: string, historyLines: number) {
    const pane = this.registry.paneOf(key);
    const stream = await this.tmux.streams.ready(pane.paneId);
    const run = () => capturePane(this.tmux.control, pane.paneId, historyLines);
    if (!stream) return { value: await run(), offset: 0, exact: false };
    return stream.cut(run);
  }
}
