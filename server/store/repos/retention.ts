import type { StoreCore } from '../tx.ts';

export interface Retention {
  /** Rows older than this (by their `at`) are deleted. */
  readonly maxAgeMs?: number;
  /** Only the newest this many rows are kept. */
  readonly maxCount?: number;
}

export interface RetentionOptions {
  readonly events?: Retention;
  readonly audit?: Retention;
}

const DAY = 24 * 60 * 60 * 1000;
export const DEFAULT_RETENTION = {
  events: { maxAgeMs: 30 * DAY, maxCount: 100_000 },
  audit: { maxAgeMs: 90 * DAY, maxCount: 200_000 },
} as const satisfies Required<RetentionOptions>;

/** Rows deleted per journaled statement: keeps each delete short on the main thread. */
const CHUNK = 5000;

/**
 * Deletes the oldest rows of an append-only table (`id` autoincrement, `at` ISO)
 * beyond its retention. Each chunk is an ordinary journaled write whose cut-off
 * is an explicit id, so replay deletes exactly the same rows.
 */
export async function pruneTable(
  store: StoreCore,
  table: 'events' | 'audit_log',
  retention: Retention,
  now: number,
): Promise<number> {
  // A store opened with an older schema (fixtures, tests) may not have the table.
  if (!store.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", [table])) return 0;
  let limitId = 0;
  if (retention.maxCount !== undefined) {
    const row = store.get(`SELECT id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ?`, [retention.maxCount]);
    if (row) limitId = Math.max(limitId, Number(row.id));
  }
  if (retention.maxAgeMs !== undefined) {
    const cutoff = new Date(now - retention.maxAgeMs).toISOString();
    const row = store.get(`SELECT MAX(id) AS id FROM ${table} WHERE at < ?`, [cutoff]);
    if (row && row.id !== null) limitId = Math.max(limitId, Number(row.id));
  }
  let deleted = 0;
  while (limitId > 0) {
    const min = store.get(`SELECT MIN(id) AS id FROM ${table}`)?.id;
    if (min === null || min === undefined || Number(min) > limitId) break;
    const upTo = Math.min(limitId, Number(min) + CHUNK - 1);
    deleted += await store.write((tx) => {
      const { changes } = tx.run(`DELETE FROM ${table} WHERE id <= ?`, [upTo]);
      tx.changed({ table, op: 'delete', key: { upToId: upTo } });
      return changes;
    });
  }
  return deleted;
}

/** Runs one prune at a time per table; extra calls share the running one. */
export class Pruner {
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: StoreCore,
    private readonly table: 'events' | 'audit_log',
    readonly retention: Retention,
  ) {}

  prune(now = Date.now()): Promise<number> {
    this.running ??= pruneTable(this.store, this.table, this.retention, now).finally(() => (this.running = undefined));
    return this.running;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }
}
