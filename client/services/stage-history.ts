import { useEffect, useState } from 'preact/hooks';
import type { BridgeEvent } from '../../schemas/index.ts';
import { readStageUpdate } from './event-readers.ts';
import type { StageTransition } from './agent-types.ts';
import { ApiError } from './api.ts';
import { useServices } from './index.ts';

/** Transitions shown per stage. */
const SHOWN = 20;

/** The same transition from the table and from the event carry their own timestamps, a moment apart. */
function same(a: StageTransition, b: StageTransition): boolean {
  return a.from === b.from && a.to === b.to && a.retries === b.retries && Math.abs(Date.parse(a.at) - Date.parse(b.at)) < 2000;
}

/** Newest first, without repeats, at most SHOWN. */
function merge(known: readonly StageTransition[], more: readonly StageTransition[]): StageTransition[] {
  const out = [...known];
  for (const t of more) if (!out.some((k) => same(k, t))) out.push(t);
  return out.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, SHOWN);
}

interface StageKey {
  readonly pipeline: string;
  readonly host: string;
  readonly paneId: string;
  readonly stage: string;
}

function fromEvent(event: BridgeEvent, key: StageKey): StageTransition | undefined {
  if (event.type !== 'STAGE_UPDATED') return undefined;
  const u = readStageUpdate(event);
  // A data-only update (from = null) is not a transition.
  if (!u || u.from === null || u.pipeline !== key.pipeline || u.host !== key.host || u.paneId !== key.paneId || u.stage !== key.stage) return undefined;
  return { stage: u.stage, from: u.from, to: u.status, reason: u.transition ?? u.reason, retries: u.retries, at: u.at };
}

export interface StageTransitions {
  /** Newest first; undefined until loaded. */
  readonly transitions: readonly StageTransition[] | undefined;
  readonly error: string | undefined;
}

/**
 * One stage's transitions on one pane, newest first, for the row a person opened:
 * fetched then (`GET /api/stage-history?host=&paneId=&pipeline=&stage=`), again
 * after the events socket reconnects, and kept live from STAGE_UPDATED in between.
 * (Durations need none of this: the stage view carries startedAt/finishedAt.)
 */
export function useStageTransitions(key: StageKey): StageTransitions {
  const { agent, feed } = useServices();
  const [state, setState] = useState<StageTransitions>({ transitions: undefined, error: undefined });
  useEffect(() => {
    let alive = true;
    // Events that arrive while a fetch is in flight are merged into its answer.
    let pending: StageTransition[] | undefined;
    const load = () => {
      pending = [];
      agent
        .stageHistory({ ...key, limit: SHOWN })
        .then((rows) => alive && setState({ transitions: merge(rows, pending ?? []), error: undefined }))
        .catch((error: unknown) => alive && setState((s) => ({ ...s, error: error instanceof ApiError ? error.message : String(error) })))
        .finally(() => (pending = undefined));
    };
    load();
    const events = feed.onEvent((event) => {
      const t = fromEvent(event, key);
      if (!t) return;
      pending?.push(t);
      setState((s) => (s.transitions ? { ...s, transitions: merge(s.transitions, [t]) } : s));
    });
    const reconnect = feed.onOpen(load);
    return () => {
      alive = false;
      events.dispose();
      reconnect.dispose();
    };
  }, [key.pipeline, key.host, key.paneId, key.stage]);
  return state;
}
