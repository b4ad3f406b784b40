import type {
  ApprovalView,
  NotificationRecord,
  Overview,
  PaneNames,
  PipelinePaneView,
  PipelineView,
  StageStatus,
  StageView,
} from '../../schemas/index.ts';
import type { PaneInfo, PaneTail, StageTransition } from './agent-types.ts';
import { isObject } from './guards.ts';

/*
 * Readers for the agent board's API answers and events. As in guards.ts, zod is
 * not bundled: each reader checks the fields the pages rely on, fills optional
 * ones with their empty value, and returns undefined for anything unusable, so a
 * server that adds fields (or leaves out an optional one) never breaks a page.
 */

export type Obj = Record<string, unknown>;
export const str = (v: unknown): v is string => typeof v === 'string';
export const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
export const strOrNull = (v: unknown): string | null => (str(v) ? v : null);
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter(str) : []);
const STATUSES = new Set<string>(['IDLE', 'WAITING_TRIGGER', 'WAITING_APPROVAL', 'RUNNING', 'COMPLETED', 'FAILED']);

export function isStageStatus(value: unknown): value is StageStatus {
  return str(value) && STATUSES.has(value);
}

/** Keeps the items the reader accepts. */
export function list<T>(value: unknown, read: (item: unknown) => T | undefined): T[] {
  if (!Array.isArray(value)) return [];
  const out: T[] = [];
  for (const item of value) {
    const read1 = read(item);
    if (read1 !== undefined) out.push(read1);
  }
  return out;
}

export function readStage(value: unknown): StageView | undefined {
  if (!isObject(value) || !str(value.name) || !isStageStatus(value.status)) return undefined;
  return {
    name: value.name,
    order: int(value.order) ? value.order : 0,
    status: value.status,
    retries: int(value.retries) ? value.retries : 0,
    maxRetries: int(value.maxRetries) ? value.maxRetries : 0,
    requireApproval: value.requireApproval === true,
    updatedAt: strOrNull(value.updatedAt),
    startedAt: strOrNull(value.startedAt),
    finishedAt: strOrNull(value.finishedAt),
    reason: strOrNull(value.reason),
    escalateCode: strOrNull(value.escalateCode),
  };
}

export function readPipelinePane(value: unknown): PipelinePaneView | undefined {
  if (!isObject(value) || !str(value.host) || !str(value.paneId)) return undefined;
  return {
    host: value.host,
    paneId: value.paneId,
    sessionName: str(value.sessionName) ? value.sessionName : '',
    windowName: str(value.windowName) ? value.windowName : '',
    paneTitle: str(value.paneTitle) ? value.paneTitle : '',
    sessionKey: strOrNull(value.sessionKey),
    stages: list(value.stages, readStage).sort((a, b) => a.order - b.order),
    lastLines: strings(value.lastLines),
  };
}

export function readPipeline(value: unknown): PipelineView | undefined {
  if (!isObject(value) || !str(value.name)) return undefined;
  return { name: value.name, stageNames: strings(value.stageNames), panes: list(value.panes, readPipelinePane) };
}

/** `GET /api/pipelines`: a list, or `{pipelines: [...]}`. */
export function readPipelineList(value: unknown): PipelineView[] | undefined {
  const items = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.pipelines) ? value.pipelines : undefined;
  return items ? list(items, readPipeline) : undefined;
}

function readPaneNames(value: unknown): PaneNames | null {
  if (!isObject(value)) return null;
  return {
    sessionName: str(value.sessionName) ? value.sessionName : '',
    windowName: str(value.windowName) ? value.windowName : '',
    paneTitle: str(value.paneTitle) ? value.paneTitle : '',
  };
}

