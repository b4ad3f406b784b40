import { batch, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import { Disposable, toDisposable } from '../lib/disposable.ts';
import { readPaneTail } from './event-readers.ts';
import { paneKey } from './agent-types.ts';
import type { EventFeed } from './events.ts';

/** Lines kept per pane: the API sends 20; a tile shows fewer. */
const MAX_LINES = 40;

/**
 * The last lines of every pane, one signal per pane, fed by PANE_TAIL events.
 * A tile or a pipeline row reads only its own pane's signal, so one pane's new
 * output re-renders one tile, not the page. Tails that arrive within one frame
 * are applied together in that frame (200 panes at 1/s each is 200 events a
 * second; the browser paints them in a handful of batches).
 */
export class PaneTails extends Disposable {
  private readonly byPane = new Map<string, Signal<readonly string[] | undefined>>();
  private readonly pending = new Map<string, readonly string[]>();
  private frame: number | undefined;

  constructor(feed: EventFeed) {
    super();
    this.register(
      feed.onEvent((event) => {
        if (event.type !== 'PANE_TAIL') return;
        const tail = readPaneTail(event);
        if (tail) this.queue(paneKey(tail.host, tail.paneId), tail.lines);
      }),
    );
    this.register(toDisposable(() => this.frame !== undefined && cancelAnimationFrame(this.frame)));
  }

  /** The pane's last lines; undefined until the API or an event said. */
  get(host: string, paneId: string): ReadonlySignal<readonly string[] | undefined> {
    return this.slot(paneKey(host, paneId));
  }

  /** Lines from an API answer: they replace what a tail said before (the answer is newer). */
  seed(host: string, paneId: string, lines: readonly string[], onlyIfEmpty = false): void {
    const slot = this.slot(paneKey(host, paneId));
    if (onlyIfEmpty && slot.value !== undefined) return;
    slot.value = lines.slice(-MAX_LINES);
  }

  private slot(key: string): Signal<readonly string[] | undefined> {
    let slot = this.byPane.get(key);
    if (!slot) {
      slot = signal<readonly string[] | undefined>(undefined);
      this.byPane.set(key, slot);
    }
    return slot;
  }

  private queue(key: string, lines: readonly string[]): void {
    this.pending.set(key, lines);
    if (this.frame !== undefined) return;
    // A hidden page gets no frames: apply at once there (nothing paints anyway).
    if (document.visibilityState === 'hidden') {
      this.flush();
      return;
    }
    this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = undefined;
    const pending = [...this.pending];
    this.pending.clear();
    batch(() => {
      for (const [key, lines] of pending) this.slot(key).value = lines.slice(-MAX_LINES);
    });
  }
}
