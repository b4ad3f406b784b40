import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { checkMigrations } from '../../server/store/migrations.ts';
import { MIGRATIONS, Store } from '../../server/store/index.ts';
import { crashCopy, fingerprint, recordingLog, removeTempDirs, sessionInput, tempDir } from '../fixtures/store/helpers.ts';

afterAll(removeTempDirs);

const V1_FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/store/v1');
/** The fixture's events are from 2025: keep them whatever today's date. */
const KEEP_ALL = { events: { maxAgeMs: 1e13 } };

const tables = (store: Store): string[] =>
  store
    .all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .map((row) => String(row.name));

describe('migrations', () => {
  test('an empty directory gets the latest schema, and the migrations replay after a crash', async () => {
    const dir = tempDir();
    const store = await Store.open({ dataDir: dir, log: recordingLog() });
    const expected = ['approval_tokens', 'approvals', 'audit_log', 'board_settings', 'cli_output', 'events', 'executions', 'flow_run_nodes', 'flow_runs', 'flows', 'issue_history', 'issues', 'login_sessions', 'notifications', 'pane_offsets', 'queue_items', 'queues', 'resume_bindings', 'resume_turns', 'sessions', 'stage_history', 'stage_state'];
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(tables(store)).toEqual(expected);
    const copy = crashCopy(dir); // journal only, no snapshot yet
    await store.close();
    const reopened = await Store.open({ dataDir: copy, log: recordingLog() });
    expect(reopened.schemaVersion).toBe(MIGRATIONS.length);
    expect(tables(reopened)).toEqual(expected);
    await reopened.close();
  });

  test('a version-1 data directory (snapshot + journal of an older build) is upgraded with its data', async () => {
    const dir = tempDir();
    cpSync(V1_FIXTURE, dir, { recursive: true });
    const fixtureBefore = fingerprint(V1_FIXTURE);
    const store = await Store.open({ dataDir: dir, log: recordingLog(), retention: KEEP_ALL });
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    // From the snapshot…
    expect(store.sessions.get('s_snap_running')).toMatchObject({
      tool: 'claude',
      model: 'opus',
      resumeKey: 'resume-a',
      resumeStrategy: 'nativeResume',
      issueId: 'ISSUE-1',
      status: 'running',
      envWrapper: null,
      tmuxSession: '',
      adopted: false,
    });
    expect(store.sessions.get('s_snap_exited')).toMatchObject({ exitCode: 3, status: 'exited' });
    expect(store.stageState.get({ host: 'local', paneId: '%1', pipeline: 'ci', stage: 'lint' })).toMatchObject({
      status: 'RUNNING',
      retries: 1,
      data: { note: 'v1' },
    });
    expect(store.approvalTokens.findByToken('tok-v1')).toMatchObject({ stage: 'build', usedAt: null });
    // …and from the journal written after it.
    expect(store.sessions.get('s_journal')?.resumeKey).toBe('resume-b');
    expect(store.events.list().map((e) => e.type)).toEqual(['CLI_SESSION_CREATED', 'CLI_SESSION_CLOSED']);
    expect(store.paneOffsets.list().map((o) => [o.paneId, o.offset])).toEqual([
      ['%1', 1234],
      ['%2', 99],
    ]);
    // The new tables work.
    await store.audit.record({ sessionKey: 's_journal', data: 'echo hi\r', source: 'api' });
    const at = '2025-06-01T00:00:00.000Z';
    await store.issues.write((tx) => {
      store.issues.insertIn(tx, { id: 'ISS-1', title: 'upgraded', body: '', status: 'open', priority: 'medium', labels: ['v1'], sortOrder: 1024, createdAt: at, updatedAt: at, lastRun: null });
      store.issues.addHistoryIn(tx, { issueId: 'ISS-1', field: 'created', from: null, to: 'open', at, by: 'api' });
    });
    expect(store.issues.list({ label: 'v1' }).map((i) => i.id)).toEqual(['ISS-1']);
    expect(store.issues.history('ISS-1')).toHaveLength(1);
    await store.sessions.put({ ...store.sessions.get('s_journal')!, socket: 'tb', paneId: '%9' });
    const copy = crashCopy(dir);
    await store.close();
    expect(fingerprint(V1_FIXTURE)).toEqual(fixtureBefore);

    // Crash after the upgrade: v1 snapshot + v1 journal + migration + v2 writes replay in order.
    const reopened = await Store.open({ dataDir: copy, log: recordingLog(), retention: KEEP_ALL });
    expect(reopened.sessions.get('s_journal')).toMatchObject({ socket: 'tb', paneId: '%9', status: 'running' });
    expect(reopened.audit.list()).toHaveLength(1);
    expect(reopened.sessions.count()).toBe(3);
    await reopened.close();
  });

  test('a store built by version 1 only keeps working when reopened by version 1', async () => {
    const dir = tempDir();
    cpSync(V1_FIXTURE, dir, { recursive: true });
    const old = await Store.open({ dataDir: dir, log: recordingLog(), migrations: MIGRATIONS.slice(0, 1), retention: KEEP_ALL });
    expect(old.schemaVersion).toBe(1);
    await old.sessions.put(sessionInput('x')).catch(() => undefined); // v2 columns: refused, nothing half-written
    expect(old.all('SELECT session_key FROM sessions ORDER BY session_key').map((r) => r.session_key)).toEqual([
      's_journal',
      's_snap_exited',
      's_snap_running',
    ]);
    await old.close();
  });

  test('the migration list must be numbered without gaps', () => {
    expect(() => checkMigrations([MIGRATIONS[0]!, { ...MIGRATIONS[1]!, version: 3 }])).toThrow(/numbered 1, 2, 3/);
  });
});
