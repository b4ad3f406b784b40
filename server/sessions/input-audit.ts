import type { AuditSource } from '../../schemas/index.ts';
import { toDisposable, type IDisposable } from '../../base/lifecycle.ts';

/** Where an input came from: the API, a terminal WebSocket, the agent engine, an execution… */
export interface InputOrigin {
  readonly source: AuditSource;
  /** Who: the peer address and user agent, shortened. */
  readonly client: string | null;
}

export interface AuditRecord {
  readonly sessionKey: string;
  readonly data: Uint8Array | string;
  readonly client: string | null;
  readonly source: AuditSource;
}

/** Where audit rows go (the store's `audit_log` in production). */
export interface AuditSink {
  record(input: AuditRecord): Promise<unknown>;
}

/** Keystrokes from one client to one session within this window become one row. */
const COALESCE_MS = 1000;
/** Bigger inputs (pastes, API sends) are a row of their own at once. */
const COALESCE_MAX_BYTES = 256;

interface Pending {
  readonly key: string;
  readonly record: Omit<AuditRecord, 'data'>;
  chunks: Uint8Array[];
  bytes: number;
  timer: NodeJS.Timeout;
}

/**
 * Records every input sent to a pane in the audit log without slowing input
 * down: writes are not awaited by the input path, and typing is coalesced per
 * client and session so that a keystroke is not a journal write of its own.
 */
export class InputAuditor implements IDisposable {
  private readonly pending = new Map<string, Pending>();
  private readonly flushAll = toDisposable(() => {
    for (const key of [...this.pending.keys()]) this.flush(key);
  });

  constructor(
    private readonly sink: AuditSink,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Input other than WebSocket typing (API, agent, executions) is recorded at
   * once and the promise resolves when the row is durable (the API
   * acknowledges only after that); WebSocket typing is coalesced and never
   * waited for.
   */
  record(sessionKey: string, data: Uint8Array | string, origin: InputOrigin): Promise<void> | undefined {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const record = { sessionKey, client: origin.client, source: origin.source };
    if (origin.source !== 'ws') return this.sink.record({ ...record, data: bytes }).then(() => undefined);
    if (bytes.length > COALESCE_MAX_BYTES) {
      this.write({ ...record, data: bytes });
      return undefined;
    }
    const key = `${sessionKey}\u0000${origin.client ?? ''}`;
    let entry = this.pending.get(key);
    if (!entry) {
      const timer = setTimeout(() => this.flush(key), COALESCE_MS);
      timer.unref?.();
      entry = { key, record, chunks: [], bytes: 0, timer };
      this.pending.set(key, entry);
    }
    entry.chunks.push(bytes);
    entry.bytes += bytes.length;
    if (entry.bytes > COALESCE_MAX_BYTES * 4) this.flush(key);
    return undefined;
  }

  private flush(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.pending.delete(key);
    clearTimeout(entry.timer);
    this.write({ ...entry.record, data: Buffer.concat(entry.chunks) });
  }

  private write(record: AuditRecord): void {
    this.sink.record(record).catch(this.onError);
  }

  dispose(): void {
    this.flushAll.dispose();
  }
}
