import { resolve, join } from 'node:path';
import { Emitter, type Event } from '../../base/emitter.ts';
import { errorMessage } from '../../base/errors.ts';
import { closeOnce, Disposable, type IAsyncDisposable } from '../../base/lifecycle.ts';
import { StoreClosedError } from './errors.ts';
import { Journal } from './journal.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { migrate, openDataDir, type OpenedDataDir } from './open.ts';
import { Pruning } from './pruning.ts';
import { JOURNAL_DIR } from './recovery.ts';
import type { SnapshotResult } from './replica.ts';
import { createRepositories, type Repositories, type RetentionOptions } from './repos/index.ts';
import { Snapshots } from './snapshots.ts';
import type { SqlDb } from './sqljs.ts';
import { WriteTx, type StoreChange, type StoreCore } from './tx.ts';
import { consoleLogger, type JournalEntry, type SqlParam, type SqlRow, type StoreLogger } from './types.ts';

export interface StoreOptions {
  readonly dataDir: string;
  readonly log?: StoreLogger;
  /** Snapshot once the journal since the last snapshot is this big (default 16 MiB). */
  readonly snapshotJournalBytes?: number;
  /** Snapshot after this long without writes (default 30 s). */
  readonly quietSnapshotMs?: number;
  /**
   * Stop the snapshot worker when nothing was written for this long after a
   * snapshot (default 2 min): an idle server gives back its thread and replica
   * (~15 MB); the next snapshot starts it again from the files.
   */
  readonly idleWorkerStopMs?: number;
  /** Retention of `events` and `audit_log` (pruning runs at start and every `pruneIntervalMs`). */
  readonly retention?: RetentionOptions;
  readonly pruneIntervalMs?: number;
  /** Tests and fixtures only: the schema to build (default: all migrations). */
  readonly migrations?: readonly Migration[];
}

export interface StoreStats {
  readonly dataDir: string;
  readonly schemaVersion: number;
  /** Last journal entry applied in memory / on disk / held by the snapshot. */
  readonly lastLsn: number;
  readonly durableLsn: number;
  readonly snapshotLsn: number;
  /** Journal bytes written since the last snapshot began. */
  readonly journalBytes: number;
  readonly segments: number;
  readonly snapshotHealthy: boolean;
  /** Whether the snapshot worker runs now (it starts with a snapshot and stops when idle). */
  readonly snapshotWorkerRunning: boolean;
  readonly lastSnapshot: SnapshotResult | undefined;
  /** When the snapshot on disk was written (ms since the epoch); undefined before the first one. */
  readonly lastSnapshotAt: number | undefined;
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The durable state of tmux-bridge: a sql.js database in memory, an fsync'd
 * journal of every committed transaction, and snapshots written by a worker.
 * A write resolves (and `onChange` fires) only once its journal record is on
 * disk; reads are synchronous and see every committed write, durable or not yet.
 * Opening is `open.ts`, snapshots `snapshots.ts`, retention `pruning.ts`.
 */
export class Store extends Disposable implements StoreCore, Repositories, IAsyncDisposable {
  private readonly changeEmitter = this.register(new Emitter<StoreChange>());
  /** Every durable change, in commit order. Feed it to the EventBus. */
  readonly onChange: Event<StoreChange> = this.changeEmitter.event;
  private readonly failureEmitter = this.register(new Emitter<Error>());
  /** The journal could not be written: the store refuses writes from now on. Stop the server. */
  readonly onFailure: Event<Error> = this.failureEmitter.event;

  readonly sessions: Repositories['sessions'];
  readonly events: Repositories['events'];
  readonly paneOffsets: Repositories['paneOffsets'];
  readonly stageState: Repositories['stageState'];
  readonly stageHistory: Repositories['stageHistory'];
  readonly approvalTokens: Repositories['approvalTokens'];
  readonly notifications: Repositories['notifications'];
  readonly audit: Repositories['audit'];
  readonly executions: Repositories['executions'];
  readonly resume: Repositories['resume'];
  readonly cliOutput: Repositories['cliOutput'];
  readonly issues: Repositories['issues'];
  readonly flows: Repositories['flows'];
  readonly queues: Repositories['queues'];
  readonly loginSessions: Repositories['loginSessions'];

