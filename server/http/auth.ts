import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { tokenMatches } from '../auth/index.ts';
import { sendError } from './errors.ts';
import { peerAddress, requestHost } from './proxy.ts';

/** The login cookie: a random session id (server-side, with an expiry), never the token itself. */
export const COOKIE_NAME = 'tb_session';

export type AuthMethod = 'bearer' | 'cookie' | 'query';

export interface AuthOptions {
  readonly token: string;
  /** Extra origins allowed (`--allow-origin`). */
  readonly allowOrigins: readonly string[];
  /** The address we listen on, to know our own origins. */
  readonly listenHost: string;
  readonly port: () => number;
  /** Behind a reverse proxy on loopback (`--trust-proxy`): forwarded client address and host count. */
  readonly trustProxy?: boolean;
  /** Host names served besides the listen address and loopback (`--allowed-hosts`). */
  readonly allowedHosts?: readonly string[];
  /** The host name of `--public-url`: the name a proxy in front forwards in Host. */
  readonly publicHost?: string;
  /** Browser login sessions; without them the cookie login is off. */
  readonly sessions?: LoginSessions;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Cookies as the browser sent them. Other applications on localhost set cookies
 * we do not control (a stray `%` is common): a value that is not valid
 * percent-encoding is kept as it is instead of throwing.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (out.has(name)) continue; // the first (most specific path) wins, as in browsers
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // not percent-encoded: keep the raw value
    }
    out.set(name, value);
  }
  return out;
}

/** Where login sessions live (the store's `login_sessions`). */
export interface LoginSessions {
  create(token: string, ttlMs: number, client: string | null): Promise<{ id: string; expiresAt: string }>;
  find(id: string, token: string): unknown;
  revoke(id: string): Promise<boolean>;
  revokeAll(): Promise<number>;
}

/** What a request presented, checked. */
type Credential =
  | { readonly ok: true; readonly method: AuthMethod }
  /** `guess`: a token was presented and it was wrong (what the rate limit counts). */
  | { readonly ok: false; readonly guess: boolean };

const BEARER = /^bearer\s+(\S+)\s*$/i;

/** How long a browser login lasts. */
export const LOGIN_TTL_MS = 30 * 24 * 3600_000;

/**
 * Token auth on every API and WebSocket, login sessions for browsers (the
 * cookie is a random session id, never the token), Host and Origin checks
 * against DNS rebinding and cross-site use, and a rate limit on wrong tokens
 * that never stands in the way of a right one.
 */
