import { Worker } from 'node:worker_threads';
import type { FromReplica, ToReplica } from './replica-protocol.ts';
import type { JournalEntry, StoreLogger } from './types.ts';

// From the sources (tests, tsx), a worker needs the TypeScript loader registered
// first; the built server (dist/server, scripts/build-server.mjs) has the worker's
// entry as plain JavaScript beside the bundle that holds this module.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER = FROM_SOURCES ? new URL('./worker-boot.mjs', import.meta.url) : new URL('./snapshot-worker.js', import.meta.url);
const WORKER_DATA = FROM_SOURCES ? { entry: new URL('./snapshot-worker.ts', import.meta.url).href } : {};

export interface SnapshotResult {
  /** Last journal entry the snapshot holds. */
  readonly lsn: number;
  readonly bytes: number;
  /** Time the worker spent in sql.js export() and in write + fsync + rename. */
  readonly exportMs: number;
  readonly writeMs: number;
  /** From request to done, as seen by the main thread. */
  readonly totalMs: number;
}

interface Pending {
  readonly resolve: (result: SnapshotResult) => void;
  readonly reject: (error: Error) => void;
  readonly started: number;
}

/**
 * The main thread's handle on the snapshot worker (`snapshot-worker.ts`). It
 * only posts messages: nothing here costs the event loop more than a structured
 * clone of the entries just written.
 */
export class Replica {
  private worker: Worker | undefined;
  private problem: string | undefined = 'not started';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly dataDir: string,
    private readonly log: StoreLogger,
  ) {}

  /** False once the worker died or lost track; a snapshot needs a restart first. */
  get healthy(): boolean {
    return this.worker !== undefined && this.problem === undefined;
  }

  /**
   * (Re)starts the worker from the files on disk up to `upToLsn`. Call it when
   * every entry up to `upToLsn` is durable and no later entry is in a segment
   * the worker would read (new entries go to a new segment).
   */
  start(upToLsn: number): void {
    void this.stop();
    const worker = new Worker(WORKER, { workerData: WORKER_DATA, name: 'tmux-bridge snapshots' });
    // The store's close() stops it; an idle worker must not keep the process alive on its own.
    worker.unref();
    this.worker = worker;
    this.problem = undefined;
    worker.on('message', (message: FromReplica) => this.onMessage(message));
    worker.on('error', (error) => this.markBroken(`snapshot worker crashed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.markBroken(`snapshot worker exited (code ${code})`);
    });
    this.post({ type: 'init', dataDir: this.dataDir, upToLsn });
  }

  apply(entries: readonly JournalEntry[]): void {
    if (this.healthy) this.post({ type: 'apply', entries });
  }

  /** Asks for a snapshot at `lsn`; the worker must have been given every entry up to it. */
  snapshot(lsn: number): Promise<SnapshotResult> {
    if (!this.healthy) return Promise.reject(new Error(`no snapshot worker: ${this.problem ?? 'stopped'}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, started: performance.now() });
      // Someone waits for this answer: keep the process alive until it comes.
      this.worker?.ref();
      this.post({ type: 'snapshot', id, lsn });
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.problem = 'stopped';
    this.rejectAll('the snapshot worker was stopped');
    if (worker) await worker.terminate();
  }

  private post(message: ToReplica): void {
    this.worker?.postMessage(message);
  }

  private markBroken(message: string): void {
    if (this.problem === undefined) this.log.warn(`${message}; snapshots wait until it is rebuilt`);
    this.problem ??= message;
    this.rejectAll(message);
  }

  private rejectAll(message: string): void {
    for (const pending of this.pending.values()) pending.reject(new Error(message));
    this.pending.clear();
    this.worker?.unref();
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    return pending;
  }

  private onMessage(message: FromReplica): void {
    switch (message.type) {
      case 'ready':
        this.log.info(`snapshot worker ready at entry ${message.lsn} (${message.ms.toFixed(0)} ms)`);
        return;
      case 'snapshot-done': {
        const pending = this.settle(message.id);
        pending?.resolve({
          lsn: message.lsn,
          bytes: message.bytes,
          exportMs: message.exportMs,
          writeMs: message.writeMs,
          totalMs: performance.now() - (pending?.started ?? 0),
        });
        return;
      }
      case 'snapshot-failed': {
        const pending = this.settle(message.id);
        pending?.reject(new Error(`snapshot failed: ${message.message}`));
        return;
      }
      case 'fatal':
        this.markBroken(`snapshot replica failed: ${message.message}`);
        return;
      case 'log':
        this.log[message.level](`snapshot worker: ${message.message}`);
        return;
    }
  }
}
