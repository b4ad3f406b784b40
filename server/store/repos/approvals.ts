import * as z from 'zod/mini';
import { ApprovalTokenRow, StageHistoryRow } from '../../../schemas/index.ts';
import type { JsonObject, StageStatus } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import { Columns, int, json, newestFirst, nowIso, nowSeconds, nullableInt, nullableText, text } from './rows.ts';

const TOKEN = new Columns({ host: text, paneId: text, stage: text, token: text, expiresAt: int, usedAt: nullableInt }, ApprovalTokenRow);

/** `approval_tokens` (tmuxagent's table, plus `used_at`): one signed-link token per pane stage. */
export class ApprovalTokenRepository {
  constructor(private readonly store: StoreCore) {}

  get(host: string, paneId: string, stage: string): ApprovalTokenRow | undefined {
    const row = this.store.get(`SELECT ${TOKEN.list} FROM approval_tokens WHERE host = ? AND pane_id = ? AND stage = ?`, [host, paneId, stage]);
    return row ? TOKEN.row(row) : undefined;
  }

  findByToken(token: string): ApprovalTokenRow | undefined {
    const row = this.store.get(`SELECT ${TOKEN.list} FROM approval_tokens WHERE token = ?`, [token]);
    return row ? TOKEN.row(row) : undefined;
  }

  list(): ApprovalTokenRow[] {
    return this.store.all(`SELECT ${TOKEN.list} FROM approval_tokens ORDER BY host, pane_id, stage`).map(TOKEN.row);
  }

  /** `expiresAt` in unix seconds. A new token for the same pane stage replaces the old one (and is unused). */
  upsert(input: { host: string; paneId: string; stage: string; token: string; expiresAt: number }): Promise<ApprovalTokenRow> {
    return this.store.write((tx) => {
      const row = ApprovalTokenRow.parse({ ...input, usedAt: null });
      tx.run(
        `INSERT INTO approval_tokens (${TOKEN.list}) VALUES (?, ?, ?, ?, ?, NULL)
         ON CONFLICT(host, pane_id, stage) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, used_at = NULL`,
        [row.host, row.paneId, row.stage, row.token, row.expiresAt],
      );
      tx.changed({ table: 'approval_tokens', op: 'upsert', key: { host: row.host, paneId: row.paneId, stage: row.stage }, row });
      return row;
    });
  }

  /**
   * Marks the token used, once: resolves true for the call that used it, false
   * if it was already used, expired (at `now`, unix seconds) or unknown.
   */
  markUsed(token: string, now = nowSeconds()): Promise<boolean> {
    return this.store.write((tx) => {
      const { changes } = tx.run('UPDATE approval_tokens SET used_at = ? WHERE token = ? AND used_at IS NULL AND expires_at >= ?', [now, token, now]);
      if (changes > 0) {
        const row = tx.get(`SELECT ${TOKEN.list} FROM approval_tokens WHERE token = ?`, [token]);
        const used = row ? TOKEN.row(row) : undefined;
        tx.changed({ table: 'approval_tokens', op: 'update', key: { host: used?.host ?? null, paneId: used?.paneId ?? null, stage: used?.stage ?? null }, row: used });
      }
      return changes > 0;
    });
  }

  delete(host: string, paneId: string, stage: string): Promise<boolean> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM approval_tokens WHERE host = ? AND pane_id = ? AND stage = ?', [host, paneId, stage]);
      if (changes > 0) tx.changed({ table: 'approval_tokens', op: 'delete', key: { host, paneId, stage } });
      return changes > 0;
    });
  }

  /** Deletes tokens that expired before `now` (unix seconds); resolves with the count. */
  expire(now = nowSeconds()): Promise<number> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM approval_tokens WHERE expires_at < ?', [now]);
      if (changes > 0) tx.changed({ table: 'approval_tokens', op: 'delete', key: { expiredBefore: now } });
      return changes;
    });
  }
}

export interface StageTransitionInput {
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly from: StageStatus | null;
  readonly to: StageStatus;
  readonly reason?: string | null;
  readonly retries?: number;
  readonly data?: JsonObject | null;
  readonly at?: string;
}

const HISTORY = new Columns(
  {
    id: int,
    host: text,
    paneId: text,
    pipeline: text,
    stage: text,
    from: { column: 'from_status', read: nullableText },
    to: { column: 'to_status', read: text },
    reason: nullableText,
    retries: int,
    data: json,
    at: text,
  },
  StageHistoryRow,
);
const NEW_HISTORY = HISTORY.without('id');

/** `stage_history`: every stage transition, for the board's timeline. */
export class StageHistoryRepository {
  constructor(private readonly store: StoreCore) {}

  append(input: StageTransitionInput): Promise<StageHistoryRow> {
    return this.store.write((tx) => {
      const draft = z.omit(StageHistoryRow, { id: true }).parse({
        host: input.host,
        paneId: input.paneId,
        pipeline: input.pipeline,
        stage: input.stage,
        from: input.from,
        to: input.to,
        reason: input.reason ?? null,
        retries: input.retries ?? 0,
        data: input.data ?? null,
        at: input.at ?? nowIso(),
      });
      const { lastInsertRowid } = tx.run(NEW_HISTORY.insert('stage_history'), NEW_HISTORY.values(draft));
      const row: StageHistoryRow = { id: lastInsertRowid, ...draft };
      tx.changed({ table: 'stage_history', op: 'insert', key: { id: row.id }, row });
      return row;
    });
  }

  /** Newest first; `beforeId` pages further back. */
  list(filter: { host?: string; paneId?: string; pipeline?: string; stage?: string; beforeId?: number; limit?: number } = {}): StageHistoryRow[] {
    const page = newestFirst(
      [
        ['host', filter.host],
        ['pane_id', filter.paneId],
        ['pipeline', filter.pipeline],
        ['stage', filter.stage],
      ],
      filter,
    );
    return this.store
      .all(`SELECT ${HISTORY.list} FROM stage_history ${page.clause}`, page.params)
      .map(HISTORY.row);
  }
}