export class AuthGuard {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly options: AuthOptions) {}

  private check(req: IncomingMessage, allowQuery: boolean): Credential {
    let guess = false;
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (match) {
      if (tokenMatches(this.options.token, match[1])) return { ok: true, method: 'bearer' };
      guess = true;
    }
    const cookie = parseCookies(req.headers.cookie).get(COOKIE_NAME);
    // A session id is 256 random bits: a wrong one is an old login, not a guess.
    if (cookie && this.options.sessions?.find(cookie, this.options.token)) return { ok: true, method: 'cookie' };
    if (allowQuery) {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined;
      if (token !== undefined) {
        if (tokenMatches(this.options.token, token)) return { ok: true, method: 'query' };
        guess = true;
      }
    }
    return { ok: false, guess };
  }

  /** How the request proved it has the token (or a login session), or undefined. */
  authenticate(req: IncomingMessage, allowQuery: boolean): AuthMethod | undefined {
    const credential = this.check(req, allowQuery);
    return credential.ok ? credential.method : undefined;
  }

  /** Starts a browser login session for a request that presented the token; returns the cookie value. */
  async login(client: string | null): Promise<{ id: string; maxAgeMs: number }> {
    if (!this.options.sessions) throw new Error('login sessions need the store');
    const { id } = await this.options.sessions.create(this.options.token, LOGIN_TTL_MS, client);
    return { id, maxAgeMs: LOGIN_TTL_MS };
  }

  /** Ends the login session this request's cookie stands for. */
  async logout(req: IncomingMessage): Promise<boolean> {
    const cookie = parseCookies(req.headers.cookie).get(COOKIE_NAME);
    return cookie && this.options.sessions ? this.options.sessions.revoke(cookie) : false;
  }

  /** Ends every login session (each browser has to log in again). */
  revokeAll(): Promise<number> {
    return this.options.sessions?.revokeAll() ?? Promise.resolve(0);
  }

  /**
   * DNS rebinding: a page on attacker.example whose name now resolves to
   * 127.0.0.1 reaches us with `Host: attacker.example`. Only our listen
   * address, the loopback names, `--allowed-hosts` and the `--public-url` host
   * are served. Behind `--trust-proxy` the check stays: a rebound page can still
   * reach the loopback port directly, around the proxy. Only when the proxy's
   * name is unknown (no `--public-url`, no `--allowed-hosts`) is it skipped —
   * with a warning at start.
   */
  hostAllowed(req: IncomingMessage): boolean {
    if (this.options.trustProxy && !this.options.publicHost && (this.options.allowedHosts ?? []).length === 0) return true;
    const header = req.headers.host;
    if (!header) return false;
    const host = hostnameOf(header);
    if (host === undefined) return false;
    if (LOOPBACK.has(host)) return true;
    const listen = this.options.listenHost.replace(/^\[|\]$/g, '').toLowerCase();
    if (host === listen || host === `[${listen}]`) return true;
    // Listening on every address: any IP literal is one of ours (names are what rebinding uses).
    if ((listen === '0.0.0.0' || listen === '::') && (isIP(host.replace(/^\[|\]$/g, '')) !== 0)) return true;
    if (this.options.publicHost && this.options.publicHost.toLowerCase() === host) return true;
    return (this.options.allowedHosts ?? []).some((allowed) => allowed.toLowerCase() === host);
  }

  /** Our own origins, `--allow-origin`, and (when listening beyond loopback) the Host the browser used. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (this.options.allowOrigins.includes(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const port = String(this.options.port());
    const urlPort = url.port || (url.protocol === 'https:' ? '443' : '80');
    const own = LOOPBACK.has(url.hostname) || url.hostname === this.options.listenHost;
    if (own && urlPort === port) return true;
    // Behind a proxy the page's origin is the proxy's host, which the proxy forwards.
    if (this.options.trustProxy && url.host === requestHost(req, true)) return true;
    const listensBeyondLoopback = !LOOPBACK.has(this.options.listenHost);
    return listensBeyondLoopback && url.host === req.headers.host;
  }

  /** Too many failed attempts from this address in the last minute. */
  limited(req: IncomingMessage): boolean {
    const key = peerAddress(req, this.options.trustProxy ?? false);
    const entry = this.failures.get(key);
    if (!entry) return false;
    if (Date.now() - entry.since > 60_000) {
      this.failures.delete(key);
      return false;
    }
    return entry.count >= 30;
  }

  /** Seconds until a limited address may try again (for Retry-After). */
  retryAfterSeconds(req: IncomingMessage): number {
    const entry = this.failures.get(peerAddress(req, this.options.trustProxy ?? false));
    return entry ? Math.max(1, Math.ceil((entry.since + 60_000 - Date.now()) / 1000)) : 60;
  }

  recordFailure(req: IncomingMessage): void {
    const key = peerAddress(req, this.options.trustProxy ?? false);
    const entry = this.failures.get(key);
    if (!entry || Date.now() - entry.since > 60_000) this.failures.set(key, { count: 1, since: Date.now() });
    else entry.count++;
  }

  /** Express middleware for `/api/*` and `/events`: the token first, so a valid one is never rate limited. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const credential = this.check(req, false);
      if (!credential.ok) {
        if (credential.guess) {
          if (this.limited(req)) {
            res.set('retry-after', String(this.retryAfterSeconds(req)));
            sendError(res, 429, 'rate_limited', 'too many wrong tokens from this address; wait a minute (a valid token still works)');
            return;
          }
          this.recordFailure(req);
        }
        sendError(res, 401, 'unauthorized', 'missing or wrong token: send "Authorization: Bearer <token>" or open the login URL the server printed');
        return;
      }
      if (credential.method === 'cookie' && UNSAFE.has(req.method) && (!req.headers.origin || !this.originAllowed(req))) {
        sendError(res, 403, 'forbidden_origin', `origin ${req.headers.origin ?? '(none)'} may not change anything here`);
        return;
      }
      next();
    };
  }

  /** Express middleware for every request: the Host header check. */
  hostMiddleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (this.hostAllowed(req)) return next();
      sendError(res, 403, 'forbidden_host', `host "${String(req.headers.host ?? '').slice(0, 100)}" is not served here; start the bridge with --allowed-hosts NAME to allow it`);
    };
  }

  /** For WebSocket upgrades: undefined if allowed, else the HTTP status and message. */
  checkUpgrade(req: IncomingMessage): { status: number; message: string } | undefined {
    if (!this.hostAllowed(req)) return { status: 403, message: `host "${String(req.headers.host ?? '').slice(0, 100)}" is not served here (--allowed-hosts)` };
    const credential = this.check(req, true);
    if (!credential.ok) {
      if (credential.guess) {
        if (this.limited(req)) return { status: 429, message: 'too many wrong tokens; wait a minute' };
        this.recordFailure(req);
      }
      return { status: 401, message: 'missing or wrong token' };
    }
    if (!this.originAllowed(req)) return { status: 403, message: `origin ${req.headers.origin} is not allowed` };
    return undefined;
  }
}

/** The host name of a Host header (`name:port`, `[::1]:port`), lower case; undefined if malformed. */
function hostnameOf(header: string): string | undefined {
  try {
    return new URL(`http://${header}/`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
