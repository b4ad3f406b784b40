import { PaneOffsetRow, StageStateRow } from '../../../schemas/index.ts';
import type { JsonObject, StageStatus } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import { Columns, int, jsonObject, nowSeconds, text, where } from './rows.ts';

const OFFSET = new Columns({ host: text, paneId: text, offset: { column: '"offset"', read: int }, updatedAt: int }, PaneOffsetRow);

/** `pane_offsets` (tmuxagent's table): how far the watcher has read each pane. */
export class PaneOffsetRepository {
  constructor(private readonly store: StoreCore) {}

  get(host: string, paneId: string): PaneOffsetRow | undefined {
    const row = this.store.get(`SELECT ${OFFSET.list} FROM pane_offsets WHERE host = ? AND pane_id = ?`, [host, paneId]);
    return row ? OFFSET.row(row) : undefined;
  }

  /** The stored offset, 0 for a pane never read (tmuxagent's rule). */
  offset(host: string, paneId: string): number {
    return this.get(host, paneId)?.offset ?? 0;
  }

  list(host?: string): PaneOffsetRow[] {
    const filter = where([['host', host]]);
    return this.store
      .all(`SELECT ${OFFSET.list} FROM pane_offsets ${filter.clause} ORDER BY host, pane_id`, filter.params)
      .map(OFFSET.row);
  }

  /** `updatedAt` in unix seconds (default now). */
  set(host: string, paneId: string, offset: number, updatedAt = nowSeconds()): Promise<PaneOffsetRow> {
    return this.store.write((tx) => {
      const row = PaneOffsetRow.parse({ host, paneId, offset, updatedAt });
      tx.run(
        OFFSET.insert('pane_offsets', ['host', 'pane_id']),
        OFFSET.values(row),
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

const STAGE = new Columns(
  {
    host: text,
    paneId: text,
    pipeline: text,
    stage: text,
    status: text,
    retries: int,
    data: { read: (value) => jsonObject(value) ?? {}, write: (data: JsonObject) => JSON.stringify(data) },
    updatedAt: int,
  },
  StageStateRow,
);

/** `stage_state` (tmuxagent's table): where each pipeline stage of each pane stands. */
export class StageStateRepository {
  constructor(private readonly store: StoreCore) {}

  get(key: StageKey): StageStateRow | undefined {
    const row = this.store.get(`SELECT ${STAGE.list} FROM stage_state WHERE host = ? AND pane_id = ? AND pipeline = ? AND stage = ?`, [
      key.host,
      key.paneId,
      key.pipeline,
      key.stage,
    ]);
    return row ? STAGE.row(row) : undefined;
  }

  list(filter: { host?: string; paneId?: string; pipeline?: string } = {}): StageStateRow[] {
    const w = where([
      ['host', filter.host],
      ['pane_id', filter.paneId],
      ['pipeline', filter.pipeline],
    ]);
    return this.store.all(`SELECT ${STAGE.list} FROM stage_state ${w.clause} ORDER BY host, pane_id, pipeline, stage`, w.params).map(STAGE.row);
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
        STAGE.insert('stage_state', ['host', 'pane_id', 'pipeline', 'stage']),
        STAGE.values(row),
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
