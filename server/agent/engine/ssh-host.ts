/**
 * A remote host (an `ssh:` block): every poll interval one ssh call lists the panes
 * and captures each watched pane (`capture-pane -p -J -S -<capture_lines>`); the
 * anchor of the lines fed so far says which captured lines are new. Output beyond
 * `capture_lines` between two polls cannot be seen from here — such a gap is
 * reported, and nothing is ever evaluated twice.
 */
import { disposableTimeout, MutableDisposable } from '../../../base/lifecycle.ts';
import { FIELD_SEP, fieldsFormat } from '../../../tmux/command.ts';
import type { CompiledHost } from '../config/types.ts';
import { hostWatchesPane } from '../policy/match.ts';
import { lineCaptureCommands, parseLineCapture } from './anchor.ts';
import { CaptureDiff } from './capture-diff.ts';
import { HostWatcherBase, typeTextCommands, type HostKind, type HostWatcher } from './hosts.ts';
import { PaneRuntime } from './runtime.ts';
import type { SshTmuxRunner } from './ssh-runner.ts';
import type { EngineContext, PaneHost, WatchedPaneInfo } from './types.ts';
import type { HostConnectionView } from '../../../schemas/agent-config-view.ts';
import { errorMessage } from '../../../base/errors.ts';

const LIST_FIELDS = ['pane_id', 'session_name', 'window_name', 'pane_title', 'pane_dead', 'pane_in_mode', 'pid', 'start_time'] as const;

interface RemotePane extends WatchedPaneInfo {
  readonly inMode: boolean;
}

function parsePanes(lines: readonly string[]): RemotePane[] {
  const out: RemotePane[] = [];
  for (const line of lines) {
    const f = line.split(FIELD_SEP);
    if (f.length < LIST_FIELDS.length || !f[0]!.startsWith('%')) continue;
    out.push({ paneId: f[0]!, sessionName: f[1]!, windowName: f[2]!, paneTitle: f[3]!, dead: f[4] === '1', inMode: f[5] === '1', serverId: `${f[6] ?? ''}@${f[7] ?? ''}` });
  }
  return out;
}

interface Entry {
  readonly runtime: PaneRuntime;
  readonly diff: CaptureDiff;
  pane: RemotePane;
  gaps: number;
}

export interface SshHostOptions {
  readonly ctx: EngineContext;
  readonly host: CompiledHost;
  readonly runner: SshTmuxRunner;
  readonly pollMs: number;
  readonly onPaneGone: (host: string, paneId: string) => void;
  /** Why this host is polled rather than streamed (shown with its connection state). */
  readonly fallbackReason?: string;
}

export class SshHostWatcher extends HostWatcherBase<Entry> implements HostWatcher, PaneHost {
  readonly kind: HostKind = 'ssh';
  private readonly timer = this.register(new MutableDisposable());
  private polling: Promise<void> | undefined;

  constructor(private readonly options: SshHostOptions) {
    super(options.host);
  }

  get ssh() {
    return this.options.host.ssh;
  }

  private lastState: { ok: boolean; since: string } = { ok: false, since: new Date().toISOString() };
  private polled = false;

  /** Polling has no connection of its own: its state is the last poll's outcome. */
  get connection(): HostConnectionView {
    const ok = this.lastError === null;
    if (ok !== this.lastState.ok) this.lastState = { ok, since: new Date().toISOString() };
    return {
      state: !this.polled ? 'connecting' : ok ? 'connected' : 'reconnecting',
      reason: this.options.fallbackReason ?? this.lastError,
      since: this.lastState.since,
      mode: 'poll',
    };
  }

  async start(): Promise<void> {
    await this.pollNow();
  }

  /** One poll now (also what the timer runs); concurrent calls share it. */
  pollNow(): Promise<void> {
    this.polling ??= this.poll()
      .catch((error: unknown) => {
        this.lastError = errorMessage(error);
        return false;
      })
      .then((again) => {
        this.polling = undefined;
        // New panes get their first capture at once rather than one interval later.
        this.schedule(again ? 0 : this.options.pollMs);
      });
    return this.polling;
  }

  private schedule(ms: number): void {
    if (this.isDisposed) return;
    this.timer.value = disposableTimeout(() => void this.pollNow(), ms);
  }

  /** Resolves true when new panes were found (they are captured on the next call). */
  private async poll(): Promise<boolean> {
    if (this.isDisposed) return false;
    const captureLines = this.options.host.tmux.captureLines;
    const watched = [...this.entries.keys()];
    const settled = await this.options.runner.runListSettled([
      ['list-panes', '-a', '-F', fieldsFormat(LIST_FIELDS)],
      ...watched.flatMap((paneId) => lineCaptureCommands(paneId, captureLines)),
    ]);
    if (this.isDisposed) return false;
    this.polled = true;
    const listing = settled.results[0];
    if (!listing) {
      // The host is unreachable: keep every pane and its progress, try again next poll.
      this.lastError = settled.error?.message ?? 'no answer';
      return false;
    }
    // A failed capture (a pane that just closed) is not the host's problem: the listing tells.
    this.lastError = null;
    watched.forEach((paneId, i) => {
      const info = settled.results[1 + i * 2];
      const lines = settled.results[2 + i * 2];
      const entry = this.entries.get(paneId);
      if (!info || !lines || !entry) return;
      const delta = entry.diff.next(parseLineCapture([info, lines]));
      if (delta.gap && entry.gaps++ % 20 === 0) {
        this.options.ctx.log(
          `agent: ${this.name} ${paneId} printed more than capture_lines (${captureLines}) lines between two polls; lines in between were not seen (raise capture_lines or lower poll_interval_ms)`,
        );
      }
      entry.runtime.feed(delta.lines);
    });
    const seen = new Set<string>();
    let added = false;
    for (const pane of parsePanes(listing)) {
      if (!hostWatchesPane(this.options.host, pane)) continue;
      seen.add(pane.paneId);
      const entry = this.entries.get(pane.paneId);
      if (entry && entry.pane.serverId !== pane.serverId) {
        // tmux restarted on the host: same id, another pane. The old one's state goes with it.
        entry.runtime.abandon();
        this.entries.delete(pane.paneId);
        this.options.onPaneGone(this.name, pane.paneId);
        void this.retire([entry]);
      } else if (entry) {
        entry.pane = pane;
        entry.runtime.update(pane);
        continue;
      }
      const runtime = new PaneRuntime(this.options.ctx, this, pane, 'polling');
      this.entries.set(pane.paneId, { runtime, diff: new CaptureDiff(runtime.stored, captureLines), pane, gaps: 0 });
      added = true;
    }
    for (const paneId of [...this.entries.keys()]) if (!seen.has(paneId)) void this.drop(paneId);
    return added;
  }

  private async drop(paneId: string): Promise<void> {
    const entry = this.entries.get(paneId);
    if (!entry) return;
    this.entries.delete(paneId);
    await this.retire([entry]);
    this.options.onPaneGone(this.name, paneId);
  }

  async sendKeys(paneId: string, text: string, options: { enter: boolean }): Promise<void> {
    const inMode = this.entries.get(paneId)?.pane.inMode ?? false;
    await this.options.runner.runList(typeTextCommands(paneId, text, options.enter, inMode));
  }

  async close(): Promise<void> {
    this.timer.clear();
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.dispose();
    await this.polling?.catch(() => undefined);
    await this.retire(entries);
  }
}
