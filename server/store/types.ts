/**
 * Shapes shared by the main thread and the snapshot worker. Imports nothing, so
 * the worker stays small.
 */

/** A value bound to a statement. No blobs, no bigints: journal records are JSON. */
export type SqlParam = string | number | null;

/** One statement as journaled: SQL text and its bound values, replayed verbatim. */
export type Stmt = readonly [sql: string, params: readonly SqlParam[]];

/** One committed transaction: its log sequence number and its statements, in order. */
export interface JournalEntry {
  readonly lsn: number;
  readonly stmts: readonly Stmt[];
}

export type SqlRow = Record<string, SqlParam | Uint8Array>;

export interface RunResult {
  /** Rows changed by this statement. */
  readonly changes: number;
  readonly lastInsertRowid: number;
}

/** Where the store reports what a human should know; never throws. */
export interface StoreLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: StoreLogger = {
  info: () => {},
  warn: (message) => console.warn(`tmux-bridge store: ${message}`),
  error: (message) => console.error(`tmux-bridge store: ${message}`),
};

/** Key of the row in `_store_meta` naming the last journal entry a snapshot contains. */
export const SNAPSHOT_LSN_KEY = 'snapshot_lsn';
