import { Approval, type ApprovalStatus } from '../../../schemas/agent.ts';
import type { StoreCore } from '../tx.ts';
import { clampLimit, Columns, nowSeconds, nullableText, text } from './rows.ts';

const APPROVAL = new Columns(
  {
    id: text,
    host: text,
    paneId: text,
    pipeline: text,
    stage: text,
    kind: text,
    prompt: nullableText,
    status: text,
    requestedAt: text,
    file: text,
    expiresAt: text,
    decidedAt: nullableText,
    decidedVia: nullableText,
    decidedBy: nullableText,
    note: nullableText,
  },
  Approval,
);
const INSERT = APPROVAL.insert('approvals');

export interface ApprovalKeyFilter {
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
}

export type ApprovalCompletion = Pick<Approval, 'status' | 'decidedAt' | 'decidedVia' | 'decidedBy' | 'note'>;

/**
 * `approvals`: every approval the agent board asked for, pending or decided. A
 * decision is a compare-and-set on `status = 'pending'`, so of two deciders (file,
 * link, web) exactly one wins. Signed-link tokens are marked used in tmuxagent's
 * `approval_tokens` table under their digest (never the token itself).
 */
export class AgentApprovalRepository {
  constructor(private readonly store: StoreCore) {}

  /** Stores a new approval; with `tokenDigest`, also its link token row (unused). */
  insert(approval: Approval, tokenDigest?: string): Promise<Approval> {
    return this.store.write((tx) => {
      const a = Approval.parse(approval);
      tx.run(INSERT, APPROVAL.values(a));
      tx.changed({ table: 'approvals', op: 'insert', key: { id: a.id }, row: a });
      if (tokenDigest) {
        const expiresAt = Math.floor(Date.parse(a.expiresAt) / 1000);
        tx.run(
          `INSERT INTO approval_tokens (host, pane_id, stage, token, expires_at, used_at) VALUES (?, ?, ?, ?, ?, NULL)
           ON CONFLICT(host, pane_id, stage) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, used_at = NULL`,
          [a.host, a.paneId, a.stage, tokenDigest, expiresAt],
        );
        tx.changed({ table: 'approval_tokens', op: 'upsert', key: { host: a.host, paneId: a.paneId, stage: a.stage } });
      }
      return a;
    });
  }

  get(id: string): Approval | undefined {
    const row = this.store.get(`SELECT ${APPROVAL.list} FROM approvals WHERE id = ?`, [id]);
    return row ? APPROVAL.row(row) : undefined;
  }

  findPending(key: ApprovalKeyFilter): Approval | undefined {
    const row = this.store.get(
      `SELECT ${APPROVAL.list} FROM approvals WHERE host = ? AND pane_id = ? AND pipeline = ? AND stage = ? AND status = 'pending'
       ORDER BY requested_at DESC LIMIT 1`,
      [key.host, key.paneId, key.pipeline, key.stage],
    );
    return row ? APPROVAL.row(row) : undefined;
  }

  /** The newest decided (approved/rejected) approval of a stage, for recovery after a crash. */
  latestDecided(key: ApprovalKeyFilter): Approval | undefined {
    const row = this.store.get(
      `SELECT ${APPROVAL.list} FROM approvals WHERE host = ? AND pane_id = ? AND pipeline = ? AND stage = ? AND status IN ('approved', 'rejected')
       ORDER BY decided_at DESC LIMIT 1`,
      [key.host, key.paneId, key.pipeline, key.stage],
    );
    return row ? APPROVAL.row(row) : undefined;
  }

  /** Oldest first. */
  listPending(): Approval[] {
    return this.store.all(`SELECT ${APPROVAL.list} FROM approvals WHERE status = 'pending' ORDER BY requested_at, id`).map(APPROVAL.row);
  }

  /** Newest decision first; `statuses` defaults to approved and rejected. */
  listDecided(options: { statuses?: readonly ApprovalStatus[]; limit?: number } = {}): Approval[] {
    const statuses = options.statuses ?? ['approved', 'rejected'];
    if (statuses.length === 0) return [];
    return this.store
      .all(`SELECT ${APPROVAL.list} FROM approvals WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY decided_at DESC, id DESC LIMIT ?`, [
        ...statuses,
        clampLimit(options.limit, 50, 1000),
      ])
      .map(APPROVAL.row);
  }

  /** Pending → final status, atomically: the updated approval, or undefined when it was not pending any more. */
  complete(id: string, update: ApprovalCompletion): Promise<Approval | undefined> {
    return this.store.write((tx) => {
      const { changes } = tx.run(
        `UPDATE approvals SET status = ?, decided_at = ?, decided_via = ?, decided_by = ?, note = ? WHERE id = ? AND status = 'pending'`,
        [update.status, update.decidedAt, update.decidedVia, update.decidedBy, update.note, id],
      );
      if (changes === 0) return undefined;
      const row = APPROVAL.row(tx.get(`SELECT ${APPROVAL.list} FROM approvals WHERE id = ?`, [id])!);
      tx.changed({ table: 'approvals', op: 'update', key: { id }, row });
      return row;
    });
  }

  /**
   * Marks a link token used, once (true for the one call that used it). A token
   * whose row is gone (replaced by a newer request for the same pane stage, or
   * pruned) gets a used row now: one-time stays one-time either way.
   */
  useToken(digest: string, approval: Approval, now = nowSeconds()): Promise<boolean> {
    return this.store.write((tx) => {
      const existing = tx.get('SELECT used_at FROM approval_tokens WHERE token = ?', [digest]);
      if (existing) {
        if (existing.used_at !== null) return false;
        tx.run('UPDATE approval_tokens SET used_at = ? WHERE token = ? AND used_at IS NULL', [now, digest]);
      } else {
        const expiresAt = Math.floor(Date.parse(approval.expiresAt) / 1000);
        tx.run(
          `INSERT INTO approval_tokens (host, pane_id, stage, token, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(host, pane_id, stage) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, used_at = excluded.used_at`,
          [approval.host, approval.paneId, approval.stage, digest, expiresAt, now],
        );
      }
      tx.changed({ table: 'approval_tokens', op: 'update', key: { host: approval.host, paneId: approval.paneId, stage: approval.stage } });
      return true;
    });
  }
}
