/**
 * When and how the store writes snapshots: the journal size and quiet-time triggers,
 * the worker (`Replica`) that exports from its own copy, its restarts, and the journal
 * segments a finished snapshot lets go. The store's write path only reports what
 * became durable (`onDurable`).
 */
import { statSync } from 'node:fs';
import { errorMessage } from '../../base/errors.ts';
import { Disposable, disposableTimeout, MutableDisposable } from '../../base/lifecycle.ts';
import type { Journal } from './journal.ts';
import { Replica, type SnapshotResult } from './replica.ts';
import type { JournalEntry, StoreLogger } from './types.ts';

const MAX_REPLICA_RESTARTS = 3;
const SNAPSHOT_RETRY_MS = 30_000;

export interface SnapshotsOptions {
  readonly dataDir: string;
  readonly log: StoreLogger;
  readonly journal: Journal;
  /** The snapshot on disk at start: its file and the last journal entry it holds. */
  readonly snapshotPath: string;
  readonly snapshotLsn: number;
  /** Snapshot once the journal since the last snapshot is this big. */
  readonly journalBytes: number;
  /** Snapshot after this long without writes. */
  readonly quietMs: number;
  /** Stop the worker when nothing was written for this long after a snapshot that holds everything. */
  readonly idleWorkerStopMs: number;
}

/** What `Store.stats()` tells of snapshots. */
export interface SnapshotStats {
  readonly snapshotLsn: number;
  readonly journalBytes: number;
  readonly snapshotHealthy: boolean;
  /** Whether the snapshot worker runs now (it starts with a snapshot and stops when idle). */
  readonly snapshotWorkerRunning: boolean;
  readonly lastSnapshot: SnapshotResult | undefined;
  readonly lastSnapshotAt: number | undefined;
}

export class Snapshots extends Disposable {
  private readonly replica: Replica;
  private readonly journal: Journal;
  private readonly log: StoreLogger;
  private snapshotLsn: number;
  private journalBytes = 0;
  private snapshotting: Promise<SnapshotResult | undefined> | undefined;
  private lastSnapshot: SnapshotResult | undefined;
  private lastSnapshotAt: number | undefined;
  private replicaRestarts = 0;
  private replicaStarted = false;
  private snapshotRetryAt = 0;
  /** Set when the store closes: no more snapshots of its own choosing. */
  private stopped = false;
  private readonly quietTimer = this.register(new MutableDisposable());
  private readonly idleWorkerTimer = this.register(new MutableDisposable());

  constructor(private readonly options: SnapshotsOptions) {
    super();
    this.journal = options.journal;
    this.log = options.log;
    this.snapshotLsn = options.snapshotLsn;
    try {
      this.lastSnapshotAt = statSync(options.snapshotPath).mtimeMs;
    } catch {
      this.lastSnapshotAt = undefined; // no snapshot yet
    }
    // The worker (its own thread and sql.js: ~15 MB, and CPU while the server starts)
    // is started by the first snapshot, from the sealed files, and stopped when idle.
    this.replica = new Replica(options.dataDir, options.log);
  }

  get stats(): SnapshotStats {
    return {
      snapshotLsn: this.snapshotLsn,
      journalBytes: this.journalBytes,
      snapshotHealthy: !this.replicaStarted || this.replica.healthy,
      snapshotWorkerRunning: this.replicaStarted && this.replica.healthy,
      lastSnapshot: this.lastSnapshot,
      lastSnapshotAt: this.lastSnapshotAt,
    };
  }

  /** Entries the journal made durable: the worker applies them too; a snapshot may be due. */
  onDurable(entries: readonly JournalEntry[], bytes: number): void {
    this.replica.apply(entries);
    this.journalBytes += bytes;
    if (this.journalBytes >= this.options.journalBytes) this.autoSnapshot();
    else this.armQuietTimer();
  }

