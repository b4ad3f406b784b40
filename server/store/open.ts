/**
 * Opening a data directory and bringing its schema up to date: take the lock, load
 * the snapshot and replay the journal after it, refuse a schema newer than this
 * build, tidy what a crash left; then, once the store runs, the pending migrations.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreVersionError } from './errors.ts';
import { DataDirLock } from './lock.ts';
import { checkMigrations, latestVersion, type Migration } from './migrations.ts';
import { JOURNAL_DIR, recover, type Recovered } from './recovery.ts';
import { loadSqlJs } from './sqljs.ts';
import { tidyAfterCrash } from './tidy.ts';
import type { WriteTx } from './tx.ts';
import type { StoreLogger } from './types.ts';

export interface OpenedDataDir {
  readonly lock: DataDirLock;
  /** The database as the snapshot and the journal left it. */
  readonly state: Recovered;
  /** Journal segments after tidying: all sealed. */
  readonly segments: Recovered['segments'];
}

/** Locks and recovers `dataDir`; on any failure nothing stays open or locked. */
export async function openDataDir(dataDir: string, migrations: readonly Migration[], log: StoreLogger): Promise<OpenedDataDir> {
  checkMigrations(migrations);
  await mkdir(join(dataDir, JOURNAL_DIR), { recursive: true });
  const lock = DataDirLock.acquire(dataDir, log);
  let state: Recovered | undefined;
  try {
    state = await recover(await loadSqlJs(), { dataDir, log, verify: true });
    const version = state.db.userVersion();
    if (version > latestVersion(migrations)) throw new StoreVersionError(state.snapshotPath, version, latestVersion(migrations));
    if (state.replayed > 0) log.info(`replayed ${state.replayed} journal entries after entry ${state.snapshotLsn}`);
    const segments = await tidyAfterCrash(dataDir, state, log);
    return { lock, state, segments };
  } catch (error) {
    state?.db.close();
    lock.release();
    throw error;
  }
}

/** What migrating needs of the store: its version and durable writes. */
export interface Migratable {
  readonly schemaVersion: number;
  write<T>(fn: (tx: WriteTx) => T): Promise<T>;
}

/** Runs the migrations above the store's version, each one durable with its new version. */
export async function migrate(store: Migratable, migrations: readonly Migration[], log: StoreLogger): Promise<void> {
  for (const migration of migrations) {
    if (migration.version <= store.schemaVersion) continue;
    await store.write((tx) => {
      migration.up(tx);
      // PRAGMA takes no bound parameters; the version is our own integer.
      tx.run(`PRAGMA user_version = ${Math.trunc(migration.version)}`);
    });
    log.info(`migrated the store to schema version ${migration.version} (${migration.name})`);
  }
}
