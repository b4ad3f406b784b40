import type { StoreCore } from '../tx.ts';

export interface Retention {
  /** Rows older than this (by their `at`) are deleted. */
  readonly maxAgeMs?: number;
  /** Only the newest this many rows are kept. */
  readonly maxCount?: number;
}

export interface RetentionOptions {
  readonly events?: Retention;
  readonly audit?: Retention;
  /** Stage transitions (the history page). */
  readonly stageHistory?: Retention;
  /** Delivery records of notifications (not the ones still being sent). */
  readonly notifications?: Retention;
  /** Decided and cancelled approvals, by their decision time (pending ones stay). */
  readonly approvals?: Retention;
  /** Closed sessions, by their close time (running ones stay). */
  readonly sessions?: Retention;
  /** Signed-link token rows, by their expiry. */
  readonly approvalTokens?: Retention;
  /** Finished executions, by their end (running ones stay). */
  readonly executions?: Retention;
  /** Recorded output of stateless executions, by when it was written. */
  readonly cliOutput?: Retention;
  /** Finished flow runs (completed, failed, stopped) with their node states, by their end. */
  readonly flowRuns?: Retention;
  /** Archived queues with their items, by when they were archived (last changed). */
  readonly archivedQueues?: Retention;
  /** Issues' change history, by when the change was made (the issues themselves stay). */
  readonly issueHistory?: Retention;
  /** Closed issues with their history, by their last change; kept forever unless set. */
  readonly closedIssues?: Retention;
}

const DAY = 24 * 60 * 60 * 1000;
export const DEFAULT_RETENTION = {
  events: { maxAgeMs: 30 * DAY, maxCount: 100_000 },
  audit: { maxAgeMs: 90 * DAY, maxCount: 200_000 },
  stageHistory: { maxAgeMs: 90 * DAY, maxCount: 200_000 },
  notifications: { maxAgeMs: 30 * DAY, maxCount: 50_000 },
  approvals: { maxAgeMs: 90 * DAY, maxCount: 50_000 },
  sessions: { maxAgeMs: 90 * DAY, maxCount: 20_000 },
  approvalTokens: { maxAgeMs: 7 * DAY },
  executions: { maxAgeMs: 90 * DAY, maxCount: 50_000 },
  cliOutput: { maxAgeMs: 30 * DAY, maxCount: 500_000 },
  flowRuns: { maxAgeMs: 180 * DAY, maxCount: 20_000 },
  archivedQueues: { maxAgeMs: 365 * DAY, maxCount: 5_000 },
  issueHistory: { maxAgeMs: 365 * DAY, maxCount: 500_000 },
  // The user's own records: no limit until one is set.
  closedIssues: {},
} as const satisfies Required<RetentionOptions>;

/** The tables kept by age of a time column rather than by id (`pruneAged`). */
export type AgedTable = Exclude<keyof RetentionOptions, 'events' | 'audit'>;

/** Every aged table, in the order they are pruned. */
export const AGED_TABLES: readonly AgedTable[] = [
  'stageHistory',
  'notifications',
  'approvals',
  'sessions',
  'approvalTokens',
  'executions',
  'cliOutput',
  'flowRuns',
  'archivedQueues',
  'closedIssues',
  'issueHistory',
];

interface AgedSpec {
  readonly table: string;
  /** The time a row is old by; `unix` columns hold seconds, the others ISO text. */
  readonly column: string;
  readonly unix?: boolean;
  /** Rows that are never pruned (still pending, still running) are left out here. */
  readonly done: string;
  /** Rows of another table that belong to the deleted ones: removed in the same write. */
  readonly dependents?: string;
}

const AGED: Record<AgedTable, AgedSpec> = {
  stageHistory: { table: 'stage_history', column: 'at', done: '1 = 1' },
  notifications: { table: 'notifications', column: 'created_at', done: "status <> 'pending'" },
  approvals: { table: 'approvals', column: 'decided_at', done: "status <> 'pending' AND decided_at IS NOT NULL" },
  sessions: { table: 'sessions', column: 'closed_at', done: 'closed_at IS NOT NULL' },
  approvalTokens: { table: 'approval_tokens', column: 'expires_at', unix: true, done: '1 = 1' },
  executions: { table: 'executions', column: 'ended_at', done: "status <> 'running' AND ended_at IS NOT NULL" },
  cliOutput: { table: 'cli_output', column: 'at', done: '1 = 1' },
  flowRuns: {
    table: 'flow_runs',
    column: 'ended_at',
    done: "status IN ('completed', 'failed', 'stopped') AND ended_at IS NOT NULL",
    dependents: 'DELETE FROM flow_run_nodes WHERE run_id NOT IN (SELECT run_id FROM flow_runs)',
  },
  archivedQueues: {
    table: 'queues',
    column: 'updated_at',
    done: "status = 'archived'",
    dependents: 'DELETE FROM queue_items WHERE queue_id NOT IN (SELECT id FROM queues)',
  },
  closedIssues: {
    table: 'issues',
    column: 'updated_at',
    done: "status = 'closed'",
    dependents: 'DELETE FROM issue_history WHERE issue_id NOT IN (SELECT id FROM issues)',
  },
  issueHistory: { table: 'issue_history', column: 'at', done: '1 = 1' },
};

