import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { StoreCorruptError, StoreVersionError } from './errors.ts';
import { parseSegmentName, SEGMENT_SUFFIX } from './journal-format.ts';
import type { SqlJsStatic } from 'sql.js';
import { latestVersion, MIGRATIONS } from './migrations.ts';
import { JOURNAL_DIR, recover, SNAPSHOT_FILE } from './recovery.ts';
import { loadSqlJs, SqlDb } from './sqljs.ts';
import { SNAPSHOT_LSN_KEY, type StoreLogger } from './types.ts';

export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
  /** Last journal entry the copy holds. */
  readonly lsn: number;
  readonly schemaVersion: number;
  /** Reads that raced a snapshot of the running server and were repeated. */
  readonly retries: number;
}

const SILENT: StoreLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ATTEMPTS = 20;

/** Writes `bytes` to `file` through a temp file, fsync and rename: a reader never sees half a backup. */
async function writeDurably(file: string, bytes: Uint8Array, mode: number): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.tmp-${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
  await rename(temp, file);
  const dir = await open(dirname(file), 'r');
  await dir.sync().finally(() => dir.close());
}

interface Copied {
  readonly dir: string;
  readonly segments: number;
}

function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  if (!a || !b) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The journal position a snapshot holds (0 without one); a broken file is left to `recover()` to report. */
function snapshotLsnOf(SQL: SqlJsStatic, bytes: Buffer | undefined): number {
  if (!bytes) return 0;
  try {
    const db = new SqlDb(new SQL.Database(bytes));
    try {
      return db.tableExists('_store_meta') ? Number(db.get('SELECT value FROM _store_meta WHERE key = ?', [SNAPSHOT_LSN_KEY])?.value ?? 0) || 0 : 0;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Segments whose successor starts at or before `snapshotLsn + 1`: every entry in them is in the snapshot. */
function coveredSegments(names: readonly string[], snapshotLsn: number): Set<string> {
  const sorted = names.map((name) => ({ name, first: parseSegmentName(basename(name)) ?? 0 })).sort((a, b) => a.first - b.first);
  const covered = new Set<string>();
  for (let i = 0; i + 1 < sorted.length; i++) if (sorted[i + 1]!.first <= snapshotLsn + 1) covered.add(sorted[i]!.name);
  return covered;
}

/**
 * Copies the snapshot and the journal into `into` as fast as it can, then checks
 * the snapshot file is still the one it started with. A running server renames a
 * new snapshot into place *before* it deletes (or shrinks) the journal segments
 * that snapshot holds, so an unchanged snapshot means every segment read was
 * whole. Returns undefined when a snapshot landed meanwhile: read again.
 */
async function copyStable(SQL: SqlJsStatic, dataDir: string, into: string): Promise<Copied | undefined> {
  const snapshotPath = join(dataDir, SNAPSHOT_FILE);
  const statOrNone = (path: string) =>
    stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
  const before = await statOrNone(snapshotPath);
  const files = new Map<string, Buffer>();
  try {
    if (before) files.set(SNAPSHOT_FILE, await readFile(snapshotPath));
    for (const name of await readdir(join(dataDir, JOURNAL_DIR))) {
      if (!name.endsWith(SEGMENT_SUFFIX)) continue;
      files.set(join(JOURNAL_DIR, name), await readFile(join(dataDir, JOURNAL_DIR, name)));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // a segment was dropped under us
    throw error;
  }
  if (!sameFile(before, await statOrNone(snapshotPath))) return undefined;
  // Segments the snapshot already holds may be shrinking (shrink.ts) while we read: leave them out.
  const covered = coveredSegments([...files.keys()].filter((name) => name !== SNAPSHOT_FILE), snapshotLsnOf(SQL, files.get(SNAPSHOT_FILE)));
  await mkdir(join(into, JOURNAL_DIR), { recursive: true, mode: 0o700 });
  for (const [name, bytes] of files) if (!covered.has(name)) await writeFile(join(into, name), bytes, { mode: 0o600 });
  return { dir: into, segments: files.size - covered.size - (before ? 1 : 0) };
}

/**
 * A consistent copy of the state in a data directory, whether or not a server
 * is running on it: the files are copied (see `copyStable`), the database is
 * rebuilt from the copy by `recover()` (the last snapshot plus every whole
 * journal frame after it), and written as one SQLite file that says which
 * journal entry it ends at. Every write the server acknowledged before the
 * backup started is in it; a frame still being written is not.
 */
export async function backupDataDir(dataDir: string, file: string): Promise<BackupResult> {
  const dir = resolve(dataDir);
  const target = resolve(file);
  await stat(join(dir, JOURNAL_DIR)).catch(() => {
    throw new Error(`${dir} is not a tmux-bridge data directory (no ${JOURNAL_DIR}/ in it); pass --data-dir`);
  });
  const SQL = await loadSqlJs();
  const scratch = await mkdtemp(join(tmpdir(), 'tmux-bridge-backup-'));
  try {
    let copied: Copied | undefined;
    let retries = 0;
    for (; retries < ATTEMPTS && !copied; retries++) {
      await rm(scratch, { recursive: true, force: true });
      copied = await copyStable(SQL, dir, scratch);
    }
    if (!copied) throw new Error(`${dir} changed under every one of ${ATTEMPTS} reads; try again`);
    const state = await recover(SQL, { dataDir: scratch, log: SILENT, verify: true });
    try {
      const db = state.db;
      db.exec('CREATE TABLE IF NOT EXISTS _store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      db.run('INSERT OR REPLACE INTO _store_meta (key, value) VALUES (?, ?)', [SNAPSHOT_LSN_KEY, String(state.lastLsn)]);
      const bytes = db.raw.export();
      await writeDurably(target, bytes, 0o600);
      return { file: target, bytes: bytes.length, lsn: state.lastLsn, schemaVersion: db.userVersion(), retries: retries - 1 };
    } finally {
      state.db.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface RestoreResult {
  readonly dataDir: string;
  readonly lsn: number;
  readonly schemaVersion: number;
}

/** Entries that may exist in a fresh data directory: nothing of the state. */
function isEmptyDir(names: readonly string[]): boolean {
  return names.every((name) => name === 'lost+found');
}

/**
 * Puts a backup in place as the snapshot of an empty data directory. The next
 * start replays nothing and migrates the copy if it comes from an older version.
 */
export async function restoreDataDir(file: string, dataDir: string): Promise<RestoreResult> {
  const source = resolve(file);
  const dir = resolve(dataDir);
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!isEmptyDir(names)) {
    throw new Error(`${dir} is not empty (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}): restore only into an empty or new directory, so no state is overwritten`);
  }
  const bytes = await readFile(source);
  const header = Buffer.from('SQLite format 3\0', 'latin1');
  if (bytes.length < 100 || !bytes.subarray(0, header.length).equals(header)) {
    throw new Error(`${source} is not a tmux-bridge backup (not a SQLite file)`);
  }
  const SQL = await loadSqlJs();
  const db = new SqlDb(new SQL.Database(bytes));
  let lsn: number;
  let version: number;
  try {
    const problems = db.all('PRAGMA integrity_check').map((row) => String(Object.values(row)[0]));
    if (problems.length !== 1 || problems[0] !== 'ok') throw new StoreCorruptError(source, `integrity check failed: ${problems.slice(0, 3).join('; ')}`);
    if (!db.tableExists('_store_meta')) throw new Error(`${source} is not a tmux-bridge backup (no _store_meta table)`);
    lsn = Number(db.get('SELECT value FROM _store_meta WHERE key = ?', [SNAPSHOT_LSN_KEY])?.value ?? NaN);
    if (!Number.isSafeInteger(lsn) || lsn < 0) throw new Error(`${source} is not a tmux-bridge backup (no journal position)`);
    version = db.userVersion();
    const latest = latestVersion(MIGRATIONS);
    if (version > latest) throw new StoreVersionError(source, version, latest);
  } finally {
    db.close();
  }
  await mkdir(join(dir, JOURNAL_DIR), { recursive: true, mode: 0o700 });
  await writeDurably(join(dir, SNAPSHOT_FILE), bytes, 0o600);
  return { dataDir: dir, lsn, schemaVersion: version };
}
