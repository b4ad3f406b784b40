import type { ApiErrorBody, BridgeEvent, CliSession, HelloMessage, ServerTerminalMessage } from '../../schemas/index.ts';

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
    default:
      return undefined;
  }
}
