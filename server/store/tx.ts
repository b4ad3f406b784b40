import type { SqlDb } from './sqljs.ts';
import type { RunResult, SqlParam, SqlRow, Stmt, StoreLogger } from './types.ts';

export type ChangeOp = 'insert' | 'update' | 'upsert' | 'delete';

/** Fired by `store.onChange` once the change is durable, in commit order. */
export interface StoreChange {
  readonly table: string;
  readonly op: ChangeOp;
  /** Primary key of the row, or the bounds of a bulk delete (e.g. `{ upToId }`). */
  readonly key: Readonly<Record<string, SqlParam>>;
  /** The row as stored after the change (absent for deletes). */
  readonly row?: unknown;
  /** Journal entry that carried it. */
  readonly lsn: number;
}

function checkParam(value: unknown, sql: string): asserts value is SqlParam {
  if (value === null || typeof value === 'string') return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  throw new TypeError(
    `store: unsupported SQL parameter ${String(value)} (${typeof value}) in "${sql.slice(0, 80)}": ` +
      'use strings, finite numbers or null (booleans as 0/1, objects as JSON text)',
  );
}

/**
 * The open write transaction. Every statement run here is applied to the
 * in-memory database at once and recorded, SQL plus bound values, for the
 * journal. Values must come from the caller: `datetime('now')` or `random()`
 * inside the SQL would replay differently.
 */
export class WriteTx {
  readonly stmts: Stmt[] = [];
  readonly changes: Array<Omit<StoreChange, 'lsn'>> = [];

  constructor(private readonly db: SqlDb) {}

  run(sql: string, params: readonly SqlParam[] = []): RunResult {
    for (const value of params) checkParam(value, sql);
    const result = this.db.run(sql, params);
    this.stmts.push([sql, [...params]]);
    return result;
  }

  all(sql: string, params: readonly SqlParam[] = []): SqlRow[] {
    return this.db.all(sql, params);
  }

  get(sql: string, params: readonly SqlParam[] = []): SqlRow | undefined {
    return this.db.get(sql, params);
  }

  /** Announces a change; `store.onChange` fires it once the transaction is durable. */
  changed(change: Omit<StoreChange, 'lsn'>): void {
    this.changes.push(change);
  }
}

/**
 * What repositories need from the store. Domains added later build their own
 * repositories on it (and their tables in `migrations.ts`).
 */
export interface StoreCore {
  /**
   * Runs `fn` synchronously inside a transaction and resolves with its result
   * once the transaction is durable. Inside `store.transaction()` it joins the
   * open transaction, and a failure throws synchronously so the whole
   * transaction rolls back.
   */
  write<T>(fn: (tx: WriteTx) => T): Promise<T>;
  /** Synchronous reads of the in-memory database. */
  all(sql: string, params?: readonly SqlParam[]): SqlRow[];
  get(sql: string, params?: readonly SqlParam[]): SqlRow | undefined;
  readonly log: StoreLogger;
}
