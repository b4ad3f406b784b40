import { useEffect, useState } from 'preact/hooks';
import type { BridgeEvent, StageHistoryRow, StageStatus } from '../../schemas/index.ts';
import { readStageUpdate } from './agent-guards.ts';
import { paneKey } from './agent-types.ts';
import { isObject } from './guards.ts';
import { useServices } from './index.ts';

/** One stage transition (a `stage_history` row, or a STAGE_UPDATED that changed the status). */
export interface Transition {
  readonly host: string;
  readonly paneId: string;
  readonly stage: string;
  readonly from: StageStatus | null;
  readonly to: StageStatus;
  readonly reason: string | null;
  readonly retries: number;
  readonly at: string;
}

/** Transitions kept per pane (the page shows the last run and the last 20 per stage). */
const PER_PANE = 200;
/** The most the API returns in one answer. */
const MAX = 10_000;

export type PaneHistories = ReadonlyMap<string, readonly Transition[]>;

function fromRow(row: StageHistoryRow): Transition {
  return { host: row.host, paneId: row.paneId, stage: row.stage, from: row.from, to: row.to, reason: row.reason, retries: row.retries, at: row.at };
}

/** The same transition from the table and from the event carry their own timestamps, a moment apart. */
function same(a: Transition, b: Transition): boolean {
  return a.stage === b.stage && a.from === b.from && a.to === b.to && Math.abs(Date.parse(a.at) - Date.parse(b.at)) < 2000;
}

/** Adds transitions to their panes' lists (oldest first, bounded), skipping ones already there. */
function merge(known: PaneHistories, more: readonly Transition[]): PaneHistories {
  const out = new Map(known);
  for (const t of more) {
    const key = paneKey(t.host, t.paneId);
    const list = out.get(key) ?? [];
    if (list.some((k) => same(k, t))) continue;
    out.set(key, [...list, t].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).slice(-PER_PANE));
  }
  return out;
}

function fromEvent(event: BridgeEvent, pipeline: string): Transition | undefined {
  if (event.type !== 'STAGE_UPDATED') return undefined;
  const u = readStageUpdate(event);
  // A data-only update (from = null) is not a transition.
  if (!u || u.pipeline !== pipeline || u.from === null) return undefined;
  return { host: u.host, paneId: u.paneId, stage: u.stage, from: u.from, to: u.status, reason: u.transition ?? u.reason, retries: u.retries, at: u.at };
}

/**
 * The stage transitions of one pipeline, per pane, oldest first: fetched in one
 * request (`GET /api/stage-history?pipeline=`), again after the events socket
 * reconnects, and kept live from STAGE_UPDATED events in between. `undefined`
 * until loaded, or when the server has no history (the table then shows no
 * durations of finished stages).
 */
export function useStageHistory(pipeline: string, panes: number): PaneHistories | undefined {
  const { api, feed } = useServices();
  const [history, setHistory] = useState<PaneHistories | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    let pending: Transition[] | undefined;
    const load = () => {
      pending = [];
      const query = new URLSearchParams({ pipeline, limit: String(Math.min(MAX, PER_PANE * Math.max(1, panes))) });
      api
        .call('GET', `/api/stage-history?${query}`)
        .then((body) => {
          if (!alive) return;
          const rows = isObject(body) && Array.isArray(body.history) ? (body.history as StageHistoryRow[]) : [];
          setHistory(merge(new Map(), [...rows.map(fromRow), ...(pending ?? [])]));
        })
        .catch(() => undefined)
        .finally(() => (pending = undefined));
    };
    load();
    const events = feed.onEvent((event) => {
      const t = fromEvent(event, pipeline);
      if (!t) return;
      pending?.push(t);
      setHistory((known) => (known ? merge(known, [t]) : known));
    });
    const reconnect = feed.onOpen(load);
    return () => {
      alive = false;
      events.dispose();
      reconnect.dispose();
    };
    // A pane joining does not refetch: its transitions arrive as events.
  }, [pipeline]);
  return history;
}

export interface StageTiming {
  /** When the current (or last) run started. */
  readonly startedAt: string | undefined;
  /** When it ended; undefined while it runs. */
  readonly endedAt: string | undefined;
}

/** The last run of a stage: from its last entry into RUNNING to the transition out of it. */
export function lastRun(history: readonly Transition[], stage: string): StageTiming {
  let start = -1;
  for (let i = history.length - 1; i >= 0; i--) {
    const t = history[i]!;
    // A retry is RUNNING → RUNNING: the run (with its retries) began at the first entry into RUNNING.
    if (t.stage === stage && t.to === 'RUNNING' && t.from !== 'RUNNING') {
      start = i;
      break;
    }
  }
  if (start < 0) return { startedAt: undefined, endedAt: undefined };
  const end = history.slice(start + 1).find((t) => t.stage === stage && t.to !== 'RUNNING');
  return { startedAt: history[start]!.at, endedAt: end?.at };
}
