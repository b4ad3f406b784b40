import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { StageStatus } from '../../schemas/index.ts';
import { loadSqlJs, SqlDb } from './sqljs.ts';
import type { Store } from './store.ts';
import type { SqlRow } from './types.ts';
import { errorMessage } from '../../base/errors.ts';

export interface ImportCounts {
  readonly paneOffsets: number;
  readonly stageState: number;
  readonly approvalTokens: number;
  /** Rows that could not be read (bad status, missing key…), with why. */
  readonly skipped: readonly string[];
  /** Tables the file does not have (an older or partial tmuxagent database). */
  readonly missingTables: readonly string[];
}

/** Rows per journaled transaction: one huge import must not stall the event loop in one piece. */
const CHUNK = 2000;

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}

function str(row: SqlRow, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function num(row: SqlRow, column: string): number | undefined {
  const value = typeof row[column] === 'string' ? Number(row[column]) : row[column];
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}

/** tmuxagent stores `data` as JSON text; anything unreadable is kept under `raw`. */
function stageData(value: unknown): Record<string, unknown> {
  if (typeof value !== 'string' || value === '') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { raw: value };
  }
}

async function inChunks<T>(rows: readonly T[], each: (row: T) => Promise<unknown>, store: Store): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    await store.transaction(() => {
      for (const row of chunk) void each(row);
    });
  }
}

/**
 * Imports a tmuxagent `state.db` (a real SQLite file, read with sql.js without
 * changing it): pane offsets, stage state and approval tokens are upserted, the
 * imported row winning over a stored one with the same key. Missing tables are
 * reported, not fatal. The server must be stopped (the store holds the lock).
 */
export async function importTmuxagent(store: Store, sqlitePath: string): Promise<ImportCounts> {
  const path = resolve(expandHome(sqlitePath));
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read tmuxagent database ${path}: ${errorMessage(error)}`);
  }
  if (!bytes.subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1'))) {
    throw new Error(`${path} is not a SQLite database (tmuxagent keeps its state in ~/.tmux_agent/state.db)`);
  }
  const SQL = await loadSqlJs();
  const source = new SqlDb(new SQL.Database(bytes));
  const skipped: string[] = [];
  const missingTables: string[] = [];
  const read = (table: string, columns: string): SqlRow[] => {
    if (!source.tableExists(table)) {
      missingTables.push(table);
      return [];
    }
    return source.all(`SELECT ${columns} FROM ${table}`);
  };
  try {
    const offsets = read('pane_offsets', '*').flatMap((row) => {
      const host = str(row, 'host');
      const paneId = str(row, 'pane_id');
      const offset = num(row, 'offset');
      if (!host || !paneId || offset === undefined || offset < 0) return skipped.push(`pane_offsets row ${JSON.stringify(row)}`), [];
      return [{ host, paneId, offset, updatedAt: Math.max(0, num(row, 'updated_at') ?? 0) }];
    });
    const stages = read('stage_state', '*').flatMap((row) => {
      const [host, paneId, pipeline, stage] = [str(row, 'host'), str(row, 'pane_id'), str(row, 'pipeline'), str(row, 'stage')];
      const status = StageStatus.safeParse(row.status);
      if (!host || !paneId || !pipeline || !stage || !status.success) return skipped.push(`stage_state row ${JSON.stringify(row)}`), [];
      return [
        {
          host,
          paneId,
          pipeline,
          stage,
          status: status.data,
          retries: Math.max(0, num(row, 'retries') ?? 0),
          data: stageData(row.data),
          updatedAt: Math.max(0, num(row, 'updated_at') ?? 0),
        },
      ];
    });
    const tokens = read('approval_tokens', '*').flatMap((row) => {
      const [host, paneId, stage, token] = [str(row, 'host'), str(row, 'pane_id'), str(row, 'stage'), str(row, 'token')];
      const expiresAt = num(row, 'expires_at');
      if (!host || !paneId || !stage || !token || expiresAt === undefined || expiresAt < 0) {
        return skipped.push(`approval_tokens row ${JSON.stringify({ ...row, token: '…' })}`), [];
      }
      return [{ host, paneId, stage, token, expiresAt }];
    });
    await inChunks(offsets, (o) => store.paneOffsets.set(o.host, o.paneId, o.offset, o.updatedAt), store);
    await inChunks(stages, (s) => store.stageState.upsert(s), store);
    await inChunks(tokens, (t) => store.approvalTokens.upsert(t), store);
    return { paneOffsets: offsets.length, stageState: stages.length, approvalTokens: tokens.length, skipped, missingTables };
  } finally {
    source.close();
  }
}
