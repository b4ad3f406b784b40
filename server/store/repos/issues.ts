import {
  BoardSettings,
  DEFAULT_BOARD_SETTINGS,
  IssueRun,
  type ChangeSource,
  type IssueHistoryEntry,
  type IssuePriority,
  type IssueStatus,
} from '../../../schemas/index.ts';
import type { StoreCore, WriteTx } from '../tx.ts';
import type { SqlParam, SqlRow } from '../types.ts';
import { Columns, int, nullableText, text, type ColumnKind } from './rows.ts';

/** An issue as stored (without the derived `sessions`). */
export interface IssueRow {
  readonly seq: number;
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly status: IssueStatus;
  readonly priority: IssuePriority;
  readonly labels: string[];
  readonly sortOrder: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastRun: IssueRun | null;
}

export interface IssueListFilter {
  readonly statuses?: readonly IssueStatus[];
  readonly label?: string;
  readonly q?: string;
}

export interface HistoryInput {
  readonly issueId: string;
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly at: string;
  readonly by: ChangeSource;
}

const COLUMNS = 'seq, id, title, body, status, priority, labels, sort_order, created_at, updated_at, last_run';
/** Lists leave the body out only where asked; the board needs it for search results anyway. */
const ORDER = 'ORDER BY sort_order, seq';

function parseJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  try {
    return JSON.parse(String(value));
  } catch {
    return String(value);
  }
}

/** A column that holds any JSON value (undefined is stored as NULL). */
const anyJson = { read: parseJson, write: (value: unknown) => (value === undefined ? null : JSON.stringify(value)) } satisfies ColumnKind;

const HISTORY = new Columns({
  id: int,
  issueId: text,
  field: text,
  from: { column: 'from_value', ...anyJson },
  to: { column: 'to_value', ...anyJson },
  at: text,
  by: (value: unknown) => text(value) as ChangeSource,
});
const NEW_HISTORY = HISTORY.without('id');

