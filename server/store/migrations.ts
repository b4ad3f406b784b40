import type { WriteTx } from './tx.ts';

/**
 * Numbered schema migrations. Each runs in its own transaction, journaled like
 * any write, and sets `PRAGMA user_version`. Never edit a released migration:
 * data directories out there were built by it (test/fixtures/store/v1 is one).
 * Add a new one at the end; later features add their tables here.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Deterministic: only SQL with explicit values (it is replayed from the journal). */
  up(tx: WriteTx): void;
}

function sql(tx: WriteTx, statements: readonly string[]): void {
  for (const statement of statements) tx.run(statement);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tmuxagent tables, sessions, events',
    up: (tx) =>
      sql(tx, [
        // The three tmuxagent tables keep its exact columns and types (unix seconds).
        `CREATE TABLE pane_offsets (
          host TEXT NOT NULL, pane_id TEXT NOT NULL, "offset" INTEGER NOT NULL, updated_at INTEGER NOT NULL,
          PRIMARY KEY (host, pane_id))`,
        `CREATE TABLE stage_state (
          host TEXT NOT NULL, pane_id TEXT NOT NULL, pipeline TEXT NOT NULL, stage TEXT NOT NULL,
          status TEXT NOT NULL, retries INTEGER NOT NULL DEFAULT 0, data TEXT, updated_at INTEGER NOT NULL,
          PRIMARY KEY (host, pane_id, pipeline, stage))`,
        `CREATE TABLE approval_tokens (
          host TEXT NOT NULL, pane_id TEXT NOT NULL, stage TEXT NOT NULL, token TEXT NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (host, pane_id, stage))`,
        `CREATE TABLE sessions (
          session_key TEXT PRIMARY KEY, name TEXT NOT NULL, tool TEXT NOT NULL, model TEXT,
          working_dir TEXT NOT NULL, resume_key TEXT, resume_strategy TEXT, issue_id TEXT,
          exit_code INTEGER, created_at TEXT NOT NULL)`,
        `CREATE TABLE events (
          id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL)`,
      ]),
  },
  {
    version: 2,
    name: 'session placement, stage history, notifications, audit log',
    up: (tx) =>
      sql(tx, [
        'ALTER TABLE sessions ADD COLUMN env_wrapper TEXT',
        'ALTER TABLE sessions ADD COLUMN shell TEXT',
        'ALTER TABLE sessions ADD COLUMN socket TEXT',
        "ALTER TABLE sessions ADD COLUMN tmux_session TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN window_id TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN pane_id TEXT NOT NULL DEFAULT ''",
        'ALTER TABLE sessions ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0',
        "ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'running'",
        'ALTER TABLE sessions ADD COLUMN closed_at TEXT',
        'ALTER TABLE sessions ADD COLUMN last_activity_at TEXT',
        // Version 1 kept no status: a session with an exit code had exited.
        "UPDATE sessions SET status = 'exited' WHERE exit_code IS NOT NULL",
        'CREATE INDEX sessions_resume_key ON sessions (resume_key)',
        'CREATE INDEX sessions_created_at ON sessions (created_at)',
        'CREATE INDEX events_at ON events (at)',
        'CREATE INDEX events_type_id ON events (type, id)',
        'ALTER TABLE approval_tokens ADD COLUMN used_at INTEGER',
        'CREATE INDEX approval_tokens_token ON approval_tokens (token)',
        `CREATE TABLE stage_history (
          id INTEGER PRIMARY KEY AUTOINCREMENT, host TEXT NOT NULL, pane_id TEXT NOT NULL, pipeline TEXT NOT NULL,
          stage TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, reason TEXT,
          retries INTEGER NOT NULL DEFAULT 0, data TEXT, at TEXT NOT NULL)`,
        'CREATE INDEX stage_history_pane ON stage_history (host, pane_id, pipeline, id)',
        `CREATE TABLE notifications (
          id INTEGER PRIMARY KEY AUTOINCREMENT, notification_id TEXT NOT NULL, channel TEXT NOT NULL, kind TEXT,
          title TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT, http_status INTEGER, host TEXT, pane_id TEXT, pipeline TEXT, stage TEXT,
          created_at TEXT NOT NULL, updated_at TEXT NOT NULL, sent_at TEXT, payload TEXT,
          UNIQUE (notification_id, channel))`,
        'CREATE INDEX notifications_status ON notifications (status, id)',
        `CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, session_key TEXT NOT NULL, bytes INTEGER NOT NULL,
          preview TEXT NOT NULL, client TEXT, source TEXT NOT NULL)`,
        'CREATE INDEX audit_log_session ON audit_log (session_key, id)',
        'CREATE INDEX audit_log_at ON audit_log (at)',
      ]),
  },
  {
    version: 3,
    name: 'agent board: approvals, pane progress anchors',
    up: (tx) =>
      sql(tx, [
        // The watcher's resume point: `offset` keeps tmuxagent's column (a line count
        // here), `data` the anchor lines (schemas/agent.ts PaneProgress).
        'ALTER TABLE pane_offsets ADD COLUMN data TEXT',
        `CREATE TABLE approvals (
          id TEXT PRIMARY KEY, host TEXT NOT NULL, pane_id TEXT NOT NULL, pipeline TEXT NOT NULL, stage TEXT NOT NULL,
          kind TEXT NOT NULL, prompt TEXT, status TEXT NOT NULL, requested_at TEXT NOT NULL, file TEXT NOT NULL,
          expires_at TEXT NOT NULL, decided_at TEXT, decided_via TEXT, decided_by TEXT, note TEXT)`,
        'CREATE INDEX approvals_key ON approvals (host, pane_id, pipeline, stage, status)',
        'CREATE INDEX approvals_status ON approvals (status, decided_at)',
      ]),
  },
  {
    version: 4,
    name: 'events by host and pipeline',
    up: (tx) =>
      sql(tx, [
        // GET /api/events?host=&pipeline= page through these (newest first by id). The
        // expressions must stay textually the ones EventRepository queries with (built from
        // EVENT_SUBJECT_PATHS), or SQLite scans the table instead; a unit test checks the plan.
        `CREATE INDEX events_host ON events (coalesce(json_extract(payload, '$.host'), json_extract(payload, '$.approval.host'), json_extract(payload, '$.notification.payload.host')), id)`,
        `CREATE INDEX events_pipeline ON events (coalesce(json_extract(payload, '$.pipeline'), json_extract(payload, '$.approval.pipeline'), json_extract(payload, '$.notification.payload.pipeline')), id)`,
      ]),
  },
  {
    version: 5,
    name: 'issue board: issues, issue history, board settings',
    up: (tx) =>
      sql(tx, [
        // seq gives new issues their number (ISS-<seq>); sort_order is the fractional position in its column.
        `CREATE TABLE issues (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, body TEXT NOT NULL,
          status TEXT NOT NULL, priority TEXT NOT NULL, labels TEXT NOT NULL, sort_order REAL NOT NULL,
          created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_run TEXT)`,
        'CREATE INDEX issues_column ON issues (status, sort_order)',
        `CREATE TABLE issue_history (
          id INTEGER PRIMARY KEY AUTOINCREMENT, issue_id TEXT NOT NULL, field TEXT NOT NULL,
          from_value TEXT, to_value TEXT, at TEXT NOT NULL, by TEXT NOT NULL)`,
        'CREATE INDEX issue_history_issue ON issue_history (issue_id, id)',
        'CREATE TABLE board_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
        'CREATE INDEX sessions_issue ON sessions (issue_id)',
      ]),
  },
  {
    version: 6,
    name: 'orchestrator flows, runs and their node states',
    up: (tx) =>
      sql(tx, [
        // `data` is the flow body as JSON (schemas/flow.ts FlowInput): nodes and edges are read and written whole.
        `CREATE TABLE flows (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, data TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
        // A run keeps the flow as it was when it started, so editing the flow never changes a run.
        `CREATE TABLE flow_runs (
          run_id TEXT PRIMARY KEY, flow_id TEXT NOT NULL, flow_name TEXT NOT NULL, status TEXT NOT NULL,
          variables TEXT NOT NULL, flow TEXT NOT NULL, reason TEXT, started_at TEXT NOT NULL, updated_at TEXT NOT NULL,
          ended_at TEXT)`,
        'CREATE INDEX flow_runs_flow ON flow_runs (flow_id, started_at)',
        'CREATE INDEX flow_runs_status ON flow_runs (status)',
        `CREATE TABLE flow_run_nodes (
          run_id TEXT NOT NULL, node_id TEXT NOT NULL, status TEXT NOT NULL, execution_id TEXT, output TEXT,
          session_key TEXT, offset_start INTEGER, prompt TEXT, error TEXT, started_at TEXT, ended_at TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (run_id, node_id))`,
      ]),
  },
  {
    version: 7,
    name: 'queues and queue items',
    up: (tx) =>
      sql(tx, [
        // A queue row holds its groups and scheduler as JSON; each item is its own row so the
        // scheduler's frequent item updates journal one small row, not the whole queue.
        `CREATE TABLE queues (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, execution_groups TEXT NOT NULL,
          scheduler TEXT NOT NULL, next_item INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
        'CREATE INDEX queues_status ON queues (status, created_at)',
        `CREATE TABLE queue_items (
          queue_id TEXT NOT NULL, item_id TEXT NOT NULL, issue_id TEXT, status TEXT NOT NULL, data TEXT NOT NULL,
          PRIMARY KEY (queue_id, item_id))`,
        'CREATE INDEX queue_items_issue ON queue_items (issue_id)',
      ]),
  },
  {
    version: 8,
    name: 'executions, resume bindings and transcripts, stateless output',
    up: (tx) =>
      sql(tx, [
        `CREATE TABLE executions (
          execution_id TEXT PRIMARY KEY, session_key TEXT, issue_id TEXT, queue_id TEXT, queue_item_id TEXT,
          flow_run_id TEXT, tool TEXT NOT NULL, prompt TEXT NOT NULL, command TEXT NOT NULL, status TEXT NOT NULL,
          exit_code INTEGER, completion TEXT, started_at TEXT NOT NULL, ended_at TEXT, offset_start INTEGER,
          offset_end INTEGER, output_tail TEXT, native_session_id TEXT, data TEXT)`,
        'CREATE INDEX executions_session ON executions (session_key, started_at)',
        'CREATE INDEX executions_status ON executions (status)',
        'CREATE INDEX executions_issue ON executions (issue_id)',
        'CREATE INDEX executions_queue_item ON executions (queue_item_id)',
        'CREATE INDEX executions_flow_run ON executions (flow_run_id)',
        `CREATE TABLE resume_bindings (
          resume_key TEXT PRIMARY KEY, tool TEXT, native_session_id TEXT, fallback_at TEXT, fallback_reason TEXT,
          updated_at TEXT NOT NULL)`,
        `CREATE TABLE resume_turns (
          id INTEGER PRIMARY KEY AUTOINCREMENT, resume_key TEXT NOT NULL, execution_id TEXT, prompt TEXT NOT NULL,
          answer TEXT NOT NULL, at TEXT NOT NULL)`,
        'CREATE INDEX resume_turns_key ON resume_turns (resume_key, id)',
        'CREATE INDEX resume_turns_at ON resume_turns (at)',
        `CREATE TABLE cli_output (
          execution_id TEXT NOT NULL, seq INTEGER NOT NULL, stream TEXT NOT NULL, data TEXT NOT NULL, at TEXT NOT NULL,
          PRIMARY KEY (execution_id, seq))`,
      ]),
  },
  {
    version: 9,
    name: 'login sessions',
    up: (tx) =>
      sql(tx, [
        // Only a hash of the cookie's session id is kept; token_hash ties the session to the
        // access token it logged in with, so a new token ends every older session.
        `CREATE TABLE login_sessions (
          id_hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, created_at TEXT NOT NULL,
          expires_at TEXT NOT NULL, client TEXT)`,
        'CREATE INDEX login_sessions_expiry ON login_sessions (expires_at)',
      ]),
  },
  {
    version: 10,
    name: 'sessions on remote hosts',
    up: (tx) => sql(tx, ['ALTER TABLE sessions ADD COLUMN host TEXT']),
  },
];

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/** Checks the list itself: versions 1, 2, 3… in order, so a gap is a bug caught at start. */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`store migrations must be numbered 1, 2, 3…: found ${migration.version} at position ${index + 1}`);
    }
  });
}
