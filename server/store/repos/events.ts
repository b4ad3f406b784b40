import { EVENT_SUBJECT_PATHS, EventEnvelope, EventRow } from '../../../schemas/index.ts';
import type { BridgeEvent, EventListQuery, EventType, UncheckedEvent } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import type { SqlParam, SqlRow } from '../types.ts';
import { clampLimit, int, jsonObject, text } from './rows.ts';
import { DEFAULT_RETENTION, Pruner, type Retention } from './retention.ts';

export type StoredEvent = BridgeEvent & { id: number };

/** `limit`: at most this many (default 100, at most 10,000). */
export type EventQuery = EventListQuery;

/**
 * The event's host or pipeline in SQL: the first of its EVENT_SUBJECT_PATHS that
 * holds a value (json_extract, built into sql.js's SQLite). The paths are ours,
 * never input, so they may go into the SQL text.
 */
function subjectSql(key: 'host' | 'pipeline'): string {
  return `coalesce(${EVENT_SUBJECT_PATHS[key].map((path) => `json_extract(payload, '$.${path}')`).join(', ')})`;
}
const HOST_SQL = subjectSql('host');
const PIPELINE_SQL = subjectSql('pipeline');

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
    const event = EventEnvelope.safeParse({ ...stored.payload, type: stored.type, at: stored.at, id: stored.id });
    if (!event.success) {
      // A type this build does not know (written by a newer one): skip it, say so once.
      if (!this.warnedBadRow) this.store.log.warn(`skipping stored event ${stored.id} of unknown shape (type ${stored.type})`);
      this.warnedBadRow = true;
      return undefined;
    }
    return event.data as StoredEvent;
  }

  /** Stores the event; resolves with it and its id once durable. */
  append(event: UncheckedEvent): Promise<StoredEvent> {
    const promise = this.store.write((tx) => {
      const parsed = EventEnvelope.parse(event);
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

  /**
   * Events after `since`, oldest first; with `before`, the ones below it, newest
   * first. Type, host, pipeline and time filters apply in SQL, so a page is full
   * whenever that many events match.
   */
  list(query: EventQuery = {}): StoredEvent[] {
    const { sql, params } = this.select(query);
    return this.store.all(sql, params).flatMap((row) => this.toEvent(row) ?? []);
  }

  /** SQLite's plan for `list(query)`, one step a line: shows whether the host/pipeline indexes (migration 4) are used. */
  queryPlan(query: EventQuery): string[] {
    const { sql, params } = this.select(query);
    return this.store.all(`EXPLAIN QUERY PLAN ${sql}`, params).map((row) => text(row.detail));
  }

  private select(query: EventQuery): { sql: string; params: SqlParam[] } {
    const conditions = ['id > ?'];
    const params: SqlParam[] = [query.since ?? 0];
    const add = (condition: string, value: SqlParam | undefined) => {
      if (value === undefined) return;
      conditions.push(condition);
      params.push(value);
    };
    add('id < ?', query.before);
    add('type = ?', query.type);
    add('at >= ?', query.from);
    add('at <= ?', query.to);
    add(`${HOST_SQL} = ?`, query.host);
    add(`${PIPELINE_SQL} = ?`, query.pipeline);
    const order = query.before === undefined ? 'ASC' : 'DESC';
    params.push(clampLimit(query.limit, 100, 10_000));
    return { sql: `SELECT id, type, at, payload FROM events WHERE ${conditions.join(' AND ')} ORDER BY id ${order} LIMIT ?`, params };
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
