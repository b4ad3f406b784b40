import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { tokenMatches } from '../auth/token.ts';
import { sendError } from './errors.ts';
import { peerAddress, requestHost } from './proxy.ts';

export const COOKIE_NAME = 'tb_token';

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

/**
 * Token auth on every API and WebSocket, Origin checks against cross-site use,
 * and a small rate limit on failed attempts.
 */
export class AuthGuard {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly options: AuthOptions) {}

  /** How the request proved it has the token, or undefined. */
  authenticate(req: IncomingMessage, allowQuery: boolean): AuthMethod | undefined {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ') && tokenMatches(this.options.token, header.slice(7).trim())) return 'bearer';
    if (tokenMatches(this.options.token, parseCookies(req.headers.cookie).get(COOKIE_NAME))) return 'cookie';
    if (allowQuery) {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined;
      if (tokenMatches(this.options.token, token)) return 'query';
    }
    return undefined;
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

  recordFailure(req: IncomingMessage): void {
    const key = peerAddress(req, this.options.trustProxy ?? false);
    const entry = this.failures.get(key);
    if (!entry || Date.now() - entry.since > 60_000) this.failures.set(key, { count: 1, since: Date.now() });
    else entry.count++;
  }

  /** Express middleware for `/api/*` and `/events`. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (this.limited(req)) {
        sendError(res, 429, 'rate_limited', 'too many failed attempts; wait a minute');
        return;
      }
      const method = this.authenticate(req, false);
      if (!method) {
        this.recordFailure(req);
        sendError(res, 401, 'unauthorized', 'missing or wrong token: send "Authorization: Bearer <token>" or open the login URL the server printed');
        return;
      }
      if (method === 'cookie' && UNSAFE.has(req.method) && (!req.headers.origin || !this.originAllowed(req))) {
        sendError(res, 403, 'forbidden_origin', `origin ${req.headers.origin ?? '(none)'} may not change anything here`);
        return;
      }
      next();
    };
  }

  /** For WebSocket upgrades: undefined if allowed, else the HTTP status and message. */
  checkUpgrade(req: IncomingMessage): { status: number; message: string } | undefined {
    if (this.limited(req)) return { status: 429, message: 'too many failed attempts; wait a minute' };
    if (!this.authenticate(req, true)) {
      this.recordFailure(req);
      return { status: 401, message: 'missing or wrong token' };
    }
    if (!this.originAllowed(req)) return { status: 403, message: `origin ${req.headers.origin} is not allowed` };
    return undefined;
  }
}
