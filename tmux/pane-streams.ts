import { rm } from 'node:fs/promises';
import { Disposable, toDisposable } from '../base/lifecycle.ts';
import { Emitter } from '../base/emitter.ts';
import type { ControlClient } from './control-client.ts';
import { FifoReader } from './fifo-reader.ts';
import type { PaneMonitor } from './pane-monitor.ts';
import { PaneStream } from './pane-stream.ts';
import type { PaneInfo } from './panes.ts';
import { armPipeCommands, createFifos, disarmPipeCommands, ensureRunDir, fifoPathFor } from './pipe.ts';

export interface PaneStreamsOptions {
  /** Private directory for the FIFOs. */
  readonly runDir: string;
  /** Ring buffer per pane (at least 1 MiB is the contract). */
  readonly ringBytes: number;
}

import type { PaneStreamSource, StreamState } from './stream-source.ts';
import { toError } from '../base/errors.ts';

export type { StreamState } from './stream-source.ts';

interface Entry {
  readonly stream: PaneStream;
  reader: FifoReader | undefined;
  state: StreamState;
  arming: Promise<void> | undefined;
}

/**
 * A PaneStream for every pane the monitor sees, fed by `pipe-pane` into a FIFO.
 * Pipes are (re-)armed when a pane appears, after a restart, and whenever tmux
 * reports the pipe gone; a pipe somebody else set up on a pane is never
 * replaced (that pane then has no live stream).
 */
export class PaneStreams extends Disposable implements PaneStreamSource {
  private readonly entries = new Map<string, Entry>();
  private batch: PaneInfo[] = [];
  private batchTimer: NodeJS.Immediate | undefined;

  private readonly onOpenedEmitter = this.register(new Emitter<PaneStream>());
  readonly onStreamOpened = this.onOpenedEmitter.event;
  private readonly onClosedEmitter = this.register(new Emitter<string>());
  readonly onStreamClosed = this.onClosedEmitter.event;
  private readonly onErrorEmitter = this.register(new Emitter<{ paneId: string; error: Error }>());
  readonly onError = this.onErrorEmitter.event;

  constructor(
    private readonly control: ControlClient,
    private readonly monitor: PaneMonitor,
    private readonly options: PaneStreamsOptions,
  ) {
    super();
    this.register(monitor.onPaneAdded((pane) => this.open(pane)));
    this.register(monitor.onPaneRemoved((pane) => this.close(pane.paneId)));
    this.register(
      monitor.onPaneChanged(({ current }) => {
        const entry = this.entries.get(current.paneId);
        if (!entry || entry.arming) return;
        if (current.dead) {
          entry.state = 'dead';
          return;
        }
        // Our cat died (or a foreign pipe went away): arm again.
        if (!current.piped && (entry.state === 'streaming' || entry.state === 'foreign-pipe')) this.queueArm(current);
      }),
    );
    this.register(
      control.onConnect(() => {
        // A new control client after a tmux restart: check every pipe.
        void monitor.refresh();
      }),
    );
    this.register(toDisposable(() => this.closeAll()));
  }

  get(paneId: string): PaneStream | undefined {
    return this.entries.get(paneId)?.stream;
  }

  state(paneId: string): StreamState | undefined {
    return this.entries.get(paneId)?.state;
  }

  /** Resolves once the pane's pipe is armed (or arming failed). */
  async ready(paneId: string): Promise<PaneStream | undefined> {
    const entry = this.entries.get(paneId);
    if (!entry) return undefined;
    if (this.batch.some((p) => p.paneId === paneId)) await new Promise<void>((r) => setImmediate(r));
    await entry.arming;
    return entry.stream;
  }

  /** Starts streaming a pane now (the monitor would also find it on its next listing). */
  open(pane: PaneInfo): PaneStream {
    let entry = this.entries.get(pane.paneId);
    if (!entry) {
      const stream = new PaneStream({ paneId: pane.paneId, ringBytes: this.options.ringBytes });
      entry = { stream, reader: undefined, state: pane.dead ? 'dead' : 'failed', arming: undefined };
      this.entries.set(pane.paneId, entry);
      this.onOpenedEmitter.fire(stream);
    }
    if (!pane.dead && !entry.reader) this.queueArm(pane);
    return entry.stream;
  }

