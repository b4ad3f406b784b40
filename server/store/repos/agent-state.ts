import { PaneOffsetRow, StageStateRow } from '../../../schemas/index.ts';
import type { JsonObject, StageStatus } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import type { SqlRow } from '../types.ts';
import { int, jsonObject, nowSeconds, text, where } from './rows.ts';

function offsetFromSql(row: SqlRow): PaneOffsetRow {
  return PaneOffsetRow.parse({ host: text(row.host), paneId: text(row.pane_id), offset: int(row.offset), updatedAt: int(row.updated_at) });
}

/** `pane_offsets` (tmuxagent's table): how far the watcher has read each pane. */
export class PaneOffsetRepository {
  constructor(private readonly store: StoreCore) {}

  get(host: string, paneId: string): PaneOffsetRow | undefined {
    const row = this.store.get('SELECT host, pane_id, "offset", updated_at FROM pane_offsets WHERE host = ? AND pane_id = ?', [host, paneId]);
    return row ? offsetFromSql(row) : undefined;
  }

  /** The stored offset, 0 for a pane never read (tmuxagent's rule). */
  offset(host: string, paneId: string): number {
    return this.get(host, paneId)?.offset ?? 0;
  }

  list(host?: string): PaneOffsetRow[] {
    const filter = where([['host', host]]);
    return this.store
      .all(`SELECT host, pane_id, "offset", updated_at FROM pane_offsets ${filter.clause} ORDER BY host, pane_id`, filter.params)
      .map(offsetFromSql);
  }

  /** `updatedAt` in unix seconds (default now). */
  set(host: string, paneId: string, offset: number, updatedAt = nowSeconds()): Promise<PaneOffsetRow> {
    return this.store.write((tx) => {
      const row = PaneOffsetRow.parse({ host, paneId, offset, updatedAt });
      tx.run(
        `INSERT INTO pane_offsets (host, pane_id, "offset", updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(host, pane_id) DO UPDATE SET "offset" = excluded."offset", updated_at = excluded.updated_at`,
        [row.host, row.paneId, row.offset, row.updatedAt],
      );
      tx.changed({ table: 'pane_offsets', op: 'upsert', key: { host, paneId }, row });
      return row;
    });
  }

  delete(host: string, paneId: string): Promise<boolean> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM pane_offsets WHERE host = ? AND pane_id = ?', [host, paneId]);
      if (changes > 0) tx.changed({ table: 'pane_offsets', op: 'delete', key: { host, paneId } });
      return changes > 0;
    });
  }
}

export interface StageKey {
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
}

export interface StageStateInput extends StageKey {
  readonly status: StageStatus;
  readonly retries?: number;
  readonly data?: JsonObject;
  /** Unix seconds (default now). */
  readonly updatedAt?: number;
}

const STAGE_COLUMNS = 'host, pane_id, pipeline, stage, status, retries, data, updated_at';

function stageFromSql(row: SqlRow): StageStateRow {
  return StageStateRow.parse({
    host: text(row.host),
    paneId: text(row.pane_id),
    pipeline: text(row.pipeline),
    stage: text(row.stage),
    status: text(row.status),
    retries: int(row.retries),
    data: jsonObject(row.data) ?? {},
    updatedAt: int(row.updated_at),
  });
}

/** `stage_state` (tmuxagent's table): where each pipeline stage of each pane stands. */
export class StageStateRepository {
  constructor(private readonly store: StoreCore) {}

  get(key: StageKey): StageStateRow | undefined {
    const row = this.store.get(`SELECT ${STAGE_COLUMNS} FROM stage_state WHERE host = ? AND pane_id = ? AND pipeline = ? AND stage = ?`, [
      key.host,
      key.paneId,
      key.pipeline,
      key.stage,
    ]);
    return row ? stageFromSql(row) : undefined;
  }

  list(filter: { host?: string; paneId?: string; pipeline?: string } = {}): StageStateRow[] {
    const w = where([
      ['host', filter.host],
      ['pane_id', filter.paneId],
      ['pipeline', filter.pipeline],
    ]);
    return this.store.all(`SELECT ${STAGE_COLUMNS} FROM stage_state ${w.clause} ORDER BY host, pane_id, pipeline, stage`, w.params).map(stageFromSql);
  }

  upsert(input: StageStateInput): Promise<StageStateRow> {
    return this.store.write((tx) => {
      const row = StageStateRow.parse({
        host: input.host,
        paneId: input.paneId,
        pipeline: input.pipeline,
        stage: input.stage,
        status: input.status,
        retries: input.retries ?? 0,
        data: input.data ?? {},
        updatedAt: input.updatedAt ?? nowSeconds(),
      });
      tx.run(
        `INSERT INTO stage_state (${STAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(host, pane_id, pipeline, stage) DO UPDATE SET
           status = excluded.status, retries = excluded.retries, data = excluded.data, updated_at = excluded.updated_at`,
        [row.host, row.paneId, row.pipeline, row.stage, row.status, row.retries, JSON.stringify(row.data), row.updatedAt],
      );
      const { host, paneId, pipeline, stage } = row;
      tx.changed({ table: 'stage_state', op: 'upsert', key: { host, paneId, pipeline, stage }, row });
      return row;
    });
  }

  delete(key: StageKey): Promise<boolean> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM stage_state WHERE host = ? AND pane_id = ? AND pipeline = ? AND stage = ?', [
        key.host,
        key.paneId,
        key.pipeline,
        key.stage,
      ]);
      if (changes > 0) tx.changed({ table: 'stage_state', op: 'delete', key: { ...key } });
      return changes > 0;
    });
  }

  /** Forgets every stage of every pipeline on a pane (a new pane got its id); resolves with the count. */
  resetPane(host: string, paneId: string): Promise<number> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM stage_state WHERE host = ? AND pane_id = ?', [host, paneId]);
      if (changes > 0) tx.changed({ table: 'stage_state', op: 'delete', key: { host, paneId } });
      return changes;
    });
  }

  /** Forgets every stage of a pipeline on a pane (tmuxagent's reset_pipeline); resolves with the count. */
  resetPipeline(host: string, paneId: string, pipeline: string): Promise<number> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM stage_state WHERE host = ? AND pane_id = ? AND pipeline = ?', [host, paneId, pipeline]);
      if (changes > 0) tx.changed({ table: 'stage_state', op: 'delete', key: { host, paneId, pipeline } });
      return changes;
    });
  }
}
