import { signal } from '@preact/signals';
import { issueMessage, issueText, isValidationIssue, locale, t, type MessageKey } from '../i18n/index.ts';
import type { CliSession, CreateSessionBody } from '../../schemas/index.ts';
import { loadContract, type Answer, type AnswerName, type Contract } from './schemas.ts';
import { BASE_PATH } from '../lib/base-path.ts';

/** A failed API call: the server's error body, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly unknown[] = [],
    /** The server's own words (English), for logs and API users; `message` is what the UI shows. */
    readonly serverMessage = message,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Messages of `details` entries whose path starts with `field` (zod issues). */
  fieldMessages(field: string): string[] {
    const out: string[] = [];
    for (const detail of this.details) {
      if (isValidationIssue(detail) && detail.path?.[0] === field) out.push(issueMessage(detail));
    }
    return out;
  }
}

/**
 * What the UI says for an API error: in English the server's own words (they name
 * the session, the item…); in another language the catalog's text for the code, when
 * it has one, else the server's words.
 */
export function errorText(code: string, serverMessage: string, params?: Readonly<Record<string, string>>): string {
  if (locale.value === 'en') return serverMessage;
  // A 404 that says what was missing: `apiError.not_found.<what>` names it, with its id.
  const what = params?.what ? (`apiError.${code}.${params.what}` as MessageKey) : undefined;
  const specific = what ? t(what, params) : undefined;
  if (specific !== undefined && specific !== what) return specific;
  const key = `apiError.${code}` as MessageKey;
  const text = t(key);
  return text === key ? serverMessage : text;
}

/** unknown: not asked yet; ok: the cookie works; anonymous: the server said 401. */
export type AuthState = 'unknown' | 'ok' | 'anonymous';

/** The server refuses this address for a while (429 after too many wrong tokens). */
export interface RateLimit {
  /** When the server said to try again (ms since the epoch). */
  readonly until: number;
}

/** Longest Retry-After honoured; a wait beyond it is cut short (the server limits per minute). */
const MAX_RETRY_AFTER_MS = 120_000;
/** A request answered 429 is retried this often before its caller hears the 429. */
const RATE_LIMIT_RETRIES = 3;

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), 60 s when missing. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
  }
  return 60_000;
}

/** Where a session is, for a terminal that lost its socket. */
export type SessionProbe = 'alive' | 'gone' | 'unreachable' | 'unauthorized';

/**
 * The REST client. Authenticates with the HttpOnly cookie set by
 * `/login?token=…`; every 401 flips `auth` so the app can show the login screen.
 */
export class ApiClient {
  readonly auth = signal<AuthState>('unknown');
  /** Set while the server answers 429: the UI says why and when it retries. */
  readonly rateLimit = signal<RateLimit | null>(null);

  constructor(private readonly base = BASE_PATH) {}

  async listSessions(): Promise<CliSession[]> {
    return (await this.get('/api/cli-sessions', 'SessionList')).sessions;
  }

  getSession(key: string, timeoutMs?: number): Promise<CliSession> {
    return this.get(`/api/cli-sessions/${encodeURIComponent(key)}`, 'CliSession', timeoutMs);
  }

  createSession(body: CreateSessionBody): Promise<CliSession> {
    return this.send('POST', '/api/cli-sessions', body, 'CliSession');
  }

  renameSession(key: string, name: string): Promise<CliSession> {
    return this.send('POST', `/api/cli-sessions/${encodeURIComponent(key)}/rename`, { name }, 'CliSession');
  }

  closeSession(key: string): Promise<CliSession> {
    return this.send('POST', `/api/cli-sessions/${encodeURIComponent(key)}/close`, undefined, 'CliSession');
  }

  /** Tells a terminal whether to keep reconnecting. */
  /** Removes the records of every closed session, for every browser; resolves with how many. */
  async clearClosedSessions(): Promise<number> {
    return (await this.send('POST', '/api/cli-sessions/clear-closed', {}, 'ClosedCleared')).removed;
  }

