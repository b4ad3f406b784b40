import { AuditRow } from '../../../schemas/index.ts';
import type { AuditSource } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import type { SqlParam, SqlRow } from '../types.ts';
import { clampLimit, int, nowIso, nullableText, text } from './rows.ts';
import { DEFAULT_RETENTION, Pruner, type Retention } from './retention.ts';

/** Characters of input kept in the preview: enough to recognise a command, too few to keep a pasted secret. */
export const AUDIT_PREVIEW_CHARS = 40;

const NAMED: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x1b: '\\e', 0x5c: '\\\\' };

/**
 * A printable, bounded preview of input bytes: control characters escaped
 * (`\r`, `\e`, `\x03`), invalid UTF-8 replaced, cut at `max` characters with `…`.
 */
export function auditPreview(data: Uint8Array | string, max = AUDIT_PREVIEW_CHARS): string {
  const textValue = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, max * 4));
  let out = '';
  let count = 0;
  for (const char of textValue) {
    if (count >= max) return `${out}…`;
    const code = char.codePointAt(0)!;
    out += NAMED[code] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char);
    count++;
  }
  return out;
}

export interface AuditInput {
  readonly sessionKey: string;
  /** The input itself: only its size and a short preview are kept. */
  readonly data: Uint8Array | string;
  /** Who sent it: a client id, address or user agent. */
  readonly client?: string | null;
  readonly source: AuditSource;
  readonly at?: string;
}

const COLUMNS = 'id, at, session_key, bytes, preview, client, source';

function fromSql(row: SqlRow): AuditRow {
  return AuditRow.parse({
    id: int(row.id),
    at: text(row.at),
    sessionKey: text(row.session_key),
    bytes: int(row.bytes),
    preview: text(row.preview),
    client: nullableText(row.client),
    source: text(row.source),
  });
}

/** `audit_log`: every input sent to a pane through the API or a WebSocket. */
export class AuditRepository {
  private readonly pruner: Pruner;

  constructor(
    private readonly store: StoreCore,
    retention: Retention = DEFAULT_RETENTION.audit,
  ) {
    this.pruner = new Pruner(store, 'audit_log', retention);
  }

  record(input: AuditInput): Promise<AuditRow> {
    return this.store.write((tx) => {
      const bytes = typeof input.data === 'string' ? Buffer.byteLength(input.data) : input.data.length;
      const draft = AuditRow.omit({ id: true }).parse({
        at: input.at ?? nowIso(),
        sessionKey: input.sessionKey,
        bytes,
        preview: auditPreview(input.data),
        client: input.client ?? null,
        source: input.source,
      });
      const { lastInsertRowid } = tx.run('INSERT INTO audit_log (at, session_key, bytes, preview, client, source) VALUES (?, ?, ?, ?, ?, ?)', [
        draft.at,
        draft.sessionKey,
        draft.bytes,
        draft.preview,
        draft.client,
        draft.source,
      ]);
      const row: AuditRow = { id: lastInsertRowid, ...draft };
      tx.changed({ table: 'audit_log', op: 'insert', key: { id: row.id }, row });
      return row;
    });
  }

  /** Newest first; `beforeId` pages further back. */
  list(filter: { sessionKey?: string; beforeId?: number; limit?: number } = {}): AuditRow[] {
    const conditions: string[] = [];
    const params: SqlParam[] = [];
    if (filter.sessionKey !== undefined) {
      conditions.push('session_key = ?');
      params.push(filter.sessionKey);
    }
    if (filter.beforeId !== undefined) {
      conditions.push('id < ?');
      params.push(filter.beforeId);
    }
    const clause = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    params.push(clampLimit(filter.limit, 100, 10_000));
    return this.store.all(`SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY id DESC LIMIT ?`, params).map(fromSql);
  }

  prune(now = Date.now()): Promise<number> {
    return this.pruner.prune(now);
  }
}