  private queueArm(pane: PaneInfo): void {
    const entry = this.entries.get(pane.paneId);
    if (!entry || this.releases.has(pane.paneId)) return;
    let release!: () => void;
    entry.arming = new Promise<void>((resolve) => (release = resolve));
    this.batch.push(pane);
    this.releases.set(pane.paneId, release);
    this.batchTimer ??= setImmediate(() => void this.armBatch());
  }

  private readonly releases = new Map<string, () => void>();

  /** One mkfifo for all panes found together (a restart can find hundreds). */
  private async armBatch(): Promise<void> {
    this.batchTimer = undefined;
    const panes = this.batch.filter((p, i, all) => all.findIndex((q) => q.paneId === p.paneId) === i);
    this.batch = [];
    const toArm = panes.filter((pane) => {
      const foreign = pane.piped && pane.pipeTarget !== fifoPathFor(this.options.runDir, pane.paneId);
      const entry = this.entries.get(pane.paneId);
      if (entry && foreign && entry.state !== 'foreign-pipe') {
        entry.state = 'foreign-pipe';
        this.onErrorEmitter.fire({ paneId: pane.paneId, error: new Error('live output is unavailable: another pipe-pane is set on this pane and is left alone') });
      }
      if (!entry || foreign) this.release(pane.paneId);
      return entry !== undefined && !foreign;
    });
    if (toArm.length === 0) return;
    try {
      await ensureRunDir(this.options.runDir);
      for (const pane of toArm) this.entries.get(pane.paneId)?.reader?.dispose();
      await createFifos(toArm.map((pane) => fifoPathFor(this.options.runDir, pane.paneId)));
    } catch (error) {
      for (const pane of toArm) this.fail(pane.paneId, error);
      return;
    }
    await Promise.all(toArm.map((pane) => this.arm(pane)));
  }

  private async arm(pane: PaneInfo): Promise<void> {
    const entry = this.entries.get(pane.paneId);
    if (!entry || this.isDisposed) return this.release(pane.paneId);
    const path = fifoPathFor(this.options.runDir, pane.paneId);
    try {
      const reader = new FifoReader(path);
      reader.onData((chunk) => entry.stream.append(chunk));
      reader.onError((error) => this.onErrorEmitter.fire({ paneId: pane.paneId, error }));
      entry.reader = reader;
      await this.control.runList(armPipeCommands(pane.paneId, path));
      entry.state = 'streaming';
    } catch (error) {
      this.fail(pane.paneId, error);
    } finally {
      this.release(pane.paneId);
    }
  }

  private fail(paneId: string, error: unknown): void {
    const entry = this.entries.get(paneId);
    if (entry) {
      entry.state = 'failed';
      entry.reader?.dispose();
      entry.reader = undefined;
    }
    this.release(paneId);
    if (!this.isDisposed) {
      this.onErrorEmitter.fire({ paneId, error: toError(error) });
    }
  }

  private release(paneId: string): void {
    const release = this.releases.get(paneId);
    this.releases.delete(paneId);
    const entry = this.entries.get(paneId);
    if (entry) entry.arming = undefined;
    release?.();
  }

  /**
   * Takes our pipes down (a clean stop): the bridge leaves tmux running, and no
   * `cat` of ours may stay behind waiting for a reader that is gone.
   */
  async disarmAll(): Promise<void> {
    const streaming = [...this.entries].filter(([, entry]) => entry.state === 'streaming').map(([paneId]) => paneId);
    await Promise.allSettled(streaming.map((paneId) => this.control.runList(disarmPipeCommands(paneId))));
  }

  close(paneId: string): void {
    const entry = this.entries.get(paneId);
    if (!entry) return;
    this.entries.delete(paneId);
    this.release(paneId);
    entry.reader?.dispose();
    entry.stream.dispose();
    void rm(fifoPathFor(this.options.runDir, paneId), { force: true });
    this.onClosedEmitter.fire(paneId);
  }

  private closeAll(): void {
    for (const paneId of [...this.entries.keys()]) this.close(paneId);
  }
}
