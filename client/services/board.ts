import { computed } from '@preact/signals';
import type { BridgeEvent, Overview, PipelinePaneView, PipelineView, StageStatus, StageView } from '../../schemas/index.ts';
import type { AgentApi } from './agent-api.ts';
import { readCreatedSessionPane, readStageUpdate, type StageUpdate } from './event-readers.ts';
import { paneKey, type Counts } from './agent-types.ts';
import type { EventFeed } from './events.ts';
import type { PaneTails } from './pane-tails.ts';
import { LiveResource } from './resource.ts';

export type PipelineMap = ReadonlyMap<string, PipelineView>;

/** Whether `at` is older than what the stage shows (a replayed event must not undo a newer state). */
function isStale(stage: StageView, at: string): boolean {
  if (!stage.updatedAt) return false;
  const known = Date.parse(stage.updatedAt);
  const incoming = Date.parse(at);
  return Number.isFinite(known) && Number.isFinite(incoming) && incoming < known;
}

function applyToStage(stage: StageView, u: StageUpdate): StageView {
  if (u.view) return { ...u.view, updatedAt: u.view.updatedAt ?? u.at };
  return { ...stage, status: u.status, retries: u.retries, reason: u.reason, escalateCode: u.escalateCode, updatedAt: u.at };
}

/**
 * Every pipeline with its panes and stages (`GET /api/pipelines`), live from
 * STAGE_UPDATED. A stage of a pane the list does not have yet (a pane that just
 * started to match) makes it fetch the list once.
 */
export class PipelinesStore extends LiveResource<PipelineMap> {
  protected readonly refetchOn: ReadonlySet<string> = new Set(['CONFIG_RELOADED', 'CLI_SESSION_CLOSED']);

  /** Stage counts per host and pipeline, and pane counts, computed from the stages (never from deltas). */
  readonly counts = computed(() => countStages(this.data.value));
  /** Failed stages, newest first (the dashboard). */
  readonly failures = computed(() => failedStages(this.data.value));
  /** What each pane is doing per pipeline (the monitor's tiles); changes with stages, never with output. */
  readonly byPane = computed(() => summariseByPane(this.data.value));

  constructor(
    feed: EventFeed,
    private readonly agent: AgentApi,
    private readonly tails: PaneTails,
  ) {
    super(feed);
  }

  protected async load(): Promise<PipelineMap> {
    const list = await this.agent.pipelines();
    for (const p of list) for (const pane of p.panes) this.tails.seed(pane.host, pane.paneId, pane.lastLines, true);
    return new Map(list.map((p) => [p.name, p] as const));
  }

  protected apply(data: PipelineMap, event: BridgeEvent): PipelineMap {
    if (event.type === 'CLI_SESSION_CREATED') {
      // A pane without a terminal link may just have got its session: the server's view says which.
      const created = readCreatedSessionPane(event);
      const waiting = created && [...data.values()].some((p) => p.panes.some((pane) => pane.sessionKey === null && pane.paneId === created.paneId));
      if (created && waiting) this.refetchForUnknown(`session\u0000${created.sessionKey}`);
      return data;
    }
    if (event.type !== 'STAGE_UPDATED') return data;
    const u = readStageUpdate(event);
    if (!u) return data;
    const pipeline = data.get(u.pipeline);
    const paneIndex = pipeline?.panes.findIndex((p) => p.host === u.host && p.paneId === u.paneId) ?? -1;
    const pane = pipeline?.panes[paneIndex];
    const stageIndex = pane?.stages.findIndex((s) => s.name === u.stage) ?? -1;
    const stage = pane?.stages[stageIndex];
    if (!pipeline || !pane || !stage) {
      this.refetchForUnknown(`${u.pipeline}\u0000${paneKey(u.host, u.paneId)}\u0000${u.stage}`);
      return data;
    }
    if (isStale(stage, u.at)) return data;
    const stages = pane.stages.slice();
    stages[stageIndex] = applyToStage(stage, u);
    const panes = pipeline.panes.slice();
    panes[paneIndex] = { ...pane, stages };
    const next = new Map(data);
    next.set(pipeline.name, { ...pipeline, panes });
    return next;
  }
}