export function readApproval(value: unknown): ApprovalView | undefined {
  if (!isObject(value) || !str(value.id) || !str(value.host) || !str(value.paneId) || !str(value.pipeline) || !str(value.stage)) return undefined;
  const status = value.status === 'approved' || value.status === 'rejected' || value.status === 'cancelled' ? value.status : 'pending';
  const via = value.decidedVia === 'file' || value.decidedVia === 'link' || value.decidedVia === 'web' ? value.decidedVia : null;
  return {
    id: value.id,
    host: value.host,
    paneId: value.paneId,
    pipeline: value.pipeline,
    stage: value.stage,
    kind: value.kind === 'ask_human' ? 'ask_human' : 'require_approval',
    prompt: strOrNull(value.prompt),
    status,
    requestedAt: str(value.requestedAt) ? value.requestedAt : '',
    file: str(value.file) ? value.file : '',
    expiresAt: str(value.expiresAt) ? value.expiresAt : '',
    decidedAt: strOrNull(value.decidedAt),
    decidedVia: via,
    decidedBy: strOrNull(value.decidedBy),
    note: strOrNull(value.note),
    sessionKey: strOrNull(value.sessionKey),
    pane: readPaneNames(value.pane),
  };
}

/** `GET /api/approvals`: a list, or `{approvals: [...]}`. */
export function readApprovalList(value: unknown): ApprovalView[] | undefined {
  const items = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.approvals) ? value.approvals : undefined;
  return items ? list(items, readApproval) : undefined;
}

type Failure = Overview['recentFailures'][number];

export function readFailure(value: unknown): Failure | undefined {
  if (!isObject(value) || !str(value.host) || !str(value.paneId) || !str(value.pipeline) || !str(value.stage) || !str(value.at)) return undefined;
  return { host: value.host, paneId: value.paneId, pipeline: value.pipeline, stage: value.stage, reason: strOrNull(value.reason), escalateCode: strOrNull(value.escalateCode), at: value.at };
}

export function readOverview(value: unknown): Overview | undefined {
  if (!isObject(value) || !Array.isArray(value.hosts)) return undefined;
  const hosts = list(value.hosts, (h) => {
    if (!isObject(h) || !str(h.name)) return undefined;
    const pipelines = list(h.pipelines, (p) => {
      if (!isObject(p) || !str(p.name)) return undefined;
      const counts: Partial<Record<StageStatus, number>> = {};
      if (isObject(p.counts)) for (const [k, n] of Object.entries(p.counts)) if (isStageStatus(k) && int(n)) counts[k] = n;
      return { name: p.name, panes: int(p.panes) ? p.panes : 0, counts: counts as Record<StageStatus, number> };
    });
    return { name: h.name, pipelines };
  });
  return {
    hosts,
    pendingApprovals: list(value.pendingApprovals, readApproval),
    recentFailures: list(value.recentFailures, readFailure),
    principles: strings(value.principles),
  };
}

const PANE_STATUSES = new Set(['watching', 'polling', 'unwatched', 'dead']);

export function readPane(value: unknown): PaneInfo | undefined {
  if (!isObject(value) || !str(value.host) || !str(value.paneId)) return undefined;
  return {
    host: value.host,
    paneId: value.paneId,
    sessionKey: str(value.sessionKey) ? value.sessionKey : null,
    session: str(value.session) ? value.session : '',
    window: str(value.window) ? value.window : '',
    title: str(value.title) ? value.title : '',
    watched: value.watched === true,
    pipelines: strings(value.pipelines),
    status: str(value.status) && PANE_STATUSES.has(value.status) ? (value.status as PaneInfo['status']) : value.watched === true ? 'watching' : 'unwatched',
    lastLines: strings(value.lastLines ?? value.lines),
  };
}

/** `GET /api/panes`: a list, or `{panes: [...]}`. */
export function readPaneList(value: unknown): PaneInfo[] | undefined {
  const items = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.panes) ? value.panes : undefined;
  return items ? list(items, readPane) : undefined;
}

export function readPaneTail(event: Obj): PaneTail | undefined {
  if (!str(event.host) || !str(event.paneId) || !Array.isArray(event.lines)) return undefined;
  return { host: event.host, paneId: event.paneId, sessionKey: str(event.sessionKey) ? event.sessionKey : null, lines: strings(event.lines), at: str(event.at) ? event.at : '' };
}

