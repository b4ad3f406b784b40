import { BridgeEvent, EventRow } from '../../../schemas/index.ts';
import type { EventType } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import type { SqlParam, SqlRow } from '../types.ts';
import { clampLimit, int, jsonObject, text } from './rows.ts';
import { DEFAULT_RETENTION, Pruner, type Retention } from './retention.ts';

export type StoredEvent = BridgeEvent & { id: number };

export interface EventQuery {
  /** Only events with an id above this one (default 0: from the oldest kept). */
  readonly since?: number;
  /** At most this many (default 100, at most 10,000). */
  readonly limit?: number;
  readonly type?: EventType;
}

/**
 * `events`: everything sent on `/ws/events`, kept for `GET /api/events`. Ids
 * are the store's (monotonic, never reused). Old rows go by age and count.
 * Fits the EventBus's EventSink.
 */
export class EventRepository {
  private readonly pruner: Pruner;
  private approxCount: number | undefined;
  private warnedBadRow = false;

  constructor(
    private readonly store: StoreCore,
    retention: Retention = DEFAULT_RETENTION.events,
  ) {
    this.pruner = new Pruner(store, 'events', retention);
  }

  private toEvent(row: SqlRow): StoredEvent | undefined {
    const stored = EventRow.parse({ id: int(row.id), type: text(row.type), at: text(row.at), payload: jsonObject(row.payload) ?? {} });
    const event = BridgeEvent.safeParse({ ...stored.payload, type: stored.type, at: stored.at, id: stored.id });
    if (!event.success) {
      // A type this build does not know (written by a newer one): skip it, say so once.
      if (!this.warnedBadRow) this.store.log.warn(`skipping stored event ${stored.id} of unknown shape (type ${stored.type})`);
      this.warnedBadRow = true;
      return undefined;
    }
    return event.data as StoredEvent;
  }

  /** Stores the event; resolves with it and its id once durable. */
  append(event: BridgeEvent): Promise<StoredEvent> {
    const promise = this.store.write((tx) => {
      const parsed = BridgeEvent.parse(event);
      const { type, at, id: _ignored, ...payload } = parsed;
      const { lastInsertRowid } = tx.run('INSERT INTO events (type, at, payload) VALUES (?, ?, ?)', [type, at, JSON.stringify(payload)]);
      const stored = { ...payload, type, at, id: lastInsertRowid } as StoredEvent;
      tx.changed({ table: 'events', op: 'insert', key: { id: lastInsertRowid }, row: stored });
      return stored;
    });
    if (this.approxCount !== undefined) this.approxCount++;
    this.pruneIfFull();
    return promise;
  }

  /** Events after `since`, oldest first. */
  list(query: EventQuery = {}): StoredEvent[] {
    const params: SqlParam[] = [query.since ?? 0];
    let sql = 'SELECT id, type, at, payload FROM events WHERE id > ?';
    if (query.type !== undefined) {
      sql += ' AND type = ?';
      params.push(query.type);
    }
    sql += ' ORDER BY id LIMIT ?';
    params.push(clampLimit(query.limit, 100, 10_000));
    return this.store.all(sql, params).flatMap((row) => this.toEvent(row) ?? []);
  }

  /** The newest `limit` events, oldest first. */
  latest(limit = 100, type?: EventType): StoredEvent[] {
    const n = clampLimit(limit, 100, 10_000);
    const rows =
      type === undefined
        ? this.store.all('SELECT id, type, at, payload FROM events ORDER BY id DESC LIMIT ?', [n])
        : this.store.all('SELECT id, type, at, payload FROM events WHERE type = ? ORDER BY id DESC LIMIT ?', [type, n]);
    return rows.reverse().flatMap((row) => this.toEvent(row) ?? []);
  }

  get(id: number): StoredEvent | undefined {
    const row = this.store.get('SELECT id, type, at, payload FROM events WHERE id = ?', [id]);
    return row ? this.toEvent(row) : undefined;
  }

  /** Highest id stored so far (0 when empty). */
  lastId(): number {
    return int(this.store.get('SELECT MAX(id) AS id FROM events')?.id);
  }

  count(): number {
    const n = int(this.store.get('SELECT COUNT(*) AS n FROM events')?.n);
    this.approxCount = n;
    return n;
  }

  /** Deletes what retention no longer keeps; resolves with the number of rows deleted. */
  async prune(now = Date.now()): Promise<number> {
    const deleted = await this.pruner.prune(now);
    this.approxCount = undefined;
    return deleted;
  }

  /** Keeps the table near its maximum between the periodic prunes, even in a burst. */
  private pruneIfFull(): void {
    const max = this.pruner.retention.maxCount;
    if (max === undefined || this.pruner.busy) return;
    this.approxCount ??= this.count();
    if (this.approxCount > max + Math.max(100, Math.floor(max / 10))) {
      this.approxCount = undefined;
      // Later, not now: this append may be inside a transaction the prune must not join.
      setImmediate(() => this.prune().catch((error: Error) => this.store.log.warn(`pruning events failed: ${error.message}`)));
    }
  }
}