  async probeSession(key: string): Promise<SessionProbe> {
    try {
      // Bounded: a server that does not answer counts as unreachable, and the terminal retries.
      const session = await this.getSession(key, 5000);
      return session.status === 'closed' ? 'gone' : 'alive';
    } catch (error) {
      if (!(error instanceof ApiError)) return 'unreachable';
      if (error.status === 401) return 'unauthorized';
      if (error.status === 404 || error.status === 409) return 'gone';
      return 'unreachable';
    }
  }

  /** `GET path`, its answer checked with the named schema (contract.ts ANSWERS). */
  async get<K extends AnswerName>(path: string, answer: K, timeoutMs?: number): Promise<Answer<K>> {
    return this.read(answer, await this.request('GET', path, undefined, timeoutMs));
  }

  /** A call with a body (or none), its answer checked with the named schema. */
  async send<K extends AnswerName>(method: string, path: string, body: unknown, answer: K): Promise<Answer<K>> {
    return this.read(answer, await this.request(method, path, body));
  }

  /** A call whose answer the page does not read (a 204, or `{ok: true}`). */
  async call(method: string, path: string, body?: unknown): Promise<void> {
    await this.request(method, path, body);
  }

  /** A call whose answer is not checked here: a file to save as it came (an export), or a page's own typed client (flows). */
  raw(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.request(method, path, body);
  }

  private async read<K extends AnswerName>(answer: K, body: unknown): Promise<Answer<K>> {
    const checked = (await this.contract()).check(answer, body);
    if (!checked.ok) throw new ApiError(0, 'bad_response', t('error.badResponse', { what: checked.problem }));
    return checked.value;
  }

  /**
   * One call; a 429 is waited out (its Retry-After) and retried by itself, a few
   * times, while `rateLimit` tells the page what is going on.
   */
  private async request(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.requestOnce(method, path, body, timeoutMs);
        this.rateLimit.value = null;
        return result;
      } catch (error) {
        if (!(error instanceof RateLimitedError) || attempt >= RATE_LIMIT_RETRIES) {
          if (error instanceof RateLimitedError) throw error.apiError;
          throw error;
        }
        const until = Date.now() + error.waitMs;
        if (!this.rateLimit.value || this.rateLimit.value.until < until) this.rateLimit.value = { until };
        await new Promise((resolve) => setTimeout(resolve, error.waitMs));
      }
    }
  }

  /** The schemas; a chunk that cannot be fetched is a network failure like any other. */
  private async contract(): Promise<Contract> {
    try {
      return await loadContract();
    } catch {
      throw new ApiError(0, 'unreachable', t('error.unreachable'));
    }
  }

  private async requestOnce(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
    // The schemas load beside the first request, not after its answer.
    void loadContract().catch(() => undefined);
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        credentials: 'same-origin',
        // X-Change-Source: issue history records changes made here as `web`.
        headers: body === undefined ? { accept: 'application/json', 'x-change-source': 'web' } : { accept: 'application/json', 'content-type': 'application/json', 'x-change-source': 'web' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new ApiError(0, 'unreachable', t('error.unreachable'));
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      parsed = undefined;
    }
    if (response.status === 401) this.auth.value = 'anonymous';
    if (!response.ok) {
      const error = (await this.contract()).check('ApiErrorBody', parsed);
      if (response.status === 429) {
        const message = error.ok ? error.value.error.message : t('error.rateLimited');
        throw new RateLimitedError(retryAfterMs(response.headers.get('retry-after')), new ApiError(429, 'rate_limited', message));
      }
      if (error.ok) {
        const { code, message, details = [], params } = error.value.error;
        // Bad input: the issues worded in the UI language from their codes, not the server's English.
        const issues = details.filter(isValidationIssue).filter((d) => typeof d.code === 'string');
        const shown = issues.length > 0 ? t('error.invalidInput', { issues: issues.map((i) => issueText(i)).join('; ') }) : errorText(code, message, params);
        throw new ApiError(response.status, code, shown, details, message);
      }
      throw new ApiError(response.status, 'http_' + response.status, t('error.http', { status: response.status, text: response.statusText }));
    }
    this.auth.value = 'ok';
    return parsed;
  }
}

/** A 429 on its way to being retried. */
class RateLimitedError extends Error {
  constructor(
    readonly waitMs: number,
    readonly apiError: ApiError,
  ) {
    super(apiError.message);
  }
}
