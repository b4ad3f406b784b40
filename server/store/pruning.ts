/**
 * The store's retention runs: events and the audit log by id, every other growing
 * table by the age and count of its finished rows (sql.js keeps the whole database
 * in memory, so every table that grows has a retention). One run at a time.
 */
import { errorMessage } from '../../base/errors.ts';
import { Disposable, disposableInterval } from '../../base/lifecycle.ts';
import type { Repositories, RetentionOptions } from './repos/index.ts';
import { AGED_TABLES, DEFAULT_RETENTION, pruneAged } from './repos/retention.ts';
import type { StoreCore } from './tx.ts';
import type { StoreLogger } from './types.ts';

export interface PruningOptions {
  readonly store: StoreCore & Pick<Repositories, 'events' | 'audit'>;
  readonly log: StoreLogger;
  readonly retention: RetentionOptions;
  /** True once the store refuses writes: nothing to prune then. */
  readonly refusing: () => boolean;
}

export class Pruning extends Disposable {
  private run: Promise<void> | undefined;

  constructor(private readonly options: PruningOptions) {
    super();
  }

  /**
   * Events and the audit log at once; the rest with the first periodic run, so opening
   * a store (a restore, a crash copy) gives back exactly what was written.
   */
  start(intervalMs: number): void {
    void this.pruneById();
    this.register(disposableInterval(() => void this.runAll(), intervalMs));
  }

  /** Applies every table's retention now. */
  runAll(): Promise<void> {
    if (this.options.refusing()) return Promise.resolve();
    this.run ??= (async () => {
      await this.pruneById();
      for (const table of AGED_TABLES) {
        const retention = { ...DEFAULT_RETENTION[table], ...this.options.retention[table] };
        await pruneAged(this.options.store, table, retention, Date.now()).catch((error: unknown) => this.warn(table, error));
      }
    })().finally(() => (this.run = undefined));
    return this.run;
  }

  private pruneById(): Promise<unknown> {
    const { events, audit } = this.options.store;
    return Promise.all([events.prune().catch((error: unknown) => this.warn('events', error)), audit.prune().catch((error: unknown) => this.warn('the audit log', error))]);
  }

  private warn(what: string, error: unknown): void {
    this.options.log.warn(`pruning ${what} failed: ${errorMessage(error)}`);
  }
}