  /**
   * Writes a snapshot now (the worker does the work). Resolves with what was
   * written, or undefined when the snapshot already holds everything or the
   * worker is unavailable. Concurrent calls share one snapshot.
   */
  snapshot(): Promise<SnapshotResult | undefined> {
    this.snapshotting ??= this.takeSnapshot().finally(() => {
      this.snapshotting = undefined;
      if (this.journal.lastDurableLsn > this.snapshotLsn) this.armQuietTimer();
      else this.armIdleWorkerTimer();
    });
    return this.snapshotting;
  }

  /** The store is closing: only its final snapshot is still written. */
  stopAutomatic(): void {
    this.stopped = true;
    this.quietTimer.clear();
    this.idleWorkerTimer.clear();
  }

  /** Stops the worker (after the final snapshot). */
  async stop(): Promise<void> {
    await this.replica.stop();
  }

  /** A snapshot the store decides on; after a failure it waits before trying again (each try seals a segment). */
  private autoSnapshot(): void {
    if (this.stopped || Date.now() < this.snapshotRetryAt) return;
    this.snapshot().catch((error: unknown) => {
      this.snapshotRetryAt = Date.now() + SNAPSHOT_RETRY_MS;
      this.log.warn(`snapshot failed (${errorMessage(error)}); the journal keeps every write; next try in ${SNAPSHOT_RETRY_MS / 1000} s`);
    });
  }

  private armQuietTimer(): void {
    if (this.stopped) return;
    this.quietTimer.value = disposableTimeout(() => {
      if (this.journal.lastDurableLsn > this.snapshotLsn) this.autoSnapshot();
    }, this.options.quietMs);
  }

  /**
   * After a snapshot that holds everything: if nothing is written for
   * `idleWorkerStopMs`, stop the worker, so an idle server gives back its thread
   * and replica. Nothing is lost: the snapshot and the journal on disk are what
   * the next start of the worker reads, as at the first snapshot.
   */
  private armIdleWorkerTimer(): void {
    if (this.stopped || !this.replicaStarted) return;
    this.idleWorkerTimer.value = disposableTimeout(() => {
      if (this.stopped || this.snapshotting || !this.replica.healthy || this.journal.lastDurableLsn !== this.snapshotLsn) return;
      this.replicaStarted = false;
      this.log.info('snapshot worker stopped while idle; the next snapshot starts it from the files');
      void this.replica.stop();
    }, this.options.idleWorkerStopMs);
  }

  private async takeSnapshot(): Promise<SnapshotResult | undefined> {
    const ticket = await this.journal.barrier(async () => {
      const lsn = this.journal.lastDurableLsn;
      if (lsn === this.snapshotLsn) return undefined;
      if (!this.replica.healthy && this.replicaRestarts >= MAX_REPLICA_RESTARTS) {
        if (this.replicaRestarts++ === MAX_REPLICA_RESTARTS) {
          this.log.error('the snapshot worker keeps failing: no more snapshots; writes stay durable in the journal, which grows until a restart');
        }
        return undefined;
      }
      // New entries go to a new segment: the sealed ones are what the snapshot will hold.
      await this.journal.seal();
      if (!this.replicaStarted) {
        this.replicaStarted = true;
        this.replica.start(lsn);
      } else if (!this.replica.healthy) {
        this.replicaRestarts++;
        this.log.warn(`rebuilding the snapshot worker from the files (attempt ${this.replicaRestarts})`);
        this.replica.start(lsn);
      }
      const done = this.replica.snapshot(lsn);
      done.catch(() => {}); // Awaited below, after the barrier.
      return { done, bytes: this.journalBytes };
    });
    if (!ticket) return undefined;
    const result = await ticket.done;
    this.journalBytes = Math.max(0, this.journalBytes - ticket.bytes);
    this.snapshotLsn = result.lsn;
    this.lastSnapshot = result;
    this.lastSnapshotAt = Date.now();
    this.replicaRestarts = 0;
    await this.journal.dropCovered(result.lsn);
    return result;
  }
}
