import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../server/store/index.ts';
import { backupDataDir, restoreDataDir } from '../../server/store/backup.ts';
import { loadSqlJs } from '../../server/store/sqljs.ts';
import { recordingLog, removeTempDirs, tempDir } from '../fixtures/store/helpers.ts';

afterAll(removeTempDirs);

const ROOT = join(import.meta.dirname, '..', '..');
// The command's code from the sources, not bin/tmux-bridge.js: in a checkout whose sources
// changed since the last build, that rebuilds dist/server first and says so on stderr.
const CLI = ['--import', 'tsx', join(ROOT, 'server', 'cli.ts')];

async function rowsIn(file: string): Promise<number[]> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(readFileSync(file));
  try {
    const result = db.exec('SELECT n FROM bk ORDER BY n');
    return (result[0]?.values ?? []).map((row) => Number(row[0]));
  } finally {
    db.close();
  }
}

describe('backup and restore of a data directory', () => {
  it('copies every acknowledged write while the store keeps writing and snapshotting', async () => {
    const dir = tempDir();
    // Small snapshot threshold: snapshots (and deletions of the segments they hold) happen all through the backups.
    const store = await Store.open({ dataDir: dir, log: recordingLog(), snapshotJournalBytes: 4 * 1024, quietSnapshotMs: 60_000 });
    await store.write((tx) => tx.run('CREATE TABLE bk (n INTEGER NOT NULL, pad TEXT NOT NULL)'));
    let acked = 0;
    let writing = true;
    const pad = 'x'.repeat(400);
    const writer = (async () => {
      for (let n = 1; writing; n++) {
        await store.write((tx) => tx.run('INSERT INTO bk (n, pad) VALUES (?, ?)', [n, pad]));
        acked = n;
      }
    })();
    const snapshots = new Set<number>();
    const results = [];
    // The backups run as the command would, in another process, until several snapshots happened meanwhile.
    for (let i = 0; i < 8 && (i < 2 || snapshots.size < 2); i++) {
      const before = acked;
      const file = join(tempDir('tb-backup-'), 'state.backup');
      const out = await execa(process.execPath, [...CLI, 'backup', file, '--data-dir', dir], { cwd: ROOT, reject: false });
      expect(out.stderr).toBe('');
      expect(out.stdout).toMatch(/backup of .* written to/);
      const rows = await rowsIn(file);
      // A prefix of the history: nothing acknowledged before the backup is missing, nothing is out of order.
      expect(rows.length).toBeGreaterThanOrEqual(before);
      expect(rows).toEqual(Array.from({ length: rows.length }, (_, k) => k + 1));
      const lsn = Number(/up to journal entry (\d+)/.exec(out.stdout)?.[1]);
      results.push({ file, rows: rows.length, lsn });
      snapshots.add(store.stats().snapshotLsn);
    }
    expect(snapshots.size).toBeGreaterThanOrEqual(2);
    writing = false;
    await writer;
    await store.close();

    // The last backup restores into a new directory and opens as a store with exactly those rows.
    const last = results.at(-1)!;
    const target = join(tempDir('tb-restore-'), 'data');
    const restored = await restoreDataDir(last.file, target);
    expect(restored.lsn).toBe(last.lsn);
    const reopened = await Store.open({ dataDir: target, log: recordingLog() });
    try {
      expect(reopened.all('SELECT COUNT(*) AS c FROM bk')[0]!.c).toBe(last.rows);
      expect(reopened.stats().lastLsn).toBe(last.lsn);
      // It keeps working: new writes continue the journal after the backup's position.
      await reopened.write((tx) => tx.run('INSERT INTO bk (n, pad) VALUES (?, ?)', [last.rows + 1, 'y']));
      expect(reopened.stats().lastLsn).toBe(last.lsn + 1);
    } finally {
      await reopened.close();
    }
  }, 240_000);

  it('refuses a non-empty directory, a file that is not a backup, and a newer schema', async () => {
    const dir = tempDir();
    const store = await Store.open({ dataDir: dir, log: recordingLog() });
    await store.close();
    const file = join(tempDir('tb-backup-'), 'b.sqlite');
    await backupDataDir(dir, file);

    await expect(restoreDataDir(file, dir)).rejects.toThrow(/is not empty/);
    const junk = join(tempDir('tb-backup-'), 'junk');
    writeFileSync(junk, 'hello');
    await expect(restoreDataDir(junk, join(tempDir('tb-restore-'), 'd'))).rejects.toThrow(/not a tmux-bridge backup/);

    const SQL = await loadSqlJs();
    const db = new SQL.Database(readFileSync(file));
    db.exec('PRAGMA user_version = 9999');
    const newer = join(tempDir('tb-backup-'), 'newer.sqlite');
    writeFileSync(newer, db.export());
    db.close();
    const target = join(tempDir('tb-restore-'), 'd');
    await expect(restoreDataDir(newer, target)).rejects.toThrow(/schema version 9999.*upgrade tmux-bridge/);
    await expect(backupDataDir(join(tempDir('tb-nodata-'), 'none'), file)).rejects.toThrow(/not a tmux-bridge data directory/);
  });
});
