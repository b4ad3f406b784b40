import { AuditRow } from '../../../schemas/index.ts';
import type { AuditSource } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import { Columns, int, newestFirst, nowIso, nullableText, text } from './rows.ts';
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

const AUDIT = new Columns({ id: int, at: text, sessionKey: text, bytes: int, preview: text, client: nullableText, source: text }, AuditRow);
const NEW_AUDIT = AUDIT.without('id');

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
      const { lastInsertRowid } = tx.run(NEW_AUDIT.insert('audit_log'), NEW_AUDIT.values(draft));
      const row: AuditRow = { id: lastInsertRowid, ...draft };
      tx.changed({ table: 'audit_log', op: 'insert', key: { id: row.id }, row });
      return row;
    });
  }

  /** Newest first; `beforeId` pages further back. */
  list(filter: { sessionKey?: string; beforeId?: number; limit?: number } = {}): AuditRow[] {
    const page = newestFirst([['session_key', filter.sessionKey]], filter);
    return this.store.all(`SELECT ${AUDIT.list} FROM audit_log ${page.clause}`, page.params).map(AUDIT.row);
  }

  prune(now = Date.now()): Promise<number> {
    return this.pruner.prune(now);
  }
}