function fromSql(row: SqlRow): IssueRow {
  const labels = parseJson(row.labels);
  const run = IssueRun.safeParse(parseJson(row.last_run));
  return {
    seq: int(row.seq),
    id: text(row.id),
    title: text(row.title),
    body: text(row.body),
    status: text(row.status) as IssueStatus,
    priority: text(row.priority) as IssuePriority,
    labels: Array.isArray(labels) ? labels.map(String) : [],
    sortOrder: Number(row.sort_order),
    createdAt: text(row.created_at),
    updatedAt: text(row.updated_at),
    lastRun: run.success ? run.data : null,
  };
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * `issues`, `issue_history` and `board_settings`. Reads are synchronous; the
 * issues service composes the `*In(tx, …)` steps inside one `write`, so a move,
 * an import or an edit with its history is one durable transaction.
 */
export class IssueRepository {
  constructor(private readonly store: StoreCore) {}

  write<T>(fn: (tx: WriteTx) => T): Promise<T> {
    return this.store.write(fn);
  }

  get(id: string): IssueRow | undefined {
    const row = this.store.get(`SELECT ${COLUMNS} FROM issues WHERE id = ?`, [id]);
    return row ? fromSql(row) : undefined;
  }

  getIn(tx: WriteTx, id: string): IssueRow | undefined {
    const row = tx.get(`SELECT ${COLUMNS} FROM issues WHERE id = ?`, [id]);
    return row ? fromSql(row) : undefined;
  }

  list(filter: IssueListFilter = {}): IssueRow[] {
    const clauses: string[] = [];
    const params: SqlParam[] = [];
    if (filter.statuses?.length) {
      clauses.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
      params.push(...filter.statuses);
    }
    if (filter.label) {
      clauses.push('EXISTS (SELECT 1 FROM json_each(issues.labels) WHERE json_each.value = ?)');
      params.push(filter.label);
    }
    if (filter.q) {
      clauses.push("(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')");
      const pattern = likePattern(filter.q);
      params.push(pattern, pattern, pattern);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    return this.store.all(`SELECT ${COLUMNS} FROM issues ${where} ${ORDER}`, params).map(fromSql);
  }

  /** A column in board order (inside a write, so a move sees its own transaction). */
  columnIn(tx: WriteTx, status: IssueStatus): Array<{ id: string; sortOrder: number }> {
    return tx.all(`SELECT id, sort_order FROM issues WHERE status = ? ${ORDER}`, [status]).map((r) => ({ id: text(r.id), sortOrder: Number(r.sort_order) }));
  }

  count(): number {
    return int(this.store.get('SELECT COUNT(*) AS n FROM issues')?.n);
  }

  /** The next free number for an `ISS-<n>` id. */
  nextSeqIn(tx: WriteTx): number {
    const row = tx.get("SELECT seq FROM sqlite_sequence WHERE name = 'issues'");
    return (row ? int(row.seq) : 0) + 1;
  }

  insertIn(tx: WriteTx, row: Omit<IssueRow, 'seq'> & { seq?: number }): void {
    tx.run(`INSERT INTO issues (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      row.seq ?? null,
      row.id,
      row.title,
      row.body,
      row.status,
      row.priority,
      JSON.stringify(row.labels),
      row.sortOrder,
      row.createdAt,
      row.updatedAt,
      row.lastRun ? JSON.stringify(row.lastRun) : null,
    ]);
    tx.changed({ table: 'issues', op: 'insert', key: { id: row.id } });
  }

  updateIn(tx: WriteTx, row: IssueRow): void {
    tx.run(
      'UPDATE issues SET title = ?, body = ?, status = ?, priority = ?, labels = ?, sort_order = ?, updated_at = ?, last_run = ? WHERE id = ?',
      [row.title, row.body, row.status, row.priority, JSON.stringify(row.labels), row.sortOrder, row.updatedAt, row.lastRun ? JSON.stringify(row.lastRun) : null, row.id],
    );
    tx.changed({ table: 'issues', op: 'update', key: { id: row.id } });
  }

  setOrderIn(tx: WriteTx, id: string, sortOrder: number): void {
    tx.run('UPDATE issues SET sort_order = ? WHERE id = ?', [sortOrder, id]);
  }

  deleteIn(tx: WriteTx, id: string): boolean {
    const { changes } = tx.run('DELETE FROM issues WHERE id = ?', [id]);
    tx.run('DELETE FROM issue_history WHERE issue_id = ?', [id]);
    if (changes > 0) tx.changed({ table: 'issues', op: 'delete', key: { id } });
    return changes > 0;
  }

  addHistoryIn(tx: WriteTx, entry: HistoryInput): void {
    tx.run(NEW_HISTORY.insert('issue_history'), NEW_HISTORY.values(entry));
  }

  clearHistoryIn(tx: WriteTx, issueId: string): void {
    tx.run('DELETE FROM issue_history WHERE issue_id = ?', [issueId]);
  }

  /** Every change of an issue, oldest first. */
  history(issueId: string): IssueHistoryEntry[] {
    return this.store
      .all(`SELECT ${HISTORY.list} FROM issue_history WHERE issue_id = ? ORDER BY id`, [issueId])
      .map(HISTORY.row);
  }

  settings(): BoardSettings {
    const raw = nullableText(this.store.get("SELECT value FROM board_settings WHERE key = 'board'")?.value);
    if (raw === null) return DEFAULT_BOARD_SETTINGS;
    const parsed = BoardSettings.safeParse(parseJson(raw));
    return parsed.success ? parsed.data : DEFAULT_BOARD_SETTINGS;
  }

  putSettings(settings: BoardSettings): Promise<BoardSettings> {
    return this.store.write((tx) => {
      tx.run("INSERT INTO board_settings (key, value) VALUES ('board', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [JSON.stringify(settings)]);
      tx.changed({ table: 'board_settings', op: 'upsert', key: { key: 'board' } });
      return settings;
    });
  }
}
