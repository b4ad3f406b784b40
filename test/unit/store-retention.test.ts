/**
 * Every growing table has a retention (issue 9, item 10): sql.js keeps the whole
 * database in memory, so stage history, notifications, decided approvals, closed
 * sessions and expired link tokens are pruned like events and the audit log — and
 * rows still in use (pending, running) never are.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { Store } from '../../server/store/index.ts';
import { crashCopy, recordingLog, removeTempDirs, tempDir } from '../fixtures/store/helpers.ts';

afterAll(removeTempDirs);

const DAY = 86_400_000;

async function seed(store: Store, now: number): Promise<void> {
  const iso = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  await store.write((tx) => {
    for (let i = 0; i < 10; i++) {
      // Day 0 … 9 ago, one row each.
      tx.run("INSERT INTO stage_history (host, pane_id, pipeline, stage, from_status, to_status, at) VALUES ('h', '%1', 'p', 's', 'IDLE', 'RUNNING', ?)", [iso(i * 10)]);
      tx.run(
        "INSERT INTO notifications (notification_id, channel, title, body, status, created_at, updated_at) VALUES (?, 'stdout', 't', 'b', ?, ?, ?)",
        [`n${i}`, i === 9 ? 'pending' : 'sent', iso(i * 10), iso(i * 10)],
      );
      tx.run(
        "INSERT INTO approvals (id, host, pane_id, pipeline, stage, kind, status, requested_at, file, expires_at, decided_at) VALUES (?, 'h', '%1', 'p', ?, 'require_approval', ?, ?, '', ?, ?)",
        [`a${i}`, `s${i}`, i === 9 ? 'pending' : 'approved', iso(i * 10), iso(i * 10), i === 9 ? null : iso(i * 10)],
      );
      tx.run("INSERT INTO sessions (session_key, name, tool, working_dir, created_at, closed_at, status) VALUES (?, 'n', 'bash', '/', ?, ?, ?)", [
        `k${i}`,
        iso(i * 10 + 1),
        i === 9 ? null : iso(i * 10),
        i === 9 ? 'running' : 'closed',
      ]);
      tx.run("INSERT INTO approval_tokens (host, pane_id, stage, token, expires_at) VALUES ('h', '%1', ?, 'd', ?)", [`s${i}`, Math.floor((now - i * 10 * DAY) / 1000)]);
      tx.run("INSERT INTO executions (execution_id, tool, prompt, command, status, started_at, ended_at) VALUES (?, 'bash', 'p', 'c', ?, ?, ?)", [
        `e${i}`,
        i === 9 ? 'running' : 'completed',
        iso(i * 10 + 1),
        i === 9 ? null : iso(i * 10),
      ]);
      tx.run("INSERT INTO cli_output (execution_id, seq, stream, data, at) VALUES ('e0', ?, 'stdout', 'x', ?)", [i, iso(i * 10)]);
    }
  });
}

const count = (store: Store, table: string) => Number(store.get(`SELECT COUNT(*) AS n FROM ${table}`)?.n);

describe('retention of every growing table', () => {
  test('deletes what is older than its age and beyond its count, keeps pending and running rows, durably', async () => {
    const now = Date.now();
    const dir = tempDir();
    const first = await Store.open({ dataDir: dir, log: recordingLog(), pruneIntervalMs: 3_600_000 });
    await seed(first, now);
    await first.close();

    const store = await Store.open({
      dataDir: dir,
      log: recordingLog(),
      pruneIntervalMs: 3_600_000,
      retention: {
        stageHistory: { maxAgeMs: 45 * DAY },
        notifications: { maxAgeMs: 1000 * DAY, maxCount: 3 },
        approvals: { maxAgeMs: 25 * DAY },
        sessions: { maxAgeMs: 35 * DAY },
        approvalTokens: { maxAgeMs: 15 * DAY },
        executions: { maxAgeMs: 15 * DAY },
        cliOutput: { maxAgeMs: 5 * DAY },
      },
    });
    try {
      await store.pruneRetention();
      // Rows 0…4 are 0…40 days old.
      expect(count(store, 'stage_history')).toBe(5);
      // The newest 3 sent ones, and the pending one whatever its age.
      expect(store.all('SELECT notification_id AS id FROM notifications ORDER BY id').map((r) => r.id)).toEqual(['n0', 'n1', 'n2', 'n9']);
      expect(store.all('SELECT id FROM approvals ORDER BY id').map((r) => r.id)).toEqual(['a0', 'a1', 'a2', 'a9']);
      expect(store.all('SELECT session_key AS k FROM sessions ORDER BY k').map((r) => r.k)).toEqual(['k0', 'k1', 'k2', 'k3', 'k9']);
      expect(count(store, 'approval_tokens')).toBe(2);
      expect(store.all('SELECT execution_id AS id FROM executions ORDER BY id').map((r) => r.id)).toEqual(['e0', 'e1', 'e9']);
      expect(count(store, 'cli_output')).toBe(1);
      // Journaled: a crash copy opened with generous limits has the same rows.
      const copy = await Store.open({ dataDir: crashCopy(dir), log: recordingLog(), pruneIntervalMs: 3_600_000, retention: { sessions: { maxAgeMs: 1e13 }, stageHistory: { maxAgeMs: 1e13 } } });
      expect(count(copy, 'sessions')).toBe(5);
      expect(count(copy, 'stage_history')).toBe(5);
      await copy.close();
    } finally {
      await store.close();
    }
  });

  test('the defaults keep a month of notifications and three months of the rest', async () => {
    const now = Date.now();
    const dir = tempDir();
    const store = await Store.open({ dataDir: dir, log: recordingLog(), pruneIntervalMs: 3_600_000 });
    try {
      await seed(store, now);
      await store.pruneRetention();
      // Rows are 0…90 days old: stage history keeps 90 days (the 90-day-old row just went).
      expect(count(store, 'stage_history')).toBe(9);
      // Notifications keep 30 days (0, 10, 20 days) plus the pending one.
      expect(count(store, 'notifications')).toBe(4);
      // Link tokens: expired for more than 7 days go (0 days stays).
      expect(count(store, 'approval_tokens')).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('retention of flow runs and archived queues', () => {
  test('finished runs go with their node rows and archived queues with their items; running, paused and live ones stay', async () => {
    const now = Date.now();
    const iso = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    const dir = tempDir();
    const store = await Store.open({ dataDir: dir, log: recordingLog(), pruneIntervalMs: 3_600_000, retention: { flowRuns: { maxAgeMs: 30 * DAY }, archivedQueues: { maxAgeMs: 30 * DAY } } });
    try {
      await store.write((tx) => {
        const runs: Array<[string, string, number | null]> = [
          ['r-old-done', 'completed', 60],
          ['r-old-failed', 'failed', 40],
          ['r-new-done', 'completed', 5],
          ['r-old-paused', 'paused', null],
          ['r-running', 'running', null],
        ];
        for (const [id, status, endedDaysAgo] of runs) {
          tx.run(
            "INSERT INTO flow_runs (run_id, flow_id, flow_name, status, variables, flow, started_at, updated_at, ended_at) VALUES (?, 'f', 'f', ?, '{}', '{}', ?, ?, ?)",
            [id, status, iso(90), iso(90), endedDaysAgo === null ? null : iso(endedDaysAgo)],
          );
          tx.run("INSERT INTO flow_run_nodes (run_id, node_id, status) VALUES (?, 'A', 'completed'), (?, 'B', 'completed')", [id, id]);
        }
        const queues: Array<[string, string, number]> = [
          ['q-old-archived', 'archived', 60],
          ['q-new-archived', 'archived', 5],
          ['q-old-completed', 'completed', 60],
          ['q-old-active', 'active', 60],
        ];
        for (const [id, status, daysAgo] of queues) {
          tx.run("INSERT INTO queues (id, name, status, execution_groups, scheduler, created_at, updated_at) VALUES (?, 'q', ?, '[]', '{}', ?, ?)", [id, status, iso(daysAgo), iso(daysAgo)]);
          tx.run("INSERT INTO queue_items (queue_id, item_id, status, data) VALUES (?, 'T-1', 'completed', '{}'), (?, 'T-2', 'completed', '{}')", [id, id]);
        }
      });
      await store.pruneRetention();
      expect(store.all('SELECT run_id AS id FROM flow_runs ORDER BY id').map((r) => r.id)).toEqual(['r-new-done', 'r-old-paused', 'r-running']);
      expect(store.all('SELECT DISTINCT run_id AS id FROM flow_run_nodes ORDER BY id').map((r) => r.id)).toEqual(['r-new-done', 'r-old-paused', 'r-running']);
      expect(store.all('SELECT id FROM queues ORDER BY id').map((r) => r.id)).toEqual(['q-new-archived', 'q-old-active', 'q-old-completed']);
      expect(store.all('SELECT DISTINCT queue_id AS id FROM queue_items ORDER BY id').map((r) => r.id)).toEqual(['q-new-archived', 'q-old-active', 'q-old-completed']);
      // Journaled, dependents included: a crash copy opened with generous limits has the same rows.
      const copy = await Store.open({ dataDir: crashCopy(dir), log: recordingLog(), pruneIntervalMs: 3_600_000, retention: { flowRuns: { maxAgeMs: 1e13 }, archivedQueues: { maxAgeMs: 1e13 } } });
      expect(count(copy, 'flow_run_nodes')).toBe(6);
      expect(count(copy, 'queue_items')).toBe(6);
      await copy.close();
    } finally {
      await store.close();
    }
  });
});

describe('retention of issues', () => {
  test('closed issues stay until a retention is set, then go with their history; history alone is cut by its own limit', async () => {
    const now = Date.now();
    const iso = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    const insert = (store: Store) =>
      store.write((tx) => {
        const issues: Array<[string, string, number]> = [
          ['ISS-1', 'closed', 400],
          ['ISS-2', 'closed', 5],
          ['ISS-3', 'open', 400],
          ['ISS-4', 'completed', 400],
        ];
        for (const [id, status, daysAgo] of issues) {
          tx.run(
            "INSERT INTO issues (id, title, body, status, priority, labels, sort_order, created_at, updated_at) VALUES (?, 't', '', ?, 'medium', '[]', 1, ?, ?)",
            [id, status, iso(daysAgo), iso(daysAgo)],
          );
          // One change 400 days ago and one yesterday for each.
          tx.run("INSERT INTO issue_history (issue_id, field, from_value, to_value, at, by) VALUES (?, 'status', 'open', ?, ?, 'api'), (?, 'title', 'a', 'b', ?, 'api')", [
            id,
            status,
            iso(400),
            id,
            iso(1),
          ]);
        }
      });
    const ids = (store: Store) => store.all('SELECT id FROM issues ORDER BY id').map((r) => r.id);
    const history = (store: Store) => store.all('SELECT issue_id AS id FROM issue_history ORDER BY issue_id, id').map((r) => r.id);

    const byDefault = await Store.open({ dataDir: tempDir(), log: recordingLog(), pruneIntervalMs: 3_600_000 });
    try {
      await insert(byDefault);
      await byDefault.pruneRetention();
      // Every issue stays; a year of history stays, the change 400 days ago goes.
      expect(ids(byDefault)).toEqual(['ISS-1', 'ISS-2', 'ISS-3', 'ISS-4']);
      expect(history(byDefault)).toEqual(['ISS-1', 'ISS-2', 'ISS-3', 'ISS-4']);
    } finally {
      await byDefault.close();
    }

    const dir = tempDir();
    const store = await Store.open({ dataDir: dir, log: recordingLog(), pruneIntervalMs: 3_600_000, retention: { closedIssues: { maxAgeMs: 30 * DAY }, issueHistory: { maxAgeMs: 1e13 } } });
    try {
      await insert(store);
      await store.pruneRetention();
      expect(ids(store)).toEqual(['ISS-2', 'ISS-3', 'ISS-4']);
      expect(history(store)).toEqual(['ISS-2', 'ISS-2', 'ISS-3', 'ISS-3', 'ISS-4', 'ISS-4']);
      const copy = await Store.open({ dataDir: crashCopy(dir), log: recordingLog(), pruneIntervalMs: 3_600_000, retention: { issueHistory: { maxAgeMs: 1e13 } } });
      expect(count(copy, 'issue_history')).toBe(6);
      await copy.close();
    } finally {
      await store.close();
    }
  });
});

describe('--retention', () => {
  test('sets days and rows per table; a wrong entry names what is expected', async () => {
    const { parseServeArgs, resolveOptions, retentionFrom } = await import('../../server/options.ts');
    const options = resolveOptions(parseServeArgs(['--retention', 'stage-history=10,notifications=2:500', '--retention=approval-tokens=1', '--retention', 'flow-runs=7,archived-queues=30:100', '--retention', 'closed-issues=180,issue-history=30:1000'], {}));
    expect(retentionFrom(options.retention)).toEqual({
      stageHistory: { maxAgeMs: 10 * DAY },
      notifications: { maxAgeMs: 2 * DAY, maxCount: 500 },
      approvalTokens: { maxAgeMs: DAY },
      flowRuns: { maxAgeMs: 7 * DAY },
      archivedQueues: { maxAgeMs: 30 * DAY, maxCount: 100 },
      closedIssues: { maxAgeMs: 180 * DAY },
      issueHistory: { maxAgeMs: 30 * DAY, maxCount: 1000 },
    });
    expect(() => resolveOptions(parseServeArgs(['--retention', 'widgets=3'], {}))).toThrow(/NAME=DAYS/);
  });
});
