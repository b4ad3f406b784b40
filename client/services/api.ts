import { signal } from '@preact/signals';
import { t } from '../i18n/index.ts';
import type { CliSession, CreateSessionBody } from '../../schemas/index.ts';
import { isApiErrorBody, isCliSession, isSessionList } from './guards.ts';
import { BASE_PATH } from '../lib/base-path.ts';

/** A failed API call: the server's error body, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly unknown[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Messages of `details` entries whose path starts with `field` (zod issues). */
  fieldMessages(field: string): string[] {
    const out: string[] = [];
    for (const detail of this.details) {
      if (typeof detail !== 'object' || detail === null) continue;
      const { path, message } = detail as { path?: unknown; message?: unknown };
      if (Array.isArray(path) && path[0] === field && typeof message === 'string') out.push(message);
    }
    return out;
  }
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
    const body = await this.request('GET', '/api/cli-sessions');
    if (!isSessionList(body)) throw new ApiError(0, 'bad_response', t('error.badResponse', { what: 'session list' }));
    return body.sessions;
  }

  async getSession(key: string, timeoutMs?: number): Promise<CliSession> {
    return this.session(await this.request('GET', `/api/cli-sessions/${encodeURIComponent(key)}`, undefined, timeoutMs));
  }

  async createSession(body: CreateSessionBody): Promise<CliSession> {
    return this.session(await this.request('POST', '/api/cli-sessions', body));
  }

  async renameSession(key: string, name: string): Promise<CliSession> {
    return this.session(await this.request('POST', `/api/cli-sessions/${encodeURIComponent(key)}/rename`, { name }));
  }

  async closeSession(key: string): Promise<CliSession> {
    return this.session(await this.request('POST', `/api/cli-sessions/${encodeURIComponent(key)}/close`));
  }

  /** Tells a terminal whether to keep reconnecting. */
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

  /** Any JSON API call; the agent board's typed calls (agent-api.ts) go through here. */
  call(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
    return this.request(method, path, body, timeoutMs);
  }

  private session(body: unknown): CliSession {
    if (!isCliSession(body)) throw new ApiError(0, 'bad_response', t('error.badResponse', { what: 'session' }));
    return body;
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

  private async requestOnce(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
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
    if (response.status === 429) {
      const message = isApiErrorBody(parsed) ? parsed.error.message : t('error.rateLimited');
      throw new RateLimitedError(retryAfterMs(response.headers.get('retry-after')), new ApiError(429, 'rate_limited', message));
    }
    if (!response.ok) {
      if (isApiErrorBody(parsed)) {
        throw new ApiError(response.status, parsed.error.code, parsed.error.message, parsed.error.details ?? []);
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
