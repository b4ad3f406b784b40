import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { StoreCorruptError } from './errors.ts';
import { parseSegmentName, scanSegment, SEGMENT_SUFFIX, type TornTail } from './journal-format.ts';
import { SqlDb } from './sqljs.ts';
import { SNAPSHOT_LSN_KEY, type JournalEntry, type StoreLogger } from './types.ts';
import { errorMessage } from '../../base/errors.ts';

export const SNAPSHOT_FILE = 'state.sqlite';
export const JOURNAL_DIR = 'journal';
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface SegmentInfo {
  readonly path: string;
  readonly firstLsn: number;
  /** LSN of its last whole entry; undefined for a segment holding none. */
  readonly lastLsn: number | undefined;
}

export interface Recovered {
  readonly db: SqlDb;
  readonly snapshotPath: string;
  /** Last entry the snapshot holds (0: no snapshot). */
  readonly snapshotLsn: number;
  /** Last entry now applied to `db`. */
  readonly lastLsn: number;
  readonly segments: SegmentInfo[];
  readonly replayed: number;
  readonly torn?: TornTail & { readonly path: string };
}

export interface RecoverOptions {
  readonly dataDir: string;
  readonly log: StoreLogger;
  /** Run `PRAGMA integrity_check` on the snapshot (the main thread does; the worker trusts it). */
  readonly verify: boolean;
  /** Apply nothing beyond this entry and ignore segments that start after it (the worker's catch-up). */
  readonly upToLsn?: number;
}

async function loadSnapshot(SQL: SqlJsStatic, path: string, verify: boolean): Promise<{ db: SqlDb; lsn: number }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { db: new SqlDb(new SQL.Database()), lsn: 0 };
    throw error;
  }
  if (bytes.length === 0) throw new StoreCorruptError(path, 'the file is empty');
  if (bytes.length < 100 || !bytes.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) {
    throw new StoreCorruptError(path, 'it is not a SQLite database (bad header)');
  }
  let db: SqlDb | undefined;
  try {
    db = new SqlDb(new SQL.Database(bytes));
    if (verify) {
      const problems = db.all('PRAGMA integrity_check').map((row) => String(Object.values(row)[0]));
      if (problems.length !== 1 || problems[0] !== 'ok') {
        throw new Error(`integrity check failed: ${problems.slice(0, 3).join('; ')}`);
      }
    }
    let lsn = 0;
    if (db.tableExists('_store_meta')) {
      const value = db.get('SELECT value FROM _store_meta WHERE key = ?', [SNAPSHOT_LSN_KEY])?.value;
      lsn = Number(value ?? 0);
      if (!Number.isSafeInteger(lsn) || lsn < 0) throw new Error(`bad journal position ${String(value)} in _store_meta`);
    }
    return { db, lsn };
  } catch (error) {
    db?.close();
    throw new StoreCorruptError(path, errorMessage(error));
  }
}

async function listSegments(dir: string, log: StoreLogger): Promise<Array<{ path: string; firstLsn: number }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const segments: Array<{ path: string; firstLsn: number }> = [];
  for (const name of names) {
    const firstLsn = parseSegmentName(name);
    if (firstLsn === undefined) {
      if (name.endsWith(SEGMENT_SUFFIX)) log.warn(`ignoring ${join(dir, name)}: not a journal segment name`);
      continue;
    }
    segments.push({ path: join(dir, name), firstLsn });
  }
  return segments.sort((a, b) => a.firstLsn - b.firstLsn);
}

/**
 * Rebuilds the database from `state.sqlite` plus the journal entries it does not
 * hold. Reads only: it never changes a file. Throws StoreCorruptError for
 * anything but a torn tail of the last segment, which it reports instead.
 */
export async function recover(SQL: SqlJsStatic, options: RecoverOptions): Promise<Recovered> {
  const snapshotPath = join(options.dataDir, SNAPSHOT_FILE);
  const { db, lsn: snapshotLsn } = await loadSnapshot(SQL, snapshotPath, options.verify);
  try {
    const limit = options.upToLsn ?? Number.MAX_SAFE_INTEGER;
    const listed = (await listSegments(join(options.dataDir, JOURNAL_DIR), options.log)).filter((s) => s.firstLsn <= limit);
    const segments: SegmentInfo[] = [];
    let torn: Recovered['torn'];
    let previous: number | undefined;
    let lastLsn = snapshotLsn;
    let replayed = 0;
    for (const [index, segment] of listed.entries()) {
      const scan = scanSegment(await readFile(segment.path), segment.path, index === listed.length - 1);
      if (scan.torn) torn = { ...scan.torn, path: segment.path };
      const entries: JournalEntry[] = scan.entries;
      if (entries.length > 0 && entries[0]!.lsn !== segment.firstLsn) {
        throw new StoreCorruptError(segment.path, `its first entry is ${entries[0]!.lsn}, but its name says ${segment.firstLsn}`);
      }
      for (const entry of entries) {
        if (previous !== undefined && entry.lsn !== previous + 1) {
          throw new StoreCorruptError(segment.path, `journal entry ${entry.lsn} follows entry ${previous}; entries in between are missing`);
        }
        if (previous === undefined && entry.lsn > snapshotLsn + 1) {
          throw new StoreCorruptError(
            segment.path,
            `the journal starts at entry ${entry.lsn} but ${snapshotPath} holds entries up to ${snapshotLsn}; entries in between are missing`,
          );
        }
        previous = entry.lsn;
        if (entry.lsn <= snapshotLsn || entry.lsn > limit) continue;
        try {
          db.applyEntry(entry);
        } catch (error) {
          const message = errorMessage(error);
          throw new StoreCorruptError(segment.path, `journal entry ${entry.lsn} cannot be replayed (${message})`);
        }
        lastLsn = entry.lsn;
        replayed++;
      }
      segments.push({ path: segment.path, firstLsn: segment.firstLsn, lastLsn: entries.at(-1)?.lsn });
    }
    return { db, snapshotPath, snapshotLsn, lastLsn, segments, replayed, torn };
  } catch (error) {
    db.close();
    throw error;
  }
}
