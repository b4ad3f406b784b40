import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Replica } from '../../server/store/replica.ts';
import { MIGRATIONS, Store, StoreCorruptError, StoreVersionError } from '../../server/store/index.ts';
import { crashCopy, fingerprint, journalFiles, recordingLog, removeTempDirs, sessionInput, tempDir } from '../fixtures/store/helpers.ts';

afterAll(removeTempDirs);

async function filled(keys: string[], options: { snapshotAfter?: number } = {}): Promise<{ store: Store; dir: string }> {
  const dir = tempDir();
  const store = await Store.open({ dataDir: dir, log: recordingLog() });
  for (const [index, key] of keys.entries()) {
    await store.sessions.put(sessionInput(key));
    if (index + 1 === options.snapshotAfter) await store.snapshot();
  }
  return { store, dir };
}

async function openError(dataDir: string): Promise<Error> {
  const error = await Store.open({ dataDir, log: recordingLog() }).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('the store opened');
  return error;
}

describe('restart', () => {
  test('close writes a snapshot and empties the journal; everything is back after reopen', async () => {
    const { store, dir } = await filled(['a', 'b', 'c']);
    await store.close();
    expect(readdirSync(join(dir, 'journal'))).toEqual([]);
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    const reopened = await Store.open({ dataDir: dir, log: recordingLog() });
    expect(reopened.sessions.list().map((s) => s.sessionKey).sort()).toEqual(['a', 'b', 'c']);
    await reopened.close();
  });

  test('after a crash, snapshot plus journal give back every acknowledged write', async () => {
    const { store, dir } = await filled(['a', 'b', 'c', 'd', 'e'], { snapshotAfter: 2 });
    const copy = crashCopy(dir);
    await store.close();
    const log = recordingLog();
    const reopened = await Store.open({ dataDir: copy, log });
    expect(reopened.sessions.list().map((s) => s.sessionKey).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    await reopened.sessions.put(sessionInput('f'));
    await reopened.close();
    const third = await Store.open({ dataDir: copy, log });
    expect(third.sessions.count()).toBe(6);
    await third.close();
    expect(log.warnings).toEqual([]);
  });

  test('a snapshot deletes the journal segments it holds', async () => {
    const { store, dir } = await filled(['a', 'b']);
    expect(journalFiles(dir)).toHaveLength(1);
    const result = await store.snapshot();
    expect(result?.lsn).toBe(store.stats().lastLsn);
    expect(journalFiles(dir)).toEqual([]);
    expect(await store.snapshot()).toBeUndefined(); // nothing new
    await store.sessions.put(sessionInput('c'));
    expect(journalFiles(dir)).toHaveLength(1);
    await store.close();
  });

  test('snapshots happen on their own when the journal grows or the store is quiet', async () => {
    const dir = tempDir();
    const log = recordingLog();
    const store = await Store.open({ dataDir: dir, log, snapshotJournalBytes: 20_000, quietSnapshotMs: 1_000_000 });
    const settled = async (): Promise<void> => {
      while (store.stats().lastSnapshot === undefined) await new Promise((r) => setTimeout(r, 20));
    };
    for (let i = 0; i < 100; i++) await store.sessions.put(sessionInput(`k${i}`)); // ~100 kB of journal
    await settled();
    expect(store.stats().snapshotLsn).toBeGreaterThan(0);
    await store.close();

    const quiet = await Store.open({ dataDir: dir, log, quietSnapshotMs: 50 });
    await quiet.sessions.put(sessionInput('last'));
    // Quiet for 50 ms: a snapshot holds everything and the journal segments are gone.
    while (journalFiles(dir).length > 0) await new Promise((r) => setTimeout(r, 20));
    expect(quiet.stats().snapshotLsn).toBe(quiet.stats().lastLsn);
    await quiet.close();
    expect(log.warnings).toEqual([]);
    await store.close();
  });

  test('an idle store stops its snapshot worker, and the next snapshot starts it again from the files', async () => {
    const dir = tempDir();
    const log = recordingLog();
    const store = await Store.open({ dataDir: dir, log, quietSnapshotMs: 50, idleWorkerStopMs: 100 });
    const until = async (what: () => boolean): Promise<void> => {
      for (let i = 0; i < 3000 && !what(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(what()).toBe(true);
    };
    expect(store.stats().snapshotWorkerRunning).toBe(false);
    await store.sessions.put(sessionInput('a'));
    await until(() => store.stats().snapshotWorkerRunning);
    // The quiet snapshot holds everything; nothing more is written: the worker goes.
    await until(() => !store.stats().snapshotWorkerRunning && store.stats().snapshotLsn === store.stats().lastLsn);
    expect(store.stats().snapshotHealthy).toBe(true);
    await store.sessions.put(sessionInput('b'));
    await store.sessions.put(sessionInput('c'));
    expect((await store.snapshot())?.lsn).toBe(store.stats().lastLsn);
    expect(journalFiles(dir)).toHaveLength(0);
    await store.sessions.put(sessionInput('d'));
    await store.close();
    const reopened = await Store.open({ dataDir: dir, log: recordingLog() });
    expect(reopened.sessions.list().map((s) => s.sessionKey).sort()).toEqual(['a', 'b', 'c', 'd']);
    await reopened.close();
    expect(log.warnings).toEqual([]);
  });

  test('a dead snapshot worker is rebuilt from the files', async () => {
    const { store, dir } = await filled(['a', 'b']);
    await (store as unknown as { snapshots: { replica: Replica } }).snapshots.replica.stop();
    await store.sessions.put(sessionInput('c'));
    expect((await store.snapshot())?.lsn).toBe(store.stats().lastLsn);
    await store.close();
    const reopened = await Store.open({ dataDir: dir, log: recordingLog() });
    expect(reopened.sessions.count()).toBe(3);
    await reopened.close();
  });
});

describe('a failing disk', () => {
  test('a failed journal write is never acknowledged, and the store stops taking writes', async () => {
    const { store, dir } = await filled(['a']);
    const failures: Error[] = [];
    store.onFailure((error) => failures.push(error));
    // Pull the file out from under the journal, as a dying disk would.
    const journal = store as unknown as { journal: { current?: { handle: { close(): Promise<void> } } } };
    await journal.journal.current!.handle.close();
    await expect(store.sessions.put(sessionInput('lost'))).rejects.toThrow(/journal write failed/);
    expect(failures).toHaveLength(1);
    await expect(store.sessions.put(sessionInput('later'))).rejects.toThrow(/a journal write failed .*; restart tmux-bridge/);
    expect(store.sessions.get('a')).toBeDefined(); // reads go on
    await store.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    const reopened = await Store.open({ dataDir: dir, log: recordingLog() });
    expect(reopened.sessions.list().map((s) => s.sessionKey)).toEqual(['a']);
    await reopened.close();
  });
});

describe('torn journal tail', () => {
  test('a truncated last record is ignored with a warning, then cut away', async () => {
    const { store, dir } = await filled(['a', 'b', 'c']);
    const copy = crashCopy(dir);
    await store.close();
    const [segment] = journalFiles(copy);
    const size = readFileSync(segment!).length;
    truncateSync(segment!, size - 7);
    const log = recordingLog();
    const reopened = await Store.open({ dataDir: copy, log });
    expect(log.warnings.join('\n')).toMatch(/ignored a torn record at the end of .*\.jnl.*never acknowledged/);
    expect(reopened.sessions.list().map((s) => s.sessionKey).sort()).toEqual(['a', 'b']);
    await reopened.sessions.put(sessionInput('d'));
    // Crash again: the cut segment and the new one must both replay.
    const again = crashCopy(copy);
    await reopened.close();
    const third = await Store.open({ dataDir: again, log: recordingLog() });
    expect(third.sessions.list().map((s) => s.sessionKey).sort()).toEqual(['a', 'b', 'd']);
    await third.close();
  });

  test('a zero-filled tail (size grown, data never written) is torn too', async () => {
    const { store, dir } = await filled(['a']);
    const copy = crashCopy(dir);
    await store.close();
    appendFileSync(journalFiles(copy)[0]!, Buffer.alloc(4096));
    const reopened = await Store.open({ dataDir: copy, log: recordingLog() });
    expect(reopened.sessions.get('a')).toBeDefined();
    await reopened.close();
  });
});

describe('corruption stops the start and touches nothing', () => {
  test('a damaged snapshot is named and left as it is', async () => {
    const { store, dir } = await filled(['a', 'b'], { snapshotAfter: 2 });
    const copy = crashCopy(dir);
    await store.close();
    const snapshot = join(copy, 'state.sqlite');
    const bytes = readFileSync(snapshot);
    bytes.fill(0xa5, 4096, 8192); // page 2: a b-tree page
    writeFileSync(snapshot, bytes);
    const before = fingerprint(copy);
    const error = await openError(copy);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error.message).toContain(`data file ${snapshot} is corrupt`);
    expect(error.message).toMatch(/did not modify or delete it/);
    expect(fingerprint(copy)).toEqual(before);
    expect(existsSync(join(copy, 'lock'))).toBe(false);
  });

  test('a snapshot that is not SQLite at all', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'state.sqlite'), 'hello');
    const error = await openError(dir);
    expect(error.message).toMatch(/state\.sqlite is corrupt: it is not a SQLite database/);
    expect(readFileSync(join(dir, 'state.sqlite'), 'utf8')).toBe('hello');
  });

  test('damage in the middle of the journal', async () => {
    const { store, dir } = await filled(['a', 'b', 'c']);
    const copy = crashCopy(dir);
    await store.close();
    const [segment] = journalFiles(copy);
    const bytes = readFileSync(segment!);
    bytes[20] = bytes[20]! ^ 0xff; // inside the first frame (the migrations)
    writeFileSync(segment!, bytes);
    const before = fingerprint(copy);
    const error = await openError(copy);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error.message).toMatch(new RegExp(`${segment}.*checksum mismatch.*intact record follows`));
    expect(fingerprint(copy)).toEqual(before);
  });

  test('a missing journal segment', async () => {
    const dir = tempDir();
    let store = await Store.open({ dataDir: dir, log: recordingLog() });
    await store.sessions.put(sessionInput('a'));
    await store.close();
    // Second life: its journal continues after the snapshot that close() wrote.
    store = await Store.open({ dataDir: dir, log: recordingLog() });
    await store.sessions.put(sessionInput('b'));
    const later = crashCopy(dir);
    await store.close();
    // Without the snapshot, the second life's segment does not follow on from nothing.
    rmSync(join(later, 'state.sqlite'));
    const error = await openError(later);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error.message).toMatch(/the journal starts at entry \d+ but .*state\.sqlite holds entries up to 0; entries in between are missing/);
  });

  test('a data directory from a newer schema is refused', async () => {
    const dir = tempDir();
    const store = await Store.open({ dataDir: dir, log: recordingLog() });
    await store.write((tx) => tx.run('PRAGMA user_version = 99'));
    await store.close();
    const before = fingerprint(dir);
    const error = await openError(dir);
    expect(error).toBeInstanceOf(StoreVersionError);
    expect(error.message).toMatch(new RegExp(`schema version 99, but this tmux-bridge knows versions up to ${MIGRATIONS.length}; upgrade`));
    expect(fingerprint(dir)).toEqual(before);
  });
});
