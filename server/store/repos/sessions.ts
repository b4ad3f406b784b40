import { SessionRow, SessionRowInput } from '../../../schemas/index.ts';
import type { SessionStatus } from '../../../schemas/index.ts';
import type { StoreCore, WriteTx } from '../tx.ts';
import type { SqlRow } from '../types.ts';
import { bool, int, nullableInt, nullableText, text } from './rows.ts';

const COLUMNS =
  'session_key, name, tool, model, working_dir, resume_key, resume_strategy, issue_id, env_wrapper, shell, socket, host, ' +
  'tmux_session, window_id, pane_id, adopted, status, exit_code, created_at, closed_at, last_activity_at';

const UPSERT = `INSERT INTO sessions (${COLUMNS}) VALUES (${COLUMNS.split(',').map(() => '?').join(', ')})
  ON CONFLICT(session_key) DO UPDATE SET ${COLUMNS.split(', ')
    .slice(1)
    .map((column) => `${column} = excluded.${column}`)
    .join(', ')}`;

function fromSql(row: SqlRow): SessionRow {
  return SessionRow.parse({
    sessionKey: text(row.session_key),
    name: text(row.name),
    tool: text(row.tool),
    model: nullableText(row.model),
    workingDir: text(row.working_dir),
    resumeKey: nullableText(row.resume_key),
    resumeStrategy: nullableText(row.resume_strategy),
    issueId: nullableText(row.issue_id),
    envWrapper: nullableText(row.env_wrapper),
    shell: nullableText(row.shell),
    socket: nullableText(row.socket),
    host: nullableText(row.host),
    tmuxSession: text(row.tmux_session),
    windowId: text(row.window_id),
    paneId: text(row.pane_id),
    adopted: int(row.adopted) !== 0,
    status: text(row.status),
    exitCode: nullableInt(row.exit_code),
    createdAt: text(row.created_at),
    closedAt: nullableText(row.closed_at),
    lastActivityAt: nullableText(row.last_activity_at),
  });
}

function statusOf(row: { closedAt: string | null; exitCode: number | null }): SessionStatus {
  if (row.closedAt !== null) return 'closed';
  return row.exitCode !== null ? 'exited' : 'running';
}

/**
 * `sessions`: what tmux does not remember about a CLI session (tool, model,
 * resume key, issue, working dir, exit code…). The SessionHub joins these rows
 * to the panes it finds in tmux. Fits the hub's SessionMetaRepository.
 */
export class SessionRepository {
  constructor(private readonly store: StoreCore) {}

  get(sessionKey: string): SessionRow | undefined {
    const row = this.store.get(`SELECT ${COLUMNS} FROM sessions WHERE session_key = ?`, [sessionKey]);
    return row ? fromSql(row) : undefined;
  }

  /** Every session, newest first. */
  list(filter: { status?: SessionStatus } = {}): SessionRow[] {
    const rows =
      filter.status === undefined
        ? this.store.all(`SELECT ${COLUMNS} FROM sessions ORDER BY created_at DESC, session_key`)
        : this.store.all(`SELECT ${COLUMNS} FROM sessions WHERE status = ? ORDER BY created_at DESC, session_key`, [filter.status]);
    return rows.map(fromSql);
  }

  /** Sessions created with this resume key, newest first. */
  findByResumeKey(resumeKey: string): SessionRow[] {
    return this.store
      .all(`SELECT ${COLUMNS} FROM sessions WHERE resume_key = ? ORDER BY created_at DESC, session_key`, [resumeKey])
      .map(fromSql);
  }

  count(): number {
    return int(this.store.get('SELECT COUNT(*) AS n FROM sessions')?.n);
  }

  /** Inserts or replaces the whole row; resolves once durable (the SessionHub's SessionMetaRepository.put). */
  put(input: SessionRowInput): Promise<void> {
    return this.store.write((tx) => {
      this.save(tx, input);
    });
  }

  /** Inserts or replaces the whole row; resolves with the stored row once durable. */
  upsert(input: SessionRowInput): Promise<SessionRow> {
    return this.store.write((tx) => this.save(tx, input));
  }

  /** Changes some fields of an existing session (fails if there is none). */
  update(sessionKey: string, patch: Partial<Omit<SessionRowInput, 'sessionKey'>>): Promise<SessionRow> {
    return this.store.write((tx) => {
      const current = tx.get(`SELECT ${COLUMNS} FROM sessions WHERE session_key = ?`, [sessionKey]);
      if (!current) throw new Error(`no stored session ${sessionKey}`);
      return this.save(tx, { ...fromSql(current), ...patch, sessionKey });
    });
  }

  private save(tx: WriteTx, input: SessionRowInput): SessionRow {
    const parsed = SessionRowInput.parse(input);
    const row: SessionRow = SessionRow.parse({ ...parsed, status: statusOf(parsed) });
    const existed = tx.get('SELECT 1 AS x FROM sessions WHERE session_key = ?', [row.sessionKey]) !== undefined;
    tx.run(UPSERT, [
      row.sessionKey,
      row.name,
      row.tool,
      row.model,
      row.workingDir,
      row.resumeKey,
      row.resumeStrategy,
      row.issueId,
      row.envWrapper,
      row.shell,
      row.socket,
      row.host,
      row.tmuxSession,
      row.windowId,
      row.paneId,
      bool(row.adopted),
      row.status,
      row.exitCode,
      row.createdAt,
      row.closedAt,
      row.lastActivityAt,
    ]);
    tx.changed({ table: 'sessions', op: existed ? 'update' : 'insert', key: { sessionKey: row.sessionKey }, row });
    return row;
  }

  delete(sessionKey: string): Promise<boolean> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM sessions WHERE session_key = ?', [sessionKey]);
      if (changes > 0) tx.changed({ table: 'sessions', op: 'delete', key: { sessionKey } });
      return changes > 0;
    });
  }
}
