import { Execution, ExecutionStatus, type ExecutionFilter } from '../../../schemas/index.ts';
import type { CliOutputChunk } from '../../../schemas/index.ts';
import type { StoreCore, WriteTx } from '../tx.ts';
import type { SqlParam, SqlRow } from '../types.ts';
import { clampLimit, Columns, int, nullableInt, nullableText, text } from './rows.ts';

/** What the service keeps beside the API shape (never shown as is). */
export interface ExecutionExtra {
  /** The queue the item belongs to, for `?queueId=`. */
  readonly queueId?: string | null;
  /** Wrapper files, timeout, resume details: the service's own bookkeeping (JSON). */
  readonly data?: Record<string, unknown> | null;
}

export interface StoredExecution {
  readonly execution: Execution;
  readonly queueId: string | null;
  readonly data: Record<string, unknown>;
}

/** The service's bookkeeping: a JSON object; anything else reads as empty. */
function dataObject(value: unknown): Record<string, unknown> {
  try {
    const parsed: unknown = value ? JSON.parse(String(value)) : {};
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const EXECUTION = new Columns({
  executionId: text,
  sessionKey: nullableText,
  issueId: nullableText,
  queueId: nullableText,
  queueItemId: nullableText,
  flowRunId: nullableText,
  tool: text,
  prompt: text,
  command: text,
  status: text,
  exitCode: nullableInt,
  completion: nullableText,
  startedAt: text,
  endedAt: nullableText,
  offsetStart: nullableInt,
  offsetEnd: nullableInt,
  outputTail: nullableText,
  nativeSessionId: nullableText,
  data: { read: dataObject, write: (data: Record<string, unknown> | null) => (data ? JSON.stringify(data) : null) },
});
const COLUMNS = EXECUTION.list;
const UPSERT = EXECUTION.insert('executions', ['execution_id']);

function fromSql(row: SqlRow): StoredExecution {
  const { queueId, data, ...fields } = EXECUTION.read(row);
  return { execution: Execution.parse(fields), queueId, data };
}

/** `executions`: every execution, in a session or stateless, with its end as it was known. */
export class ExecutionRepository {
  constructor(private readonly store: StoreCore) {}

  get(executionId: string): StoredExecution | undefined {
    const row = this.store.get(`SELECT ${COLUMNS} FROM executions WHERE execution_id = ?`, [executionId]);
    return row ? fromSql(row) : undefined;
  }

  /** Newest first. */
  list(filter: ExecutionFilter = {}): StoredExecution[] {
    const where: string[] = [];
    const params: SqlParam[] = [];
    const eq = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    eq('session_key', filter.sessionKey);
    eq('issue_id', filter.issueId);
    eq('queue_id', filter.queueId);
    eq('queue_item_id', filter.queueItemId);
    eq('flow_run_id', filter.flowRunId);
    eq('status', filter.status);
    if (filter.kind === 'session') where.push('session_key IS NOT NULL');
    if (filter.kind === 'stateless') where.push('session_key IS NULL');
    const limit = clampLimit(filter.limit, 500, 1000);
    const sql = `SELECT ${COLUMNS} FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, execution_id DESC LIMIT ${limit}`;
    return this.store.all(sql, params).map(fromSql);
  }

  running(): StoredExecution[] {
    return this.store.all(`SELECT ${COLUMNS} FROM executions WHERE status = 'running' ORDER BY started_at`).map(fromSql);
  }

  /** Inserts or replaces the row; resolves once durable. */
  put(execution: Execution, extra: ExecutionExtra = {}): Promise<void> {
    return this.store.write((tx) => this.save(tx, Execution.parse(execution), extra));
  }

  private save(tx: WriteTx, e: Execution, extra: ExecutionExtra): void {
    const existed = tx.get('SELECT 1 AS x FROM executions WHERE execution_id = ?', [e.executionId]) !== undefined;
    tx.run(UPSERT, EXECUTION.values({ ...e, queueId: extra.queueId ?? null, data: extra.data ?? null }));
    tx.changed({ table: 'executions', op: existed ? 'update' : 'insert', key: { executionId: e.executionId }, row: e });
  }

  count(): number {
    return int(this.store.get('SELECT COUNT(*) AS n FROM executions')?.n);
  }

  /** How many executions the store holds in each status (every status present, 0 when none). */
  countByStatus(): Record<ExecutionStatus, number> {
    const counts = Object.fromEntries(ExecutionStatus.options.map((s) => [s, 0])) as Record<ExecutionStatus, number>;
    for (const row of this.store.all('SELECT status, COUNT(*) AS n FROM executions GROUP BY status')) {
      if (typeof row.status === 'string' && row.status in counts) counts[row.status as ExecutionStatus] = Number(row.n);
    }
    return counts;
  }
}

/** `cli_output`: the stdout/stderr chunks of stateless runs, kept for replay. */
export class CliOutputRepository {
  constructor(private readonly store: StoreCore) {}

  append(chunks: readonly CliOutputChunk[]): Promise<void> {
    if (chunks.length === 0) return Promise.resolve();
    return this.store.write((tx) => {
      for (const c of chunks) {
        tx.run('INSERT OR REPLACE INTO cli_output (execution_id, seq, stream, data, at) VALUES (?, ?, ?, ?, ?)', [c.executionId, c.seq, c.stream, c.data, c.at]);
      }
    });
  }

  list(executionId: string): CliOutputChunk[] {
    return this.store
      .all('SELECT execution_id, seq, stream, data, at FROM cli_output WHERE execution_id = ? ORDER BY seq', [executionId])
      .map((row) => ({ executionId: text(row.execution_id), seq: int(row.seq), stream: text(row.stream) === 'stderr' ? 'stderr' : 'stdout', data: text(row.data), at: text(row.at) }));
  }
}
