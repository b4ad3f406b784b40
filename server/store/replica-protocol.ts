import type { JournalEntry } from './types.ts';

/** Messages between the store (main thread) and its snapshot worker. */
export type ToReplica =
  /** Rebuild from the files: snapshot plus sealed journal segments, up to `upToLsn`. */
  | { readonly type: 'init'; readonly dataDir: string; readonly upToLsn: number }
  /** Entries that just became durable, in LSN order. */
  | { readonly type: 'apply'; readonly entries: readonly JournalEntry[] }
  /** Write state.sqlite holding exactly the entries up to `lsn`. */
  | { readonly type: 'snapshot'; readonly id: number; readonly lsn: number };

export type FromReplica =
  | { readonly type: 'ready'; readonly lsn: number; readonly ms: number }
  | {
      readonly type: 'snapshot-done';
      readonly id: number;
      readonly lsn: number;
      readonly bytes: number;
      readonly exportMs: number;
      readonly writeMs: number;
    }
  | { readonly type: 'snapshot-failed'; readonly id: number; readonly message: string }
  /** The replica no longer mirrors the store; it must be rebuilt before the next snapshot. */
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly message: string };

/** Prefix of the temporary files a snapshot is written to before the rename. */
export const SNAPSHOT_TEMP_INFIX = '.tmp-';
