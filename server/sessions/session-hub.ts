import type { CliSession, CreateSessionBody, Snapshot } from '../../schemas/index.ts';
import { Disposable } from '../../base/lifecycle.ts';
import type { PaneInfo } from '../../tmux/panes.ts';
import type { PaneStream } from '../../tmux/pane-stream.ts';
import type { SessionEndpoint, StreamState } from '../../tmux/stream-source.ts';
import type { EventBus } from '../events/index.ts';
import type { InputAuditor, InputOrigin } from './input-audit.ts';
import { SessionAnnouncer } from './session-announcer.ts';
import { SessionIO, type SizeResult } from './session-io.ts';
import { SessionLauncher } from './session-launcher.ts';
import type { SessionMetaRepository } from './session-meta.ts';
import { SessionRegistry } from './session-registry.ts';
import { SessionScreens, type TerminalScreen } from './session-screens.ts';

export type { SessionSignal } from './session-announcer.ts';
export type { SizeResult } from './session-io.ts';
export type { TerminalScreen } from './session-screens.ts';

export interface SessionHubOptions {
  readonly runDir: string;
  readonly defaultCols?: number;
  readonly defaultRows?: number;
  /** How long closed sessions stay in the list. */
  readonly closedRetentionMs?: number;
  /** Records every input in the audit log. */
  readonly auditor?: InputAuditor;
  /** The remote host (hosts.yaml name) this server is on; null/absent = the bridge's own server. */
  readonly host?: string | null;
}

/**
 * The CLI sessions of one tmux server: every pane is a session, created here
 * (`s_…` key kept in the pane option `@tb_key`) or adopted (created natively,
 * key derived from the session's creation time and the pane id). tmux stays
 * the source of truth for what exists. The hub is the front of five parts with
 * one job each: the registry (which sessions exist), the announcer (follows
 * tmux and says what changed), the launcher (creates, renames, closes), pane
 * I/O and sizing, and the screens (snapshots and output streams).
 */
export class SessionHub extends Disposable {
  readonly host: string | null;
  private readonly registry: SessionRegistry;
  private readonly announcer: SessionAnnouncer;
  private readonly launcher: SessionLauncher;
  private readonly io: SessionIO;
  private readonly screens: SessionScreens;

  constructor(
    readonly tmux: SessionEndpoint,
    bus: EventBus,
    repo: SessionMetaRepository,
    options: SessionHubOptions,
  ) {
    super();
    this.host = options.host ?? null;
    this.registry = new SessionRegistry(tmux, repo, this.host, options.closedRetentionMs ?? 24 * 3600_000);
    this.announcer = this.register(
      new SessionAnnouncer({ tmux, bus, registry: this.registry, claimedByLauncher: (key, pane) => this.launcher.claims(key, pane) }),
    );
    this.launcher = new SessionLauncher(tmux, this.registry, this.announcer, options);
    this.io = new SessionIO(tmux, this.registry, options.runDir, options.auditor);
    this.screens = new SessionScreens(tmux, this.registry);
  }

  /** How live sessions change, for terminal viewers. */
  get onSignal() {
    return this.announcer.onSignal;
  }

  /** Adopts what tmux already runs; sessions that vanished while we were away are marked closed. */
  start(): Promise<void> {
    return this.announcer.start();
  }

  list(): CliSession[] {
    return this.registry.list();
  }

  get(key: string): CliSession {
    return this.registry.get(key);
  }

  /** Whether this hub holds the session (live here, or stored for this host). */
  owns(key: string): boolean {
    return this.registry.owns(key);
  }

  has(key: string): boolean {
    return this.registry.owns(key);
  }

  /** Whether tmux has the session's pane now (running or exited, not closed). */
  isLive(key: string): boolean {
    return this.registry.liveSession(key) !== undefined;
  }

  /** The pane behind a live session (for streams and viewers). */
  paneOf(key: string): PaneInfo {
    return this.registry.paneOf(key);
  }

  /** The `shell` command the session was created with; null when its pane runs the tool itself. */
  launchShell(key: string): string | null {
    return this.registry.launchShell(key);
  }

  /** The live session showing this pane, if any (O(1): kept beside the pane map). */
  keyOfPane(paneId: string): string | null {
    return this.registry.keyOfPane(paneId);
  }

  /** Writes every live session's last activity (on a clean stop), so a session that ends while we are away keeps it. */
  persistActivity(): Promise<void> {
    return this.registry.persistActivity();
  }

  create(body: CreateSessionBody): Promise<CliSession> {
    return this.launcher.create(body);
  }

  close(key: string): Promise<CliSession> {
    return this.launcher.close(key);
  }

  rename(key: string, name: string): Promise<CliSession> {
    return this.launcher.rename(key, name);
  }

  write(key: string, bytes: Uint8Array, origin?: InputOrigin): Promise<void> {
    return this.io.write(key, bytes, origin);
  }

  writeToPane(paneId: string, bytes: Uint8Array, origin: InputOrigin): Promise<void> {
    return this.io.writeToPane(paneId, bytes, origin);
  }

  send(key: string, text: string, appendNewline = true, origin?: InputOrigin): Promise<void> {
    return this.io.send(key, text, appendNewline, origin);
  }

  keys(key: string, keys: readonly string[], origin?: InputOrigin): Promise<void> {
    return this.io.keys(key, keys, origin);
  }

  resize(key: string, cols: number, rows: number): Promise<SizeResult> {
    return this.io.resize(key, cols, rows);
  }

  requestViewerSize(key: string, cols: number, rows: number): Promise<SizeResult> {
    return this.io.requestViewerSize(key, cols, rows);
  }

  snapshot(key: string, historyLines = 0): Promise<Snapshot> {
    return this.screens.snapshot(key, historyLines);
  }

  terminalScreen(key: string, historyLines: number): Promise<TerminalScreen> {
    return this.screens.terminalScreen(key, historyLines);
  }

  outputStream(key: string): Promise<PaneStream | undefined> {
    return this.screens.outputStream(key);
  }

  streamState(key: string): StreamState | undefined {
    return this.screens.streamState(key);
  }
}
