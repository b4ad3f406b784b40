import { z } from 'zod';
import {
  CcwIssue,
  ISSUE_STATUSES,
  ISSUES_EXPORT_FORMAT,
  IssueBody,
  IssueId,
  IssueLabels,
  IssuesExport,
  type ChangeSource,
  type ExportedIssue,
  type ImportResult,
  type IssuePriority,
  type IssueStatus,
} from '../../../schemas/index.ts';
import { issueDetail, parseOr400 } from '../../http/index.ts';
import { ApiError } from '../../../base/errors.ts';
import type { IssueRepository, IssueRow, WriteTx } from '../../store/index.ts';
import { ORDER_STEP } from './ordering.ts';
import type { IssueService } from './service.ts';

const CcwFile = z.union([z.array(CcwIssue).max(100_000), z.object({ issues: z.array(CcwIssue).max(100_000) }).passthrough()]);

const STATUS_ALIASES: Record<string, IssueStatus> = {
  'in-progress': 'in_progress',
  inprogress: 'in_progress',
  executing: 'in_progress',
  done: 'completed',
};

function ccwStatus(raw: string | undefined): { status: IssueStatus; known: boolean } {
  if (raw === undefined || raw === '') return { status: 'open', known: true };
  const key = raw.trim().toLowerCase();
  if ((ISSUE_STATUSES as readonly string[]).includes(key)) return { status: key as IssueStatus, known: true };
  const alias = STATUS_ALIASES[key];
  return alias ? { status: alias, known: true } : { status: 'open', known: false };
}

function ccwPriority(raw: string | number | undefined): IssuePriority {
  if (typeof raw === 'number') return raw <= 1 ? 'urgent' : raw === 2 ? 'high' : raw === 3 ? 'medium' : 'low';
  const key = (raw ?? '').trim().toLowerCase();
  if (key === 'critical' || key === 'urgent' || key === 'p0') return 'urgent';
  if (key === 'high' || key === 'p1') return 'high';
  if (key === 'low' || key === 'p3' || key === 'p4') return 'low';
  return 'medium';
}

/** Parses one value of the file; a failure is a 400 naming its place in the file. */
function checked<S extends z.ZodType>(schema: S, value: unknown, path: ReadonlyArray<string | number>): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // With the issue's parameters, so the UI words it in its own language.
  const issues = result.error.issues.map((i) => ({ ...issueDetail(i), path: [...path, ...i.path] }));
  const words = result.error.issues.map((i) => `${[...path, ...i.path].join('.')}: ${i.message}`);
  throw new ApiError(400, 'invalid_body', `invalid body: ${words.join('; ')}`, issues);
}

