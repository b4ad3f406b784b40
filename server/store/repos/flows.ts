import { Flow, FlowInput, FlowNodeState, FlowRun, type FlowRunDetail, type FlowRunStatus } from '../../../schemas/flow.ts';
import type { StoreCore, WriteTx } from '../tx.ts';
import type { SqlRow } from '../types.ts';
import { clampLimit, Columns, int, jsonValue, nullableInt, nullableText, text } from './rows.ts';
import { flowRunReasonFields } from '../../../schemas/flow-reason.ts';

function flowFromSql(row: SqlRow): Flow {
  const body = FlowInput.parse(jsonValue(row.data));
  return Flow.parse({ ...body, id: text(row.id), name: text(row.name), createdAt: text(row.created_at), updatedAt: text(row.updated_at) });
}

const NODE = new Columns({
  runId: text,
  nodeId: text,
  status: text,
  executionId: nullableText,
  output: nullableText,
  sessionKey: nullableText,
  offsetStart: nullableInt,
  prompt: nullableText,
  error: nullableText,
  startedAt: nullableText,
  endedAt: nullableText,
  attempts: int,
});
/** A node's state: the row without its keys. */
const NODE_STATE = NODE.without('runId', 'nodeId');

const RUN_COLUMNS = 'run_id, flow_id, flow_name, status, variables, flow, reason, started_at, updated_at, ended_at';

/** `flows`, `flow_runs`, `flow_run_nodes`: orchestrator flows and their runs (schemas/flow.ts). */
export class FlowRepository {
  constructor(private readonly store: StoreCore) {}

  get(id: string): Flow | undefined {
    const row = this.store.get('SELECT id, name, data, created_at, updated_at FROM flows WHERE id = ?', [id]);
    return row ? flowFromSql(row) : undefined;
  }

  list(): Flow[] {
    return this.store.all('SELECT id, name, data, created_at, updated_at FROM flows ORDER BY updated_at DESC, id').map(flowFromSql);
  }

  /** Inserts or replaces the flow (the caller validated it). */
  put(flow: Flow): Promise<Flow> {
    return this.store.write((tx) => {
      const { id, createdAt, updatedAt, ...body } = Flow.parse(flow);
      tx.run(
        `INSERT INTO flows (id, name, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, data = excluded.data, updated_at = excluded.updated_at`,
        [id, body.name, JSON.stringify(body), createdAt, updatedAt],
      );
      tx.changed({ table: 'flows', op: 'upsert', key: { id }, row: flow });
      return flow;
    });
  }

  delete(id: string): Promise<boolean> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM flows WHERE id = ?', [id]);
      if (changes > 0) tx.changed({ table: 'flows', op: 'delete', key: { id } });
      return changes > 0;
    });
  }

  getRun(runId: string): FlowRunDetail | undefined {
    const row = this.store.get(`SELECT ${RUN_COLUMNS} FROM flow_runs WHERE run_id = ?`, [runId]);
    return row ? this.runFromSql(row) : undefined;
  }

  /** Newest first. */
  listRuns(filter: { flowId?: string; status?: FlowRunStatus; limit?: number } = {}): FlowRunDetail[] {
    const clauses: string[] = [];
    const params: string[] = [];
    if (filter.flowId) (clauses.push('flow_id = ?'), params.push(filter.flowId));
    if (filter.status) (clauses.push('status = ?'), params.push(filter.status));
    const whereSql = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    return this.store
      .all(`SELECT ${RUN_COLUMNS} FROM flow_runs ${whereSql} ORDER BY started_at DESC, run_id DESC LIMIT ?`, [...params, clampLimit(filter.limit, 100, 1000)])
      .map((row) => this.runFromSql(row));
  }

  /** Runs that were going when the server stopped (running or paused). */
  unfinishedRuns(): FlowRunDetail[] {
    return this.store.all(`SELECT ${RUN_COLUMNS} FROM flow_runs WHERE status IN ('running', 'paused') ORDER BY started_at`).map((row) => this.runFromSql(row));
  }

  /** Writes the run and all its node states in one transaction. */
  putRun(run: FlowRunDetail): Promise<FlowRunDetail> {
    return this.store.write((tx) => {
      this.writeRun(tx, run);
      for (const [nodeId, state] of Object.entries(run.nodes)) this.writeNode(tx, run.runId, nodeId, state);
      tx.changed({ table: 'flow_runs', op: 'upsert', key: { runId: run.runId } });
      return run;
    });
  }

  /** Writes the run row and one node's state (the common step: one node changed). */
  putRunNode(run: FlowRunDetail, nodeId: string): Promise<FlowRunDetail> {
    return this.store.write((tx) => {
      this.writeRun(tx, run);
      const state = run.nodes[nodeId];
      if (state) this.writeNode(tx, run.runId, nodeId, state);
      tx.changed({ table: 'flow_run_nodes', op: 'upsert', key: { runId: run.runId, nodeId } });
      return run;
    });
  }

  private writeRun(tx: WriteTx, run: FlowRunDetail): void {
    tx.run(
      `INSERT INTO flow_runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(run_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
         updated_at = excluded.updated_at, ended_at = excluded.ended_at`,
      [run.runId, run.flowId, run.flowName, run.status, JSON.stringify(run.variables), JSON.stringify(run.flow), run.reason, run.startedAt, run.updatedAt, run.endedAt],
    );
  }

  private writeNode(tx: WriteTx, runId: string, nodeId: string, s: FlowNodeState): void {
    tx.run(NODE.insert('flow_run_nodes', ['run_id', 'node_id']), NODE.values({ ...s, runId, nodeId }));
  }

  private runFromSql(row: SqlRow): FlowRunDetail {
    const runId = text(row.run_id);
    const nodes: Record<string, FlowNodeState> = {};
    for (const n of this.store.all(`SELECT ${NODE.list} FROM flow_run_nodes WHERE run_id = ?`, [runId])) nodes[text(n.node_id)] = FlowNodeState.parse(NODE_STATE.read(n));
    const run = FlowRun.parse({
      runId,
      flowId: text(row.flow_id),
      flowName: text(row.flow_name),
      status: text(row.status),
      variables: jsonValue(row.variables) ?? {},
      nodes,
      reason: nullableText(row.reason),
      ...flowRunReasonFields(nullableText(row.reason)),
      startedAt: text(row.started_at),
      updatedAt: text(row.updated_at),
      endedAt: nullableText(row.ended_at),
    });
    return { ...run, flow: Flow.parse(jsonValue(row.flow)) };
  }
}