  private readonly journal: Journal;
  private readonly snapshots: Snapshots;
  private readonly pruning: Pruning;
  private activeTx: { tx: WriteTx; done: Promise<void> } | undefined;
  private readonly joinedWrites = new WeakSet<Promise<unknown>>();
  private lastLsn: number;
  private refusal: Error | undefined;
  private readonly lock: OpenedDataDir['lock'];
  private readonly db: SqlDb;

  static async open(options: StoreOptions): Promise<Store> {
    const log = options.log ?? consoleLogger;
    const dataDir = resolve(options.dataDir);
    const migrations = options.migrations ?? MIGRATIONS;
    const opened = await openDataDir(dataDir, migrations, log);
    let store: Store | undefined;
    try {
      store = new Store(dataDir, options, log, opened);
      await migrate(store, migrations, log);
      store.pruning.start(options.pruneIntervalMs ?? 10 * 60_000);
      return store;
    } catch (error) {
      if (store) await store.abandon();
      else opened.state.db.close();
      opened.lock.release();
      throw error;
    }
  }

  private constructor(
    readonly dataDir: string,
    options: StoreOptions,
    readonly log: StoreLogger,
    opened: OpenedDataDir,
  ) {
    super();
    const { state } = opened;
    this.lock = opened.lock;
    this.db = state.db;
    this.lastLsn = state.lastLsn;
    this.journal = new Journal({
      dir: join(dataDir, JOURNAL_DIR),
      segments: opened.segments,
      lastLsn: state.lastLsn,
      log,
      onDurable: (entries, bytes) => this.snapshots.onDurable(entries, bytes),
      onFailure: (error) => {
        this.refusal ??= new StoreClosedError(`a journal write failed (${error.message}); restart tmux-bridge`);
        this.failureEmitter.fire(error);
      },
    });
    this.snapshots = this.register(
      new Snapshots({
        dataDir,
        log,
        journal: this.journal,
        snapshotPath: state.snapshotPath,
        snapshotLsn: state.snapshotLsn,
        journalBytes: options.snapshotJournalBytes ?? 16 * 1024 * 1024,
        quietMs: options.quietSnapshotMs ?? 30_000,
        idleWorkerStopMs: options.idleWorkerStopMs ?? 120_000,
      }),
    );
    const repos = createRepositories(this, options.retention ?? {});
    this.sessions = repos.sessions;
    this.events = repos.events;
    this.paneOffsets = repos.paneOffsets;
    this.stageState = repos.stageState;
    this.stageHistory = repos.stageHistory;
    this.approvalTokens = repos.approvalTokens;
    this.notifications = repos.notifications;
    this.audit = repos.audit;
    this.executions = repos.executions;
    this.resume = repos.resume;
    this.cliOutput = repos.cliOutput;
    this.issues = repos.issues;
    this.flows = repos.flows;
    this.queues = repos.queues;
    this.loginSessions = repos.loginSessions;
    this.pruning = this.register(new Pruning({ store: this, log, retention: options.retention ?? {}, refusing: () => this.refusal !== undefined }));
  }

  get schemaVersion(): number {
    return this.db.userVersion();
  }

