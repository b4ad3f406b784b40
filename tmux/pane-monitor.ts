import { Disposable, disposableInterval, disposableTimeout, type IDisposable } from '../base/lifecycle.ts';
import { Emitter } from '../base/emitter.ts';
import type { ControlClient } from './control-client.ts';
import { listAllPanes, type PaneInfo } from './panes.ts';
import { toError } from '../base/errors.ts';

export interface PaneChange {
  readonly previous: PaneInfo;
  readonly current: PaneInfo;
}

export interface PaneMonitorOptions {
  /** Session names that are ours and never listed (the control client's holder). */
  readonly hiddenSessions: ReadonlySet<string>;
  /** Full re-listing period; notifications trigger one at once. */
  readonly pollIntervalMs: number;
}

/** Notifications after which the pane list is likely to have changed. */
const RELIST_ON = new Set([
  'sessions-changed',
  'session-renamed',
  'window-add',
  'window-close',
  'unlinked-window-add',
  'unlinked-window-close',
  'window-renamed',
  'unlinked-window-renamed',
  'layout-change',
  'window-pane-changed',
  'pane-mode-changed',
]);

/**
 * Keeps the list of panes on one tmux server and reports what changed.
 * Pane creation and closing arrive as control-mode notifications; exits,
 * resizes by native clients in other sessions and title changes have no
 * notification for a client of another session, so a cheap `list-panes -a`
 * over the control client (≈0.1 ms) also runs every `pollIntervalMs`.
 */
export class PaneMonitor extends Disposable {
  private panes = new Map<string, PaneInfo>();
  private refreshing: Promise<void> | undefined;
  private again = false;
  private debounce: IDisposable | undefined;
  private listedOk = false;

  private readonly onAddedEmitter = this.register(new Emitter<PaneInfo>());
  readonly onPaneAdded = this.onAddedEmitter.event;
  private readonly onRemovedEmitter = this.register(new Emitter<PaneInfo>());
  readonly onPaneRemoved = this.onRemovedEmitter.event;
  private readonly onChangedEmitter = this.register(new Emitter<PaneChange>());
  readonly onPaneChanged = this.onChangedEmitter.event;
  private readonly onErrorEmitter = this.register(new Emitter<Error>());
  readonly onError = this.onErrorEmitter.event;
  private readonly onListedEmitter = this.register(new Emitter<void>());
  /** Every successful listing, after its added/removed/changed events: owners reconcile with the whole list. */
  readonly onListed = this.onListedEmitter.event;

  constructor(
    private readonly control: ControlClient,
    private readonly options: PaneMonitorOptions,
  ) {
    super();
    this.register(
      control.onNotification((n) => {
        if (RELIST_ON.has(n.name)) this.scheduleRefresh();
      }),
    );
    this.register(control.onConnect(() => this.scheduleRefresh()));
    this.register(disposableInterval(() => void this.refresh(), options.pollIntervalMs));
  }

  get(paneId: string): PaneInfo | undefined {
    return this.panes.get(paneId);
  }

  /** Whether a listing ever succeeded (before that, an empty list means nothing). */
  get hasListed(): boolean {
    return this.listedOk;
  }

  list(): PaneInfo[] {
    return [...this.panes.values()];
  }

  /** Re-lists soon, coalescing bursts of notifications. */
  scheduleRefresh(): void {
    if (this.debounce) return;
    this.debounce = disposableTimeout(() => {
      this.debounce = undefined;
      void this.refresh();
    }, 10);
  }

  /** Re-lists now; concurrent calls share one listing plus at most one more. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.list_()
      .catch((error: unknown) => {
        if (!this.isDisposed) this.onErrorEmitter.fire(toError(error));
      })
      .finally(() => {
        this.refreshing = undefined;
        if (this.again && !this.isDisposed) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.refreshing;
  }

  private async list_(): Promise<void> {
    const listed = await listAllPanes(this.control);
    if (this.isDisposed) return;
    this.listedOk = true;
    const next = new Map<string, PaneInfo>();
    for (const pane of listed) {
      if (!this.options.hiddenSessions.has(pane.sessionName)) next.set(pane.paneId, pane);
    }
    const previous = this.panes;
    this.panes = next;
    // tmux restarted between two listings: its pane ids start over, so a "%3" now is
    // another pane than the "%3" before. Report the old one gone and the new one added.
    const replaced = (before: PaneInfo, now: PaneInfo | undefined) => now !== undefined && before.serverId !== now.serverId;
    for (const [id, pane] of previous) {
      const now = next.get(id);
      if (!now || replaced(pane, now)) this.onRemovedEmitter.fire(pane);
    }
    for (const [id, pane] of next) {
      const before = previous.get(id);
      if (!before || replaced(before, pane)) this.onAddedEmitter.fire(pane);
      else if (!samePane(before, pane)) this.onChangedEmitter.fire({ previous: before, current: pane });
    }
    this.onListedEmitter.fire();
  }
}

function samePane(a: PaneInfo, b: PaneInfo): boolean {
  for (const key of Object.keys(a) as Array<keyof PaneInfo>) {
    if (key === 'historySize' || key === 'currentPath') continue;
    if (a[key] !== b[key]) return false;
  }
  return true;
}