export function readNotification(value: unknown): NotificationRecord | undefined {
  if (!isObject(value) || !str(value.title)) return undefined;
  const payload = isObject(value.payload) ? value.payload : {};
  const kind = str(value.kind) ? value.kind : 'info';
  const status = value.status === 'sent' || value.status === 'failed' ? value.status : 'pending';
  return {
    deliveryId: str(value.deliveryId) ? value.deliveryId : str(value.id) ? value.id : `${value.title}-${String(value.createdAt)}`,
    notificationId: str(value.notificationId) ? value.notificationId : '',
    channel: str(value.channel) ? value.channel : '',
    title: value.title,
    body: str(value.body) ? value.body : '',
    kind: kind as NotificationRecord['kind'],
    status,
    attempts: int(value.attempts) ? value.attempts : 0,
    lastError: strOrNull(value.lastError),
    httpStatus: int(value.httpStatus) ? value.httpStatus : null,
    createdAt: str(value.createdAt) ? value.createdAt : '',
    sentAt: strOrNull(value.sentAt),
    payload: {
      host: strOrNull(payload.host),
      paneId: strOrNull(payload.paneId),
      pipeline: strOrNull(payload.pipeline),
      stage: strOrNull(payload.stage),
      links: isObject(payload.links) ? (Object.fromEntries(Object.entries(payload.links).filter(([, v]) => str(v))) as Record<string, string>) : {},
    },
  };
}

export function readNotificationList(value: unknown): NotificationRecord[] | undefined {
  const items = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.notifications) ? value.notifications : undefined;
  return items ? list(items, readNotification) : undefined;
}

/** A STAGE_UPDATED event, normalised. */
export interface StageUpdate {
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly status: StageStatus;
  /** The status before, when the status changed; null for a data-only update. */
  readonly from: StageStatus | null;
  readonly retries: number;
  readonly reason: string | null;
  readonly escalateCode: string | null;
  /** Why it moved this time (the engine's words: which condition on which line), if it says. */
  readonly transition: string | null;
  readonly at: string;
  readonly id: number | undefined;
  /** The stage as the board shows it, when the server sends it along. */
  readonly view: StageView | undefined;
}

export function readStageUpdate(event: Obj): StageUpdate | undefined {
  if (!str(event.host) || !str(event.paneId) || !str(event.pipeline) || !str(event.stage) || !isStageStatus(event.status)) return undefined;
  const data = isObject(event.data) ? event.data : {};
  // `view` may be the stage, or the whole pane with its stages.
  let view = readStage(event.view);
  if (!view && isObject(event.view) && Array.isArray(event.view.stages)) {
    view = list(event.view.stages, readStage).find((s) => s.name === event.stage);
  }
  const reason = view ? view.reason : (strOrNull(event.reason) ?? strOrNull(data.reason));
  const escalateCode = view ? view.escalateCode : (strOrNull(event.escalateCode) ?? strOrNull(data.escalate_code));
  return {
    host: event.host,
    paneId: event.paneId,
    pipeline: event.pipeline,
    stage: event.stage,
    status: event.status,
    from: isStageStatus(event.from) ? event.from : null,
    retries: int(event.retries) ? event.retries : (view?.retries ?? 0),
    reason,
    escalateCode,
    transition: strOrNull(event.reason),
    at: str(event.at) ? event.at : new Date().toISOString(),
    id: int(event.id) ? event.id : undefined,
    view,
  };
}

/** The approval carried by APPROVAL_REQUESTED / APPROVAL_DECIDED (`{approval}` or the approval itself). */
export function readEventApproval(event: Obj): ApprovalView | undefined {
  return readApproval(isObject(event.approval) ? event.approval : event);
}

/** The pane of the session a CLI_SESSION_CREATED announces (its terminal now exists). */
export function readCreatedSessionPane(event: Obj): { sessionKey: string; paneId: string } | undefined {
  const session = isObject(event.session) ? event.session : {};
  const tmux = isObject(session.tmux) ? session.tmux : {};
  return str(event.sessionKey) && str(tmux.paneId) ? { sessionKey: event.sessionKey, paneId: tmux.paneId } : undefined;
}

/** A row of `GET /api/stage-history`. */
export function readTransition(value: unknown): StageTransition | undefined {
  if (!isObject(value) || !str(value.stage) || !isStageStatus(value.to) || !str(value.at)) return undefined;
  return {
    stage: value.stage,
    from: isStageStatus(value.from) ? value.from : null,
    to: value.to,
    reason: strOrNull(value.reason),
    retries: int(value.retries) ? value.retries : 0,
    at: value.at,
  };
}