  write<T>(fn: (tx: WriteTx) => T): Promise<T> {
    if (this.activeTx) {
      // Joins the open transaction; a throw propagates to abort all of it.
      const result = fn(this.activeTx.tx);
      const joined = this.activeTx.done.then(() => result);
      joined.catch(() => {}); // The caller of transaction() sees the failure.
      this.joinedWrites.add(joined);
      return joined;
    }
    if (this.refusal) return Promise.reject(this.refusal);
    const tx = new WriteTx(this.db);
    let succeed!: () => void;
    let fail!: (error: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      succeed = resolve;
      fail = reject;
    });
    done.catch(() => {});
    this.activeTx = { tx, done };
    let result: T;
    this.db.exec('BEGIN');
    try {
      result = fn(tx);
      // A repository write's own promise may be returned (`transaction(() => repo.put(x))`); any other one means `async`.
      if (isThenable(result) && !this.joinedWrites.has(result as Promise<unknown>)) {
        // Its own failure (the joined writes reject with the rollback) is not news.
        Promise.resolve(result).catch(() => {});
        throw new TypeError('store.write() and store.transaction() callbacks must be synchronous: do not await inside them');
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.rollback();
      fail(error);
      return Promise.reject(error);
    } finally {
      this.activeTx = undefined;
    }
    if (tx.stmts.length === 0) {
      succeed();
      return Promise.resolve(result);
    }
    const entry: JournalEntry = { lsn: ++this.lastLsn, stmts: tx.stmts };
    return this.journal.append(entry).then(
      () => {
        succeed();
        for (const change of tx.changes) this.fireChange({ ...change, lsn: entry.lsn });
        return result;
      },
      (error: unknown) => {
        fail(error);
        throw error;
      },
    );
  }

  /**
   * Runs several repository writes as one atomic, durable transaction: `fn`
   * runs synchronously, the repository calls inside it join, and the returned
   * promise resolves with `fn`'s result once all of it is on disk.
   */
  transaction<T>(fn: () => T): Promise<Awaited<T>> {
    return this.write(() => fn()) as Promise<Awaited<T>>;
  }

  all(sql: string, params: readonly SqlParam[] = []): SqlRow[] {
    return this.db.all(sql, params);
  }

  get(sql: string, params: readonly SqlParam[] = []): SqlRow | undefined {
    return this.db.get(sql, params);
  }

  /**
   * Writes a snapshot now (the worker does the work). Resolves with what was
   * written, or undefined when the snapshot already holds everything or the
   * worker is unavailable. Concurrent calls share one snapshot.
   */
  snapshot(): Promise<SnapshotResult | undefined> {
    return this.snapshots.snapshot();
  }

  stats(): StoreStats {
    return {
      dataDir: this.dataDir,
      schemaVersion: this.schemaVersion,
      lastLsn: this.lastLsn,
      durableLsn: this.journal.lastDurableLsn,
      segments: this.journal.segmentCount,
      ...this.snapshots.stats,
    };
  }

  /**
   * Applies every table's retention now (also every 10 minutes): events and the audit
   * log by id, the other growing tables by the age of their rows. One run at a time.
   */
  pruneRetention(): Promise<void> {
    return this.pruning.runAll();
  }

  /** Refuses new writes, waits for pending ones, writes a final snapshot, releases the data directory. */
  readonly close = closeOnce(async () => {
    this.refusal ??= new StoreClosedError('the store is closed');
    this.snapshots.stopAutomatic();
    try {
      await this.snapshots.snapshot();
    } catch (error) {
      this.log.warn(`final snapshot failed (${errorMessage(error)}); the journal holds every write and is replayed at the next start`);
    }
    try {
      await this.journal.close();
      await this.snapshots.stop();
      this.db.close();
    } finally {
      // Whatever failed above, the data directory must not stay locked by a process that is done with it.
      this.lock.release();
      this.dispose();
    }
  });

  private fireChange(change: StoreChange): void {
    try {
      this.changeEmitter.fire(change);
    } catch (error) {
      // The write is durable: a failing listener must not turn it into a rejection.
      this.log.error(`a store change listener failed: ${errorMessage(error)}`);
    }
  }

  /** Stops without a snapshot after a failed start. */
  private async abandon(): Promise<void> {
    this.refusal ??= new StoreClosedError('the store failed to start');
    await this.journal.close().catch(() => undefined);
    await this.snapshots.stop();
    this.db.close();
    this.dispose();
  }
}
