import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, Statement } from 'sql.js';
import type { JournalEntry, RunResult, SqlParam, SqlRow } from './types.ts';

let loading: Promise<SqlJsStatic> | undefined;

/** sql.js (SQLite compiled to wasm), loaded once per thread. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= initSqlJs();
  return loading;
}

/** How many prepared statements stay cached; repositories use a few dozen fixed SQL texts. */
const STATEMENT_CACHE = 256;

/**
 * A sql.js database with a cache of prepared statements (sql.js `run`/`exec`
 * re-prepare on every call) and the one replay routine both threads use.
 */
export class SqlDb {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly raw: Database) {}

  private prepare(sql: string): Statement {
    const cached = this.statements.get(sql);
    if (cached) {
      // Move to the back: the Map's order is the eviction order.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.raw.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > STATEMENT_CACHE) {
      const [oldestSql, oldest] = this.statements.entries().next().value as [string, Statement];
      this.statements.delete(oldestSql);
      oldest.free();
    }
    return statement;
  }

  run(sql: string, params: readonly SqlParam[] = []): RunResult {
    const statement = this.prepare(sql);
    try {
      statement.bind(params as SqlParam[]);
      while (statement.step()) {
        // A statement with RETURNING yields rows; run() only wants its effect.
      }
    } finally {
      statement.reset();
    }
    const changes = this.raw.getRowsModified();
    const rowid = this.get('SELECT last_insert_rowid() AS id')?.id;
    return { changes, lastInsertRowid: typeof rowid === 'number' ? rowid : 0 };
  }

  all(sql: string, params: readonly SqlParam[] = []): SqlRow[] {
    const statement = this.prepare(sql);
    const rows: SqlRow[] = [];
    try {
      statement.bind(params as SqlParam[]);
      while (statement.step()) rows.push(statement.getAsObject() as SqlRow);
    } finally {
      statement.reset();
    }
    return rows;
  }

  get(sql: string, params: readonly SqlParam[] = []): SqlRow | undefined {
    const statement = this.prepare(sql);
    try {
      statement.bind(params as SqlParam[]);
      return statement.step() ? (statement.getAsObject() as SqlRow) : undefined;
    } finally {
      statement.reset();
    }
  }

  /** Statements without parameters or results (BEGIN, COMMIT, DDL). */
  exec(sql: string): void {
    this.raw.exec(sql);
  }

  userVersion(): number {
    const value = this.get('PRAGMA user_version')?.user_version;
    return typeof value === 'number' ? value : 0;
  }

  tableExists(name: string): boolean {
    return this.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", [name]) !== undefined;
  }

  /**
   * Applies one journaled transaction atomically. Throws (after rolling back)
   * when a statement fails: during replay that means the files disagree.
   */
  applyEntry(entry: JournalEntry): void {
    this.exec('BEGIN');
    try {
      for (const [sql, params] of entry.stmts) this.run(sql, params);
      this.exec('COMMIT');
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** Rolls back the open transaction, if SQLite has not already done so itself. */
  rollback(): void {
    try {
      this.exec('ROLLBACK');
    } catch {
      // "no transaction is active": some errors roll back on their own.
    }
  }

  close(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
    this.raw.close();
  }
}
