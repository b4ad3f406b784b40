import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Emitter, type Event } from '../../base/emitter.ts';
import { Disposable, disposableInterval, toDisposable } from '../../base/lifecycle.ts';
import { StoreClosedError, StoreVersionError } from './errors.ts';
import { Journal } from './journal.ts';
import { DataDirLock } from './lock.ts';
import { checkMigrations, latestVersion, MIGRATIONS, type Migration } from './migrations.ts';
import { JOURNAL_DIR, recover, type Recovered } from './recovery.ts';
import { Replica, type SnapshotResult } from './replica.ts';
import { createRepositories, type Repositories, type RetentionOptions } from './repos/index.ts';
import { AGED_TABLES, DEFAULT_RETENTION, pruneAged } from './repos/retention.ts';
import { loadSqlJs, type SqlDb } from './sqljs.ts';
import { tidyAfterCrash } from './tidy.ts';
import { WriteTx, type StoreChange, type StoreCore } from './tx.ts';
import { consoleLogger, type JournalEntry, type SqlParam, type SqlRow, type StoreLogger } from './types.ts';

export interface StoreOptions {
  readonly dataDir: string;
  readonly log?: StoreLogger;
  /** Snapshot once the journal since the last snapshot is this big (default 16 MiB). */
  readonly snapshotJournalBytes?: number;
  /** Snapshot after this long without writes (default 30 s). */
  readonly quietSnapshotMs?: number;
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
  readonly lastSnapshot: SnapshotResult | undefined;
  /** When the snapshot on disk was written (ms since the epoch); undefined before the first one. */
  readonly lastSnapshotAt: number | undefined;
}

const MAX_REPLICA_RESTARTS = 3;
const SNAPSHOT_RETRY_MS = 30_000;

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The durable state of tmux-bridge: a sql.js database in memory, an fsync'd
 * journal of every committed transaction, and snapshots written by a worker.
 * A write resolves (and `onChange` fires) only once its journal record is on
 * disk; reads are synchronous and see every committed write, durable or not yet.
 */
export class Store extends Disposable implements StoreCore, Repositories {
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
  private readonly replica: Replica;
  private activeTx: { tx: WriteTx; done: Promise<void> } | undefined;
  private readonly joinedWrites = new WeakSet<Promise<unknown>>();
  private lastLsn: number;
  private snapshotLsn: number;
  private journalBytes = 0;
  private refusal: Error | undefined;
  private snapshotting: Promise<SnapshotResult | undefined> | undefined;
  private lastSnapshot: SnapshotResult | undefined;
  private lastSnapshotAt: number | undefined;
  private replicaRestarts = 0;
  private replicaStarted = false;
  private snapshotRetryAt = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private readonly snapshotJournalBytes: number;
  private readonly quietSnapshotMs: number;

  static async open(options: StoreOptions): Promise<Store> {
    const log = options.log ?? consoleLogger;
    const dataDir = resolve(options.dataDir);
    const migrations = options.migrations ?? MIGRATIONS;
    checkMigrations(migrations);
    await mkdir(join(dataDir, JOURNAL_DIR), { recursive: true });
    const lock = DataDirLock.acquire(dataDir, log);
    let state: Recovered | undefined;
    let store: Store | undefined;
    try {
      state = await recover(await loadSqlJs(), { dataDir, log, verify: true });
      const version = state.db.userVersion();
      if (version > latestVersion(migrations)) throw new StoreVersionError(state.snapshotPath, version, latestVersion(migrations));
      if (state.replayed > 0) log.info(`replayed ${state.replayed} journal entries after entry ${state.snapshotLsn}`);
      const segments = await tidyAfterCrash(dataDir, state, log);
      store = new Store(dataDir, options, log, lock, state, segments);
      await store.migrate(migrations);
      store.startMaintenance(options);
      return store;
    } catch (error) {
      if (store) await store.abandon();
      else state?.db.close();
      lock.release();
      throw error;
    }
  }

  private constructor(
    readonly dataDir: string,
    options: StoreOptions,
    readonly log: StoreLogger,
    private readonly lock: DataDirLock,
    state: Recovered,
    segments: Recovered['segments'],
    private readonly db: SqlDb = state.db,
  ) {
    super();
    this.lastLsn = state.lastLsn;
    this.snapshotLsn = state.snapshotLsn;
    try {
      this.lastSnapshotAt = statSync(state.snapshotPath).mtimeMs;
    } catch {
      this.lastSnapshotAt = undefined; // no snapshot yet
    }
    this.snapshotJournalBytes = options.snapshotJournalBytes ?? 16 * 1024 * 1024;
    this.quietSnapshotMs = options.quietSnapshotMs ?? 30_000;
    this.journal = new Journal({
      dir: join(dataDir, JOURNAL_DIR),
      segments,
      lastLsn: state.lastLsn,
      log,
      onDurable: (entries, bytes) => this.onDurable(entries, bytes),
      onFailure: (error) => {
        this.refusal ??= new StoreClosedError(`a journal write failed (${error.message}); restart tmux-bridge`);
        this.failureEmitter.fire(error);
      },
    });
    // The worker (its own thread, TypeScript loader and sql.js: ~30 MB, and CPU while
    // the server starts) is started by the first snapshot, from the sealed files.
    this.replica = new Replica(dataDir, log);
    this.register(toDisposable(() => clearTimeout(this.quietTimer)));
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
    this.snapshotting ??= this.takeSnapshot().finally(() => {
      this.snapshotting = undefined;
      if (this.journal.lastDurableLsn > this.snapshotLsn) this.armQuietTimer();
    });
    return this.snapshotting;
  }