/**
 * Deletes finished rows of `which` older than its retention, and beyond its count
 * the oldest finished ones, in chunks. Each chunk is an ordinary journaled write
 * whose cut-off is an explicit value, so replay deletes exactly the same rows.
 */
export async function pruneAged(store: StoreCore, which: AgedTable, retention: Retention, now: number): Promise<number> {
  const spec = AGED[which];
  if (!store.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", [spec.table])) return 0;
  const cutoffs: Array<string | number> = [];
  if (retention.maxAgeMs !== undefined) {
    const at = now - retention.maxAgeMs;
    cutoffs.push(spec.unix ? Math.floor(at / 1000) : new Date(at).toISOString());
  }
  if (retention.maxCount !== undefined) {
    // The newest maxCount finished rows stay: everything older than the one after them goes.
    const row = store.get(`SELECT ${spec.column} AS t FROM ${spec.table} WHERE ${spec.done} ORDER BY ${spec.column} DESC LIMIT 1 OFFSET ?`, [retention.maxCount]);
    if (row && row.t !== null && row.t !== undefined) cutoffs.push(spec.unix ? Number(row.t) + 1 : `${String(row.t)}\u0000`);
  }
  if (cutoffs.length === 0) return 0;
  // The later cut-off deletes more: both limits hold.
  const cutoff = cutoffs.reduce((a, b) => (a > b ? a : b));
  let deleted = 0;
  for (;;) {
    const changes = await store.write((tx) => {
      const result = tx.run(
        `DELETE FROM ${spec.table} WHERE rowid IN (SELECT rowid FROM ${spec.table} WHERE ${spec.done} AND ${spec.column} < ? ORDER BY rowid LIMIT ${CHUNK})`,
        [cutoff],
      );
      if (result.changes > 0) {
        if (spec.dependents) tx.run(spec.dependents);
        tx.changed({ table: spec.table, op: 'delete', key: { before: cutoff } });
      }
      return result.changes;
    });
    deleted += changes;
    if (changes < CHUNK) return deleted;
  }
}

/** Rows deleted per journaled statement: keeps each delete short on the main thread. */
const CHUNK = 5000;

/**
 * Deletes the oldest rows of an append-only table (`id` autoincrement, `at` ISO)
 * beyond its retention. Each chunk is an ordinary journaled write whose cut-off
 * is an explicit id, so replay deletes exactly the same rows.
 */
export async function pruneTable(
  store: StoreCore,
  table: 'events' | 'audit_log',
  retention: Retention,
  now: number,
): Promise<number> {
  // A store opened with an older schema (fixtures, tests) may not have the table.
  if (!store.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", [table])) return 0;
  let limitId = 0;
  if (retention.maxCount !== undefined) {
    const row = store.get(`SELECT id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ?`, [retention.maxCount]);
    if (row) limitId = Math.max(limitId, Number(row.id));
  }
  if (retention.maxAgeMs !== undefined) {
    const cutoff = new Date(now - retention.maxAgeMs).toISOString();
    const row = store.get(`SELECT MAX(id) AS id FROM ${table} WHERE at < ?`, [cutoff]);
    if (row && row.id !== null) limitId = Math.max(limitId, Number(row.id));
  }
  let deleted = 0;
  while (limitId > 0) {
    const min = store.get(`SELECT MIN(id) AS id FROM ${table}`)?.id;
    if (min === null || min === undefined || Number(min) > limitId) break;
    const upTo = Math.min(limitId, Number(min) + CHUNK - 1);
    deleted += await store.write((tx) => {
      const { changes } = tx.run(`DELETE FROM ${table} WHERE id <= ?`, [upTo]);
      tx.changed({ table, op: 'delete', key: { upToId: upTo } });
      return changes;
    });
  }
  return deleted;
}

/** Runs one prune at a time per table; extra calls share the running one. */
export class Pruner {
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: StoreCore,
    private readonly table: 'events' | 'audit_log',
    readonly retention: Retention,
  ) {}

  prune(now = Date.now()): Promise<number> {
    this.running ??= pruneTable(this.store, this.table, this.retention, now).finally(() => (this.running = undefined));
    return this.running;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }
}
