import { randomUUID } from 'node:crypto';
import { NotificationRow } from '../../../schemas/index.ts';
import type { JsonObject, NotificationStatus } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import { clampLimit, Columns, int, json, newestFirst, nowIso, nullableInt, nullableText, text } from './rows.ts';

const NOTIFICATION = new Columns(
  {
    id: int,
    notificationId: text,
    channel: text,
    kind: nullableText,
    title: text,
    body: text,
    status: text,
    attempts: int,
    lastError: nullableText,
    httpStatus: nullableInt,
    host: nullableText,
    paneId: nullableText,
    pipeline: nullableText,
    stage: nullableText,
    createdAt: text,
    updatedAt: text,
    sentAt: nullableText,
    payload: json,
  },
  NotificationRow,
);
const NEW_NOTIFICATION = NOTIFICATION.without('id');

export interface NotificationInput {
  /** Groups the deliveries of one notification on several channels (default: a new UUID). */
  readonly notificationId?: string;
  readonly channel: string;
  readonly kind?: string | null;
  readonly title: string;
  readonly body: string;
  readonly host?: string | null;
  readonly paneId?: string | null;
  readonly pipeline?: string | null;
  readonly stage?: string | null;
  readonly payload?: JsonObject | null;
  readonly at?: string;
}

export interface AttemptResult {
  readonly ok: boolean;
  readonly error?: string | null;
  readonly httpStatus?: number | null;
  /** No more retries after this failed attempt. */
  readonly giveUp?: boolean;
  readonly at?: string;
}

/** `notifications`: one row per notification and channel, so deliveries survive a restart and can be retried. */
export class NotificationRepository {
  constructor(private readonly store: StoreCore) {}

  get(id: number): NotificationRow | undefined {
    const row = this.store.get(`SELECT ${NOTIFICATION.list} FROM notifications WHERE id = ?`, [id]);
    return row ? NOTIFICATION.row(row) : undefined;
  }

  /** Newest first. */
  list(filter: { status?: NotificationStatus; notificationId?: string; limit?: number } = {}): NotificationRow[] {
    const page = newestFirst(
      [
        ['status', filter.status],
        ['notification_id', filter.notificationId],
      ],
      filter,
    );
    return this.store.all(`SELECT ${NOTIFICATION.list} FROM notifications ${page.clause}`, page.params).map(NOTIFICATION.row);
  }

  /** How many deliveries are in each status (for /metrics). */
  countByStatus(): Record<NotificationStatus, number> {
    const counts: Record<NotificationStatus, number> = { pending: 0, sent: 0, failed: 0 };
    for (const row of this.store.all('SELECT status, COUNT(*) AS n FROM notifications GROUP BY status')) {
      if (typeof row.status === 'string' && row.status in counts) counts[row.status as NotificationStatus] = Number(row.n);
    }
    return counts;
  }

  /** Deliveries still to be made, oldest first. */
  pending(limit = 100): NotificationRow[] {
    return this.store
      .all(`SELECT ${NOTIFICATION.list} FROM notifications WHERE status = 'pending' ORDER BY id LIMIT ?`, [clampLimit(limit, 100, 10_000)])
      .map(NOTIFICATION.row);
  }

  enqueue(input: NotificationInput): Promise<NotificationRow> {
    return this.store.write((tx) => {
      const at = input.at ?? nowIso();
      const draft = NotificationRow.omit({ id: true }).parse({
        notificationId: input.notificationId ?? randomUUID(),
        channel: input.channel,
        kind: input.kind ?? null,
        title: input.title,
        body: input.body,
        status: 'pending',
        attempts: 0,
        lastError: null,
        httpStatus: null,
        host: input.host ?? null,
        paneId: input.paneId ?? null,
        pipeline: input.pipeline ?? null,
        stage: input.stage ?? null,
        createdAt: at,
        updatedAt: at,
        sentAt: null,
        payload: input.payload ?? null,
      });
      const { lastInsertRowid } = tx.run(NEW_NOTIFICATION.insert('notifications'), NEW_NOTIFICATION.values(draft));
      const row: NotificationRow = { id: lastInsertRowid, ...draft };
      tx.changed({ table: 'notifications', op: 'insert', key: { id: row.id }, row });
      return row;
    });
  }

  /** Counts one delivery attempt: `sent` on success, `failed` when given up, else still `pending`. */
  recordAttempt(id: number, result: AttemptResult): Promise<NotificationRow> {
    return this.store.write((tx) => {
      const at = result.at ?? nowIso();
      const status: NotificationStatus = result.ok ? 'sent' : result.giveUp ? 'failed' : 'pending';
      const { changes } = tx.run(
        `UPDATE notifications SET attempts = attempts + 1, status = ?, last_error = ?, http_status = ?, updated_at = ?,
           sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
         WHERE id = ?`,
        [status, result.ok ? null : (result.error ?? 'failed'), result.httpStatus ?? null, at, status, at, id],
      );
      if (changes === 0) throw new Error(`no notification ${id}`);
      const row = NOTIFICATION.row(tx.get(`SELECT ${NOTIFICATION.list} FROM notifications WHERE id = ?`, [id])!);
      tx.changed({ table: 'notifications', op: 'update', key: { id }, row });
      return row;
    });
  }
}