export interface PipelineCounts {
  readonly panes: number;
  readonly counts: Counts;
}

/** host → pipeline → counts. */
export type CountTable = ReadonlyMap<string, ReadonlyMap<string, PipelineCounts>>;

export function countStages(data: PipelineMap | undefined): CountTable | undefined {
  if (!data) return undefined;
  const table = new Map<string, Map<string, { panes: number; counts: Partial<Record<StageStatus, number>> }>>();
  for (const pipeline of data.values()) {
    for (const pane of pipeline.panes) {
      let byPipeline = table.get(pane.host);
      if (!byPipeline) table.set(pane.host, (byPipeline = new Map()));
      let entry = byPipeline.get(pipeline.name);
      if (!entry) byPipeline.set(pipeline.name, (entry = { panes: 0, counts: {} }));
      entry.panes++;
      for (const stage of pane.stages) entry.counts[stage.status] = (entry.counts[stage.status] ?? 0) + 1;
    }
  }
  return table;
}

/** What a pane is doing in one pipeline: the stage that needs attention or is current. */
export function currentStage(stages: readonly StageView[]): StageView | undefined {
  const rank: Record<StageStatus, number> = { FAILED: 0, WAITING_APPROVAL: 1, RUNNING: 2, WAITING_TRIGGER: 3, IDLE: 4, COMPLETED: 5 };
  let best: StageView | undefined;
  for (const stage of stages) if (!best || rank[stage.status] < rank[best.status]) best = stage;
  // All completed (or all idle): the last one says the most.
  if (best && (best.status === 'COMPLETED' || best.status === 'IDLE')) return best.status === 'COMPLETED' ? stages.at(-1) : stages[0];
  return best;
}

export interface PaneStageSummary {
  readonly pipeline: string;
  readonly stage: string;
  readonly status: StageStatus;
}

/** pane → what each of its pipelines is doing, for the monitor's tiles. */
export function summariseByPane(data: PipelineMap | undefined): Map<string, PaneStageSummary[]> {
  const out = new Map<string, PaneStageSummary[]>();
  if (!data) return out;
  for (const pipeline of data.values()) {
    for (const pane of pipeline.panes) {
      const stage = currentStage(pane.stages);
      if (!stage) continue;
      const key = paneKey(pane.host, pane.paneId);
      const list = out.get(key) ?? [];
      list.push({ pipeline: pipeline.name, stage: stage.name, status: stage.status });
      out.set(key, list);
    }
  }
  return out;
}

export function findPane(pipeline: PipelineView, host: string, paneId: string): PipelinePaneView | undefined {
  return pipeline.panes.find((p) => p.host === host && p.paneId === paneId);
}

export type Failure = Overview['recentFailures'][number];

/** Stages failed now, newest first: the same rule as the overview's recentFailures, kept live. */
export function failedStages(data: PipelineMap | undefined): Failure[] | undefined {
  if (!data) return undefined;
  const out: Failure[] = [];
  for (const pipeline of data.values()) {
    for (const pane of pipeline.panes) {
      for (const s of pane.stages) {
        if (s.status !== 'FAILED') continue;
        out.push({ host: pane.host, paneId: pane.paneId, pipeline: pipeline.name, stage: s.name, reason: s.reason, escalateCode: s.escalateCode, at: s.updatedAt ?? '' });
      }
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at));
}

/**
 * `GET /api/overview`: hosts and their pipelines, and the principles; fetched
 * again when the config reloads. The live parts of the dashboard come from the
 * other stores: counts and failures from PipelinesStore, approvals from ApprovalStore.
 */
export class OverviewStore extends LiveResource<Overview> {
  protected readonly refetchOn: ReadonlySet<string> = new Set(['CONFIG_RELOADED']);

  constructor(
    feed: EventFeed,
    private readonly agent: AgentApi,
  ) {
    super(feed);
  }

  protected load(): Promise<Overview> {
    return this.agent.overview();
  }

  protected apply(data: Overview): Overview {
    return data;
  }
}