/** Import and export of the whole board (JSON with history), and import of a CCW issues file. */
export class IssueTransfer {
  constructor(
    private readonly repo: IssueRepository,
    private readonly service: IssueService,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  export(): z.input<typeof IssuesExport> {
    const issues: ExportedIssue[] = this.repo.list().map((row) => ({
      id: row.id,
      title: row.title,
      body: row.body,
      status: row.status,
      priority: row.priority,
      labels: row.labels,
      sortOrder: row.sortOrder,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      history: this.repo.history(row.id).map(({ field, from, to, at, by }) => ({ field, from, to, at, by })),
    }));
    return { format: ISSUES_EXPORT_FORMAT, version: 1, exportedAt: this.now(), issues };
  }

  /** Everything is checked before anything is written, and written in one transaction. */
  async import(input: unknown, by: ChangeSource): Promise<ImportResult> {
    const isOurs = typeof input === 'object' && input !== null && (input as { format?: unknown }).format === ISSUES_EXPORT_FORMAT;
    const result = isOurs ? await this.importOurs(parseOr400(IssuesExport, input)) : await this.importCcw(parseOr400(CcwFile, input), by);
    for (const id of result.ids) this.service.announce(id);
    return result;
  }

  private importOurs(file: IssuesExport): Promise<ImportResult> {
    return this.repo.write((tx) => {
      let created = 0;
      let updated = 0;
      for (const issue of file.issues) {
        const existing = this.repo.getIn(tx, issue.id);
        const row: Omit<IssueRow, 'seq'> = { ...issue, lastRun: existing?.lastRun ?? null };
        if (existing) {
          this.repo.updateIn(tx, { ...row, seq: existing.seq });
          // The file's history is the issue's history: replace it.
          this.repo.clearHistoryIn(tx, issue.id);
          // createdAt is not in updateIn: keep the file's.
          tx.run('UPDATE issues SET created_at = ? WHERE id = ?', [issue.createdAt, issue.id]);
          updated++;
        } else {
          const number = /^ISS-(\d{1,9})$/.exec(issue.id);
          const seq = number ? Number(number[1]) : undefined;
          const taken = seq !== undefined && tx.get('SELECT 1 AS x FROM issues WHERE seq = ?', [seq]) !== undefined;
          this.repo.insertIn(tx, { ...row, seq: taken ? undefined : seq });
          created++;
        }
        for (const entry of issue.history) this.repo.addHistoryIn(tx, { issueId: issue.id, ...entry });
      }
      return { format: 'tmux-bridge', created, updated, ids: file.issues.map((i) => i.id), warnings: [] };
    });
  }

  private importCcw(file: z.infer<typeof CcwFile>, by: ChangeSource): Promise<ImportResult> {
    const items = Array.isArray(file) ? file : file.issues;
    const prefix = Array.isArray(file) ? [] : ['issues'];
    const warnings: string[] = [];
    // Check bodies and labels first (400 naming the field), then write all of it.
    const prepared = items.map((item, index) => {
      const body = item.context ?? item.body ?? item.description ?? '';
      checked(IssueBody, body, [...prefix, index, item.context !== undefined ? 'context' : 'body']);
      const labels = checked(IssueLabels, (item.labels ?? item.tags ?? []).map((l) => String(l).trim()).filter(Boolean), [...prefix, index, 'labels']);
      const { status, known } = ccwStatus(item.status);
      if (!known) warnings.push(`issue ${item.id ?? index + 1} ("${item.title.slice(0, 60)}"): unknown status "${item.status}" imported as open`);
      const id = item.id !== undefined && IssueId.safeParse(String(item.id)).success ? String(item.id) : undefined;
      return { id, title: item.title, body, status, priority: ccwPriority(item.priority), labels };
    });
    const at = this.now();
    return this.repo.write((tx: WriteTx) => {
      let created = 0;
      let updated = 0;
      const ids: string[] = [];
      const ends = new Map<IssueStatus, number>();
      const endOf = (status: IssueStatus) => {
        const current = ends.get(status) ?? this.repo.columnIn(tx, status).at(-1)?.sortOrder ?? 0;
        const next = current + ORDER_STEP;
        ends.set(status, next);
        return next;
      };
      for (const item of prepared) {
        const existing = item.id ? this.repo.getIn(tx, item.id) : undefined;
        if (existing) {
          const next: IssueRow = { ...existing, title: item.title, body: item.body, priority: item.priority, labels: item.labels, updatedAt: at };
          for (const field of ['title', 'body', 'priority', 'labels'] as const) {
            if (JSON.stringify(existing[field]) !== JSON.stringify(next[field])) this.repo.addHistoryIn(tx, { issueId: existing.id, field, from: existing[field], to: next[field], at, by });
          }
          if (existing.status !== item.status) {
            this.repo.addHistoryIn(tx, { issueId: existing.id, field: 'status', from: existing.status, to: item.status, at, by });
            this.repo.updateIn(tx, { ...next, status: item.status, sortOrder: endOf(item.status) });
          } else {
            this.repo.updateIn(tx, next);
          }
          ids.push(existing.id);
          updated++;
          continue;
        }
        const seq = this.service.freeSeq(tx);
        const id = item.id ?? `ISS-${seq}`;
        this.repo.insertIn(tx, { seq: item.id ? undefined : seq, id, title: item.title, body: item.body, status: item.status, priority: item.priority, labels: item.labels, sortOrder: endOf(item.status), createdAt: at, updatedAt: at, lastRun: null });
        this.repo.addHistoryIn(tx, { issueId: id, field: 'created', from: null, to: { title: item.title, status: item.status, importedFrom: 'ccw' }, at, by });
        ids.push(id);
        created++;
      }
      return { format: 'ccw', created, updated, ids, warnings };
    });
  }
}
