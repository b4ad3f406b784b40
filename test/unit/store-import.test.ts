import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { Database } from 'sql.js';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { importTmuxagent, Store } from '../../server/store/index.ts';
import { fingerprint, recordingLog, removeTempDirs, tempDir } from '../fixtures/store/helpers.ts';

afterAll(removeTempDirs);

/** tmuxagent's own schema (tmux_agent/state.py, `_ensure_schema`), verbatim. */
const TMUXAGENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS pane_offsets (
    host TEXT NOT NULL,
    pane_id TEXT NOT NULL,
    offset INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (host, pane_id)
);

CREATE TABLE IF NOT EXISTS stage_state (
    host TEXT NOT NULL,
    pane_id TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    retries INTEGER NOT NULL DEFAULT 0,
    data TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (host, pane_id, pipeline, stage)
);

CREATE TABLE IF NOT EXISTS approval_tokens (
    host TEXT NOT NULL,
    pane_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    token TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (host, pane_id, stage)
);`;

/** Writes `<dir>/tmuxagent/state.db`, built by `build` (sql.js writes real SQLite files). */
async function tmuxagentFile(dir: string, build: (db: Database) => void): Promise<string> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  build(db);
  mkdirSync(join(dir, 'tmuxagent'), { recursive: true });
  const path = join(dir, 'tmuxagent', 'state.db');
  writeFileSync(path, db.export());
  db.close();
  return path;
}

let store: Store;
let dir: string;

beforeEach(async () => {
  dir = tempDir();
  store = await Store.open({ dataDir: join(dir, 'data'), log: recordingLog() });
});

afterEach(async () => {
  await store.close();
});

describe('importTmuxagent', () => {
  test('imports offsets, stage state and tokens from a real tmuxagent database, leaving it untouched', async () => {
    const file = await tmuxagentFile(dir, (db) => {
      db.exec(TMUXAGENT_SCHEMA);
      db.run('INSERT INTO pane_offsets (host, pane_id, offset, updated_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)', ['local', '%1', 5000, 1700000000, 'nas', '%7', 12, 1700000001]);
      db.run('INSERT INTO stage_state VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['local', '%1', 'ci', 'lint', 'FAILED', 2, '{"reason": "boom", "escalate_code": "E1"}', 1700000002]);
      db.run('INSERT INTO stage_state VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['local', '%1', 'ci', 'build', 'WAITING_APPROVAL', 0, null, 1700000003]);
      db.run('INSERT INTO stage_state VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['local', '%1', 'ci', 'odd', 'PAUSED', 0, '{}', 1700000004]);
      db.run('INSERT INTO approval_tokens VALUES (?, ?, ?, ?, ?)', ['local', '%1', 'build', 'signed-token', 1700086400]);
    });
    const before = fingerprint(join(dir, 'tmuxagent'));
    const counts = await importTmuxagent(store, file);
    expect(counts).toMatchObject({ paneOffsets: 2, stageState: 2, approvalTokens: 1, missingTables: [] });
    expect(counts.skipped).toHaveLength(1);
    expect(counts.skipped[0]).toMatch(/PAUSED/);
    expect(store.paneOffsets.get('local', '%1')).toEqual({ host: 'local', paneId: '%1', offset: 5000, updatedAt: 1700000000 });
    expect(store.stageState.get({ host: 'local', paneId: '%1', pipeline: 'ci', stage: 'lint' })).toEqual({
      host: 'local',
      paneId: '%1',
      pipeline: 'ci',
      stage: 'lint',
      status: 'FAILED',
      retries: 2,
      data: { reason: 'boom', escalate_code: 'E1' },
      updatedAt: 1700000002,
    });
    expect(store.stageState.get({ host: 'local', paneId: '%1', pipeline: 'ci', stage: 'build' })?.data).toEqual({});
    expect(store.approvalTokens.findByToken('signed-token')).toMatchObject({ host: 'local', paneId: '%1', stage: 'build', expiresAt: 1700086400 });
    expect(fingerprint(join(dir, 'tmuxagent'))).toEqual(before);

    // Importing again upserts: same counts, no duplicates; imported rows win over stored ones.
    await store.paneOffsets.set('local', '%1', 1);
    await importTmuxagent(store, file);
    expect(store.paneOffsets.list()).toHaveLength(2);
    expect(store.paneOffsets.offset('local', '%1')).toBe(5000);

    // And it is durable like any write.
    await store.close();
    store = await Store.open({ dataDir: join(dir, 'data'), log: recordingLog() });
    expect(store.stageState.list()).toHaveLength(2);
  });

  test('tolerates missing tables', async () => {
    const file = await tmuxagentFile(dir, (db) => {
      db.exec('CREATE TABLE pane_offsets (host TEXT NOT NULL, pane_id TEXT NOT NULL, offset INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (host, pane_id))');
      db.run("INSERT INTO pane_offsets VALUES ('local', '%3', 1, 2)");
    });
    const counts = await importTmuxagent(store, file);
    expect(counts).toEqual({ paneOffsets: 1, stageState: 0, approvalTokens: 0, skipped: [], missingTables: ['stage_state', 'approval_tokens'] });
  });

  test('refuses what is not a SQLite file, saying where tmuxagent keeps it', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'not a database at all, definitely not');
    await expect(importTmuxagent(store, path)).rejects.toThrow(/notes\.txt is not a SQLite database \(tmuxagent keeps its state in ~\/\.tmux_agent\/state\.db\)/);
    await expect(importTmuxagent(store, join(dir, 'missing.db'))).rejects.toThrow(/cannot read tmuxagent database .*missing\.db/);
  });
});
