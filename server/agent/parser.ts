/**
 * The tmuxagent message parser. Per line (trimmed; empty lines carry no message):
 *
 * 1. `### SENTRY {json}` whose JSON is an object → a message of kind `type`;
 * 2. a bare JSON object line (`{` … `}`) → a message of kind `type`;
 * 3. otherwise `\b(error|failed|exception)\b` → `ERROR`, else
 *    `\b(done|success|passed|completed)\b` → `STATUS` (both case-insensitive, as
 *    tmuxagent compiled them with re.IGNORECASE).
 *
 * A JSON object without a `type` gets kind `UNKNOWN` (as in tmuxagent). Malformed
 * JSON is not an error: the line falls through to the keyword rules. Nothing here
 * throws, whatever the line holds.
 */

export type MessageSource = 'sentry' | 'json' | 'keyword';

export interface ParsedMessage {
  /** `type` of a JSON message, or `ERROR` / `STATUS`. */
  readonly kind: string;
  /** The JSON object, or `{text}` (`{ok: true, text}` for STATUS) for keyword messages. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** The trimmed line. */
  readonly raw: string;
  readonly source: MessageSource;
}

const SENTRY_PREFIX = '### SENTRY';
const ERROR_KEYWORDS = /\b(error|failed|exception)\b/i;
const SUCCESS_KEYWORDS = /\b(done|success|passed|completed)\b/i;

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // malformed JSON, or nesting too deep for the engine's stack
  }
}

function kindOf(payload: Record<string, unknown>): string {
  const type = payload.type;
  if (typeof type === 'string' && type.length > 0) return type;
  if (typeof type === 'number' || typeof type === 'boolean') return String(type);
  return 'UNKNOWN';
}

/** The message a line carries, or `null` for a plain line. */
export function parseMessage(line: string): ParsedMessage | null {
  const raw = line.trim();
  if (raw.length === 0) return null;

  if (raw.startsWith(SENTRY_PREFIX)) {
    const payload = parseObject(raw.slice(SENTRY_PREFIX.length).trim());
    if (payload) return { kind: kindOf(payload), payload, raw, source: 'sentry' };
  }
  if (raw.startsWith('{') && raw.endsWith('}')) {
    const payload = parseObject(raw);
    if (payload) return { kind: kindOf(payload), payload, raw, source: 'json' };
  }
  if (ERROR_KEYWORDS.test(raw)) return { kind: 'ERROR', payload: { text: raw }, raw, source: 'keyword' };
  if (SUCCESS_KEYWORDS.test(raw)) return { kind: 'STATUS', payload: { ok: true, text: raw }, raw, source: 'keyword' };
  return null;
}

/** Every message of several lines, in order (tmuxagent's `parse_messages`). */
export function parseMessages(lines: Iterable<string>): ParsedMessage[] {
  const out: ParsedMessage[] = [];
  for (const line of lines) {
    const message = parseMessage(line);
    if (message) out.push(message);
  }
  return out;
}
