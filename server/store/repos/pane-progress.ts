import { PaneProgress } from '../../../schemas/agent.ts';
import type { StoreCore } from '../tx.ts';
import { int, nowSeconds, text } from './rows.ts';

export interface StoredPaneProgress {
  readonly host: string;
  readonly paneId: string;
  readonly progress: PaneProgress;
  /** Unix seconds. */
  readonly updatedAt: number;
}

/**
 * The agent watcher's resume point per pane, in tmuxagent's `pane_offsets` table:
 * `offset` holds the count of lines evaluated, the `data` column (migration 3) the
 * anchor lines. A row without `data` (imported from tmuxagent, whose offsets were
 * character positions) reads as no progress: the pane counts as never seen.
 */
export class PaneProgressRepository {
  constructor(private readonly store: StoreCore) {}

  get(host: string, paneId: string): StoredPaneProgress | undefined {
    const row = this.store.get('SELECT host, pane_id, "offset", data, updated_at FROM pane_offsets WHERE host = ? AND pane_id = ?', [host, paneId]);
    if (!row || row.data === null || row.data === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text(row.data));
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const progress = PaneProgress.safeParse({ ...parsed, count: int(row.offset) });
    if (!progress.success) return undefined;
    return { host: text(row.host), paneId: text(row.pane_id), progress: progress.data, updatedAt: int(row.updated_at) };
  }

  set(host: string, paneId: string, progress: PaneProgress, updatedAt = nowSeconds()): Promise<void> {
    return this.store.write((tx) => {
      const value = PaneProgress.parse(progress);
      tx.run(
        `INSERT INTO pane_offsets (host, pane_id, "offset", data, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(host, pane_id) DO UPDATE SET "offset" = excluded."offset", data = excluded.data, updated_at = excluded.updated_at`,
        [host, paneId, value.count, JSON.stringify(value.server ? { anchor: value.anchor, server: value.server } : { anchor: value.anchor }), updatedAt],
      );
      tx.changed({ table: 'pane_offsets', op: 'upsert', key: { host, paneId } });
    });
  }
}
