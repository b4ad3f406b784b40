import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { recover, SNAPSHOT_FILE } from './recovery.ts';
import { SNAPSHOT_TEMP_INFIX, type FromReplica, type ToReplica } from './replica-protocol.ts';
import { shrinkAndUnlinkSync } from './shrink.ts';
import { loadSqlJs, type SqlDb } from './sqljs.ts';
import { SNAPSHOT_LSN_KEY, type StoreLogger } from './types.ts';
import { errorMessage } from '../../base/errors.ts';

/**
 * The snapshot worker: a replica of the store's database, fed the same journal
 * entries once they are durable, so that `export()` (synchronous, O(size): ~50 ms
 * at 200k rows) and the file write never run on the main thread.
 */
const port = parentPort;
if (!port) throw new Error('snapshot-worker.ts runs as a worker thread');

const send = (message: FromReplica): void => port.postMessage(message);
const log: StoreLogger = {
  info: (message) => send({ type: 'log', level: 'info', message }),
  warn: (message) => send({ type: 'log', level: 'warn', message }),
  error: (message) => send({ type: 'log', level: 'error', message }),
};

let db: SqlDb | undefined;
let dataDir = '';
let lsn = 0;
let broken: string | undefined;

function fail(message: string): void {
  broken ??= message;
  send({ type: 'fatal', message });
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes the new snapshot in place of the old one; returns the old one's new name, to be shrunk away. */
function writeSnapshot(id: number, bytes: Uint8Array): string | undefined {
  const final = join(dataDir, SNAPSHOT_FILE);
  const temp = `${final}${SNAPSHOT_TEMP_INFIX}${process.pid}-${id}`;
  const old = `${final}${SNAPSHOT_TEMP_INFIX}old-${process.pid}-${id}`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // rename() replaces the old snapshot atomically; the directory fsync makes the swap durable
    // before the main thread deletes the journal segments the new snapshot holds.
    // A second name keeps the old file's blocks from being freed all at once by the rename.
    const keepOld = existsSync(final);
    if (keepOld) linkSync(final, old);
    renameSync(temp, final);
    syncDir(dataDir);
    return keepOld ? old : undefined;
  } catch (error) {
    rmSync(temp, { force: true });
    rmSync(old, { force: true });
    throw error;
  }
}

async function handle(message: ToReplica): Promise<void> {
  switch (message.type) {
    case 'init': {
      const started = performance.now();
      dataDir = message.dataDir;
      db?.close();
      db = undefined;
      broken = undefined;
      const state = await recover(await loadSqlJs(), { dataDir, log, verify: false, upToLsn: message.upToLsn });
      db = state.db;
      lsn = state.lastLsn;
      if (lsn !== message.upToLsn) return fail(`the files hold entries up to ${lsn}, the store is at ${message.upToLsn}`);
      send({ type: 'ready', lsn, ms: performance.now() - started });
      return;
    }
    case 'apply': {
      if (broken || !db) return;
      for (const entry of message.entries) {
        if (entry.lsn <= lsn) continue;
        if (entry.lsn !== lsn + 1) return fail(`entry ${entry.lsn} arrived after ${lsn}`);
        db.applyEntry(entry);
        lsn = entry.lsn;
      }
      return;
    }
    case 'snapshot': {
      if (broken || !db) return send({ type: 'snapshot-failed', id: message.id, message: broken ?? 'the replica is not ready' });
      if (message.lsn !== lsn) {
        return send({ type: 'snapshot-failed', id: message.id, message: `replica is at entry ${lsn}, asked for ${message.lsn}` });
      }
      try {
        // Recorded in the snapshot itself, so the file and its journal position can never disagree.
        db.exec('CREATE TABLE IF NOT EXISTS _store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
        db.run('INSERT OR REPLACE INTO _store_meta (key, value) VALUES (?, ?)', [SNAPSHOT_LSN_KEY, String(lsn)]);
        const exportStart = performance.now();
        const bytes = db.raw.export();
        const writeStart = performance.now();
        const old = writeSnapshot(message.id, bytes);
        const writeMs = performance.now() - writeStart;
        send({ type: 'snapshot-done', id: message.id, lsn, bytes: bytes.length, exportMs: writeStart - exportStart, writeMs });
        if (old) shrinkAndUnlinkSync(old);
      } catch (error) {
        send({ type: 'snapshot-failed', id: message.id, message: errorMessage(error) });
      }
      return;
    }
  }
}

// One message at a time, in order: an apply must never overtake the init before it.
let chain = Promise.resolve();
port.on('message', (message: ToReplica) => {
  chain = chain
    .then(() => handle(message))
    .catch((error: unknown) => fail(errorMessage(error)));
});
