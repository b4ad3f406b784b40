import { SessionRow, SessionRowInput } from '../../../schemas/index.ts';
import type { SessionStatus } from '../../../schemas/index.ts';
import type { StoreCore, WriteTx } from '../tx.ts';
import { Columns, flag, int, nullableInt, nullableText, text } from './rows.ts';

const SESSION = new Columns(
  {
    sessionKey: text,
    name: text,
    tool: text,
    model: nullableText,
    workingDir: text,
    resumeKey: nullableText,
    resumeStrategy: nullableText,
    issueId: nullableText,
    envWrapper: nullableText,
    shell: nullableText,
    socket: nullableText,
    host: nullableText,
    tmuxSession: text,
    windowId: text,
    paneId: text,
    adopted: flag,
    status: text,
    exitCode: nullableInt,
    createdAt: text,
    closedAt: nullableText,
    lastActivityAt: nullableText,
  },
  SessionRow,
);
const UPSERT = SESSION.insert('sessions', ['session_key']);

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
    const row = this.store.get(`SELECT ${SESSION.list} FROM sessions WHERE session_key = ?`, [sessionKey]);
    return row ? SESSION.row(row) : undefined;
  }

  /** Every session, newest first. */
  list(filter: { status?: SessionStatus } = {}): SessionRow[] {
    const rows =
      filter.status === undefined
        ? this.store.all(`SELECT ${SESSION.list} FROM sessions ORDER BY created_at DESC, session_key`)
        : this.store.all(`SELECT ${SESSION.list} FROM sessions WHERE status = ? ORDER BY created_at DESC, session_key`, [filter.status]);
    return rows.map(SESSION.row);
  }

  /** Sessions created with this resume key, newest first. */
  findByResumeKey(resumeKey: string): SessionRow[] {
    return this.store
      .all(`SELECT ${SESSION.list} FROM sessions WHERE resume_key = ? ORDER BY created_at DESC, session_key`, [resumeKey])
      .map(SESSION.row);
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
      const current = tx.get(`SELECT ${SESSION.list} FROM sessions WHERE session_key = ?`, [sessionKey]);
      if (!current) throw new Error(`no stored session ${sessionKey}`);
      return this.save(tx, { ...SESSION.row(current), ...patch, sessionKey });
    });
  }

  private save(tx: WriteTx, input: SessionRowInput): SessionRow {
    const parsed = SessionRowInput.parse(input);
    const row: SessionRow = SessionRow.parse({ ...parsed, status: statusOf(parsed) });
    const existed = tx.get('SELECT 1 AS x FROM sessions WHERE session_key = ?', [row.sessionKey]) !== undefined;
    tx.run(UPSERT, SESSION.values(row));
    tx.changed({ table: 'sessions', op: existed ? 'update' : 'insert', key: { sessionKey: row.sessionKey }, row });
    return row;
  }

  /**
   * Deletes the rows of these sessions that are closed, in one transaction (a row
   * that is not closed is kept: the check and the delete cannot be told apart by a
   * concurrent close). Resolves with the rows removed, once durable.
   */
  removeClosed(sessionKeys: readonly string[]): Promise<SessionRow[]> {
    return this.store.write((tx) => {
      const removed: SessionRow[] = [];
      for (const sessionKey of new Set(sessionKeys)) {
        const row = tx.get(`SELECT ${SESSION.list} FROM sessions WHERE session_key = ? AND closed_at IS NOT NULL`, [sessionKey]);
        if (!row) continue;
        tx.run('DELETE FROM sessions WHERE session_key = ?', [sessionKey]);
        tx.changed({ table: 'sessions', op: 'delete', key: { sessionKey } });
        removed.push(SESSION.row(row));
      }
      return removed;
    });
  }

  delete(sessionKey: string): Promise<boolean> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM sessions WHERE session_key = ?', [sessionKey]);
      if (changes > 0) tx.changed({ table: 'sessions', op: 'delete', key: { sessionKey } });
      return changes > 0;
    });
  }
}
