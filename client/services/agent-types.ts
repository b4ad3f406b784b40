/*
 * Agent board shapes the client uses. They are the schemas' types (imported as
 * types only: zod itself is never bundled), under the names the pages use.
 */
import type { AgentConfigView, PaneTailPayload, PaneView, StageHistoryRow, StageStatus } from '../../schemas/index.ts';

/** One watched or bridge pane, as `GET /api/panes` lists it. */
export type PaneInfo = PaneView;

/** `PANE_TAIL`: a live-only event, at most one per pane and second. */
export type PaneTail = PaneTailPayload;

/** `GET /api/agent/config`: the running config, secrets redacted. */
export type ConfigView = AgentConfigView;

/** One stored stage transition (a `stage_history` row, or a STAGE_UPDATED that changed the status). */
export type StageTransition = Pick<StageHistoryRow, 'stage' | 'from' | 'to' | 'reason' | 'retries' | 'at'>;

/** Stage counts by status; missing statuses are 0. */
export type Counts = Partial<Record<StageStatus, number>>;

/** A pane is known by its host and tmux pane id together. */
export function paneKey(host: string, paneId: string): string {
  return `${host}\u0000${paneId}`;
}
