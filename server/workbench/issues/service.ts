import {
  BoardSettings,
  type ChangeSource,
  type CreateIssueBody,
  type Issue,
  type IssueHistoryEntry,
  type IssueRun,
  type IssueSession,
  type IssueStatus,
  type IssuesQuery,
  type MoveIssueBody,
  type SessionRow,
  type UpdateIssueBody,
} from '../../../schemas/index.ts';
import { Emitter } from '../../../base/emitter.ts';
import { Disposable } from '../../../base/lifecycle.ts';
import type { EventBus } from '../../events/index.ts';
import { ApiError } from '../../../base/errors.ts';
import { ruleIssue } from '../../../schemas/rule.ts';
import type { IssueRepository, IssueRow, WriteTx } from '../../store/index.ts';
import { place, renumbered } from './ordering.ts';

/** What the service needs of the session rows: the ones created with an `issueId`. */
export interface IssueSessionSource {
  list(): SessionRow[];
}

/** A status change of an issue, after it is durable (auto-start listens). */
export interface IssueStatusChange {
  readonly issue: Issue;
  readonly from: IssueStatus;
  readonly to: IssueStatus;
  readonly by: ChangeSource;
}

const EDITABLE = ['title', 'body', 'priority', 'labels'] as const;

export function notFound(id: string): ApiError {
  return new ApiError(404, 'issue_not_found', `no issue ${id}; list them with GET /api/issues`);
}

/** A 400 naming the field and the board's rule it breaks (the UI words `issue.<code>`). */
function fieldError(field: string, code: string, message: string, params: Readonly<Record<string, string>> = {}): ApiError {
  return new ApiError(400, 'invalid_body', `invalid body: ${field}: ${message}`, [ruleIssue(code, [field], message, params)]);
}

function toSession(row: SessionRow): IssueSession {
  return {
    sessionKey: row.sessionKey,
    resumeKey: row.resumeKey,
    tool: row.tool,
    model: row.model,
    workingDir: row.workingDir,
    envWrapper: row.envWrapper,
    createdAt: row.createdAt,
  };
}

/**
 * The issue board's logic: CRUD with a history row per changed field, moves
 * with fractional ordering, board settings. Every change is one durable
 * transaction, then an ISSUE_UPDATED event (live only: the history table is the
 * durable record, and bodies up to 1 MiB do not belong in the event log).
 */
export class IssueService extends Disposable {
  private readonly statusEmitter = this.register(new Emitter<IssueStatusChange>());
  readonly onDidChangeStatus = this.statusEmitter.event;

  constructor(
    private readonly repo: IssueRepository,
    private readonly sessions: IssueSessionSource,
    private readonly bus: EventBus,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    super();
    this.register(
      bus.onEvent((event) => {
        // A new session for an issue, or removed records of closed ones, change the issue's derived `sessions`.
        const issueIds = event.type === 'CLI_SESSION_CREATED' ? [event.session.issueId] : event.type === 'CLI_SESSION_REMOVED' ? event.issueIds : [];
        for (const issueId of issueIds) if (issueId !== null && this.repo.get(issueId)) this.announce(issueId);
      }),
    );
  }

  list(query: IssuesQuery = {}): Issue[] {
    const rows = this.repo.list({ statuses: query.status, label: query.label, q: query.q });
    const byIssue = this.sessionsByIssue();
    return rows.map((row) => this.toIssue(row, byIssue.get(row.id) ?? []));
  }

  get(id: string): Issue {
    const row = this.repo.get(id);
    if (!row) throw notFound(id);
    return this.toIssue(row, this.sessionsByIssue().get(id) ?? []);
  }

  has(id: string): boolean {
    return this.repo.get(id) !== undefined;
  }

  history(id: string): IssueHistoryEntry[] {
    if (!this.repo.get(id)) throw notFound(id);
    return this.repo.history(id);
  }

  async create(body: CreateIssueBody, by: ChangeSource): Promise<Issue> {
    const at = this.now();
    const id = await this.repo.write((tx) => {
      const status = body.status ?? 'open';
      const column = this.repo.columnIn(tx, status);
      const placed = place(column);
      const seq = this.freeSeq(tx);
      const id = `ISS-${seq}`;
      this.repo.insertIn(tx, {
        seq,
        id,
        title: body.title,
        body: body.body ?? '',
        status,
        priority: body.priority ?? 'medium',
        labels: body.labels ?? [],
        sortOrder: placed.ok ? placed.sortOrder : column.length * 1024 + 1024,
        createdAt: at,
        updatedAt: at,
        lastRun: null,
      });
      this.repo.addHistoryIn(tx, { issueId: id, field: 'created', from: null, to: { title: body.title, status }, at, by });
      return id;
    });
    return this.announce(id);
  }