  stats(): StoreStats {
    return {
      dataDir: this.dataDir,
      schemaVersion: this.schemaVersion,
      lastLsn: this.lastLsn,
      durableLsn: this.journal.lastDurableLsn,
      snapshotLsn: this.snapshotLsn,
      journalBytes: this.journalBytes,
      segments: this.journal.segmentCount,
      snapshotHealthy: !this.replicaStarted || this.replica.healthy,
      lastSnapshot: this.lastSnapshot,
      lastSnapshotAt: this.lastSnapshotAt,
    };
  }

  /** Refuses new writes, waits for pending ones, writes a final snapshot, releases the data directory. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.refusal ??= new StoreClosedError('the store is closed');
      clearTimeout(this.quietTimer);
      try {
        await this.snapshot();
      } catch (error) {
        this.log.warn(`final snapshot failed (${(error as Error).message}); the journal holds every write and is replayed at the next start`);
      }
      try {
        await this.journal.close();
        await this.replica.stop();
        this.db.close();
      } finally {
        // Whatever failed above, the data directory must not stay locked by a process that is done with it.
        this.lock.release();
        this.dispose();
      }
    })();
    return this.closing;
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    for (const migration of migrations) {
      if (migration.version <= this.schemaVersion) continue;
      await this.write((tx) => {
        migration.up(tx);
        // PRAGMA takes no bound parameters; the version is our own integer.
        tx.run(`PRAGMA user_version = ${Math.trunc(migration.version)}`);
      });
      this.log.info(`migrated the store to schema version ${migration.version} (${migration.name})`);
    }
  }

  private retentionOptions: RetentionOptions = {};
  private retentionRun: Promise<void> | undefined;

  /**
   * Applies every table's retention now (also every 10 minutes): events and the audit
   * log by id, the other growing tables by the age of their rows. One run at a time.
   */
  pruneRetention(): Promise<void> {
    if (this.refusal) return Promise.resolve();
    this.retentionRun ??= (async () => {
      await Promise.all([
        this.events.prune().catch((error: Error) => this.log.warn(`pruning events failed: ${error.message}`)),
        this.audit.prune().catch((error: Error) => this.log.warn(`pruning the audit log failed: ${error.message}`)),
      ]);
      // sql.js keeps the whole database in memory: every table that grows has a retention.
      for (const table of AGED_TABLES) {
        const retention = { ...DEFAULT_RETENTION[table], ...this.retentionOptions[table] };
        await pruneAged(this, table, retention, Date.now()).catch((error: Error) => this.log.warn(`pruning ${table} failed: ${error.message}`));
      }
    })().finally(() => (this.retentionRun = undefined));
    return this.retentionRun;
  }

  private startMaintenance(options: StoreOptions): void {
    this.retentionOptions = options.retention ?? {};
    // Events and the audit log at once; the rest with the first periodic run, so opening
    // a store (a restore, a crash copy) gives back exactly what was written.
    this.events.prune().catch((error: Error) => this.log.warn(`pruning events failed: ${error.message}`));
    this.audit.prune().catch((error: Error) => this.log.warn(`pruning the audit log failed: ${error.message}`));
    this.register(disposableInterval(() => void this.pruneRetention(), options.pruneIntervalMs ?? 10 * 60_000));
  }

  private onDurable(entries: readonly JournalEntry[], bytes: number): void {
    this.replica.apply(entries);
    this.journalBytes += bytes;
    if (this.journalBytes >= this.snapshotJournalBytes) this.autoSnapshot();
    else this.armQuietTimer();
  }

  /** A snapshot the store decides on; after a failure it waits before trying again (each try seals a segment). */
  private autoSnapshot(): void {
    if (this.closing || Date.now() < this.snapshotRetryAt) return;
    this.snapshot().catch((error: Error) => {
      this.snapshotRetryAt = Date.now() + SNAPSHOT_RETRY_MS;
      this.log.warn(`snapshot failed (${error.message}); the journal keeps every write; next try in ${SNAPSHOT_RETRY_MS / 1000} s`);
    });
  }

  private armQuietTimer(): void {
    if (this.closing) return;
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      if (this.journal.lastDurableLsn > this.snapshotLsn) this.autoSnapshot();
    }, this.quietSnapshotMs);
    this.quietTimer.unref();
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

  private fireChange(change: StoreChange): void {
    try {
      this.changeEmitter.fire(change);
    } catch (error) {
      // The write is durable: a failing listener must not turn it into a rejection.
      this.log.error(`a store change listener failed: ${(error as Error).message}`);
    }
  }

  /** Stops without a snapshot after a failed start. */
  private async abandon(): Promise<void> {
    this.refusal ??= new StoreClosedError('the store failed to start');
    await this.journal.close().catch(() => undefined);
    await this.replica.stop();
    this.db.close();
    this.dispose();
  }
}
