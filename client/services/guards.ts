import type { ApiErrorBody, BridgeEvent, CliSession, HelloMessage, HostView, ServerTerminalMessage } from '../../schemas/index.ts';

/*
 * Light runtime checks of what the server sends. The shapes are the zod
 * schemas' inferred types (imported as types only): bundling zod itself would
 * more than double the client (~90 KiB gzip), so the client checks the fields
 * it relies on and ignores anything else.
 */

type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isIntOrNull = (v: unknown): v is number | null => v === null || isInt(v);
const STATUSES = new Set(['running', 'exited', 'closed']);
const HOST_STATES = new Set<string>(['connecting', 'connected', 'reconnecting', 'auth_failed', 'host_key_failed', 'control_unavailable'] satisfies HostView['state'][]);

/** One host of `GET /api/hosts`, or undefined. */
export function readHostView(value: unknown): HostView | undefined {
  if (!isObject(value) || !isStr(value.name) || !HOST_STATES.has(value.state as string)) return undefined;
  if (!(value.kind === 'bridge' || value.kind === 'local' || value.kind === 'ssh')) return undefined;
  return {
    name: value.name,
    kind: value.kind,
    target: isStr(value.target) ? value.target : null,
    socket: isStr(value.socket) ? value.socket : '',
    state: value.state as HostView['state'],
    reason: isStr(value.reason) ? value.reason : null,
    since: isStr(value.since) ? value.since : null,
    mode: value.mode === 'poll' ? 'poll' : 'stream',
    panes: isInt(value.panes) ? value.panes : 0,
  };
}

export function isCliSession(value: unknown): value is CliSession {
  if (!isObject(value)) return false;
  const tmux = value.tmux;
  return (
    isStr(value.sessionKey) &&
    isStr(value.name) &&
    isStr(value.tool) &&
    isStr(value.workingDir) &&
    STATUSES.has(value.status as string) &&
    isIntOrNull(value.exitCode) &&
    isInt(value.cols) &&
    isInt(value.rows) &&
    isStr(value.createdAt) &&
    isStr(value.lastActivityAt) &&
    typeof value.adopted === 'boolean' &&
    isStr(value.attachCommand) &&
    isObject(tmux) &&
    isStr(tmux.session) &&
    isStr(tmux.paneId)
  );
}

export function isSessionList(value: unknown): value is { sessions: CliSession[] } {
  return isObject(value) && Array.isArray(value.sessions) && value.sessions.every(isCliSession);
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  return isObject(value) && isObject(value.error) && isStr(value.error.message) && isStr(value.error.code);
}

export function isBridgeEvent(value: unknown): value is BridgeEvent {
  return isObject(value) && isStr(value.type) && isStr(value.at) && (value.id === undefined || isInt(value.id));
}

function isHello(value: Obj): value is HelloMessage {
  return (
    value.type === 'hello' &&
    isStr(value.sessionKey) &&
    isInt(value.cols) &&
    isInt(value.rows) &&
    typeof value.offset === 'number' &&
    isInt(value.snapshotBytes) &&
    value.snapshotBytes >= 0 &&
    (value.mode === 'control' || value.mode === 'view') &&
    isStr(value.stream) &&
    STATUSES.has(value.status as string) &&
    isIntOrNull(value.exitCode)
  );
}

/** A terminal control message, or undefined when the text is not one we know. */
export function parseServerTerminalMessage(text: string): ServerTerminalMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'hello':
      return isHello(value) ? value : undefined;
    case 'resize':
      return isInt(value.cols) && isInt(value.rows) ? { type: 'resize', cols: value.cols, rows: value.rows } : undefined;
    case 'exit':
      return isIntOrNull(value.code) ? { type: 'exit', code: value.code } : undefined;
    case 'error':
      return isStr(value.message) ? { type: 'error', message: value.message } : undefined;
    case 'host':
      return isStr(value.host) && HOST_STATES.has(value.state as string) && (value.reason === null || isStr(value.reason))
        ? { type: 'host', host: value.host, state: value.state as HostView['state'], reason: value.reason as string | null }
        : undefined;
    case 'gap':
      return isStr(value.host) && isInt(value.lines) && typeof value.beyondHistory === 'boolean' && typeof value.downMs === 'number'
        ? { type: 'gap', host: value.host, lines: value.lines, beyondHistory: value.beyondHistory, downMs: value.downMs }
        : undefined;
    default:
      return undefined;
  }
}