  async update(id: string, patch: UpdateIssueBody, by: ChangeSource): Promise<Issue> {
    const at = this.now();
    const change = await this.repo.write((tx) => {
      const current = this.repo.getIn(tx, id);
      if (!current) throw notFound(id);
      let next: IssueRow = { ...current };
      let changed = false;
      for (const field of EDITABLE) {
        const value = patch[field];
        if (value === undefined || JSON.stringify(value) === JSON.stringify(current[field])) continue;
        this.repo.addHistoryIn(tx, { issueId: id, field, from: current[field], to: value, at, by });
        next = { ...next, [field]: value };
        changed = true;
      }
      if (patch.status !== undefined && patch.status !== current.status) {
        const column = this.repo.columnIn(tx, patch.status);
        const placed = place(column);
        this.repo.addHistoryIn(tx, { issueId: id, field: 'status', from: current.status, to: patch.status, at, by });
        next = { ...next, status: patch.status, sortOrder: placed.ok ? placed.sortOrder : current.sortOrder };
        changed = true;
      }
      if (!changed) return undefined;
      this.repo.updateIn(tx, { ...next, updatedAt: at });
      return { from: current.status, to: next.status };
    });
    const issue = change ? this.announce(id) : this.get(id);
    if (change && change.from !== change.to) this.statusEmitter.fire({ issue, from: change.from, to: change.to, by });
    return issue;
  }

  /** Status and position in one write; the column is renumbered in the same write when its gaps ran out. */
  async move(id: string, body: MoveIssueBody, by: ChangeSource): Promise<Issue> {
    if (body.beforeId === id) throw fieldError('beforeId', 'board_next_to_itself', 'an issue cannot move next to itself');
    if (body.afterId === id) throw fieldError('afterId', 'board_next_to_itself', 'an issue cannot move next to itself');
    const at = this.now();
    const result = await this.repo.write((tx) => {
      const current = this.repo.getIn(tx, id);
      if (!current) throw notFound(id);
      for (const field of ['beforeId', 'afterId'] as const) {
        const other = body[field];
        if (!other) continue;
        const row = this.repo.getIn(tx, other);
        if (!row) throw fieldError(field, 'board_unknown_issue', `no issue ${other}`, { issue: other });
        if (row.status !== body.status) {
          throw fieldError(field, 'board_other_column', `issue ${other} is in column ${row.status}, not ${body.status}`, { issue: other, column: row.status, status: body.status });
        }
      }
      let column = this.repo.columnIn(tx, body.status).filter((p) => p.id !== id);
      let placed = place(column, body.beforeId, body.afterId);
      let reordered: Record<string, number> | undefined;
      if (!placed.ok && 'renumber' in placed) {
        column = renumbered(column);
        reordered = {};
        for (const p of column) {
          this.repo.setOrderIn(tx, p.id, p.sortOrder);
          reordered[p.id] = p.sortOrder;
        }
        placed = place(column, body.beforeId, body.afterId);
      }
      if (!placed.ok) throw 'renumber' in placed ? fieldError('beforeId', 'board_no_room', 'no room') : fieldError(placed.field, placed.code, placed.message, placed.params);
      if (placed.sortOrder === current.sortOrder && body.status === current.status) return { from: current.status, reordered };
      if (body.status !== current.status) this.repo.addHistoryIn(tx, { issueId: id, field: 'status', from: current.status, to: body.status, at, by });
      this.repo.addHistoryIn(tx, { issueId: id, field: 'sortOrder', from: current.sortOrder, to: placed.sortOrder, at, by });
      this.repo.updateIn(tx, { ...current, status: body.status, sortOrder: placed.sortOrder, updatedAt: at });
      return { from: current.status, reordered };
    });
    const issue = this.announce(id, result.reordered);
    if (result.from !== body.status) this.statusEmitter.fire({ issue, from: result.from, to: body.status, by });
    return issue;
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.repo.write((tx) => this.repo.deleteIn(tx, id));
    if (!deleted) throw notFound(id);
    void this.bus.publish('ISSUE_UPDATED', { issueId: id, deleted: true }, { ephemeral: true });
  }

  /** Records the board's last run on the issue (no history: runs have their own records). */
  async setLastRun(id: string, run: IssueRun | null): Promise<Issue | undefined> {
    const ok = await this.repo.write((tx) => {
      const current = this.repo.getIn(tx, id);
      if (!current) return false;
      this.repo.updateIn(tx, { ...current, lastRun: run, updatedAt: this.now() });
      return true;
    });
    return ok ? this.announce(id) : undefined;
  }

  settings(): BoardSettings {
    return this.repo.settings();
  }

  putSettings(settings: BoardSettings): Promise<BoardSettings> {
    return this.repo.putSettings(BoardSettings.parse(settings));
  }

  /** Publishes the issue as it is now and returns it. */
  announce(id: string, reordered?: Record<string, number>): Issue {
    const issue = this.get(id);
    void this.bus.publish('ISSUE_UPDATED', { issue, ...(reordered ? { reordered } : {}) }, { ephemeral: true });
    return issue;
  }

  /** Issue numbers are never reused, and skip ids an import took. */
  freeSeq(tx: WriteTx): number {
    let seq = this.repo.nextSeqIn(tx);
    while (this.repo.getIn(tx, `ISS-${seq}`)) seq++;
    return seq;
  }

  private sessionsByIssue(): Map<string, IssueSession[]> {
    const out = new Map<string, IssueSession[]>();
    // Oldest first: the order they were created for the issue.
    for (const row of [...this.sessions.list()].reverse()) {
      if (!row.issueId) continue;
      const list = out.get(row.issueId) ?? [];
      list.push(toSession(row));
      out.set(row.issueId, list);
    }
    return out;
  }

  private toIssue(row: IssueRow, sessions: IssueSession[]): Issue {
    return {
      id: row.id,
      title: row.title,
      body: row.body,
      status: row.status,
      priority: row.priority,
      labels: row.labels,
      sortOrder: row.sortOrder,
      sessions,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      lastRun: row.lastRun,
    };
  }
}
