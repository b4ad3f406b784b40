import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { tokenMatches } from '../auth/index.ts';
import { COOKIE_NAME, type AuthGuard } from './auth.ts';
import { clientOf } from './client-identity.ts';
import { errorHandler, sendError } from './errors.ts';
import { loginFailurePage } from './page-language.ts';

export interface AppParts {
  readonly auth: AuthGuard;
  readonly token: string;
  readonly clientDir: string;
  readonly health: () => { readonly ok: boolean };
  /** Routers mounted under /api (path → router). */
  readonly api: ReadonlyArray<readonly [string, Router]>;
  /** Routers mounted at the top level without auth (e.g. approval links). */
  readonly publicRoutes?: ReadonlyArray<readonly [string, Router]>;
  readonly sse: Router;
  /** `--trust-proxy`: believe X-Forwarded-* from a proxy on loopback. */
  readonly trustProxy?: boolean;
  /** GET /metrics (Prometheus); it checks its own token. */
  readonly metrics?: RequestHandler;
  readonly log: (message: string) => void;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/**
 * A request body that is not JSON would be skipped by the JSON parser and the
 * route would run as if no body was sent (a default session instead of the one
 * asked for): refuse it instead.
 */
function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(['application/json', '+json'])) {
    sendError(res, 415, 'unsupported_media_type', `send the body as JSON with "content-type: application/json" (got ${req.headers['content-type'] ?? 'no content-type'})`);
    return;
  }
  next();
}

/**
 * index.html for an app served under a path prefix: its absolute asset URLs get
 * the prefix and the client learns it from a meta tag (client/lib/base-path.ts).
 */
export function withBasePath(html: string, basePath: string): string {
  const escaped = basePath.replace(/[&"<>]/g, '');
  return html
    .replace(/(\s(?:href|src)=")\/(?!\/)/g, `$1${escaped}/`)
    .replace('<head>', `<head>\n    <meta name="tb-base-path" content="${escaped}" />`);
}

export function createApp(parts: AppParts): Express {
  const app = express();
  // Behind a proxy on loopback: req.secure and req.ip follow X-Forwarded-Proto/-For.
  app.set('trust proxy', parts.trustProxy ? 'loopback' : false);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  app.use(parts.auth.hostMiddleware());

  app.get('/healthz', (_req, res) => {
    const health = parts.health();
    // 503 while tmux does not answer, so a supervisor or proxy check sees it.
    res.status(health.ok ? 200 : 503).json(health);
  });

  app.get('/login', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (!tokenMatches(parts.token, token)) {
      if (parts.auth.limited(req)) {
        res.status(429).set('retry-after', String(parts.auth.retryAfterSeconds(req))).type('html').send(loginFailurePage(req, 'limited'));
        return;
      }
      parts.auth.recordFailure(req);
      res.status(401).type('html').send(loginFailurePage(req, 'invalid'));
      return;
    }
    // The cookie is a random login session id (stored server-side with its expiry), never the token.
    // Scoped to the base path; Secure whenever the browser came over HTTPS (directly or through the proxy).
    const session = await parts.auth.login(clientOf(req));
    res.cookie(COOKIE_NAME, session.id, { httpOnly: true, sameSite: 'strict', path: req.baseUrl || '/', secure: req.secure, maxAge: session.maxAgeMs });
    res.redirect(303, `${req.baseUrl}/`);
  });

  // Ends this browser's login session.
  app.post('/logout', async (req, res) => {
    await parts.auth.logout(req);
    res.clearCookie(COOKIE_NAME, { httpOnly: true, sameSite: 'strict', path: req.baseUrl || '/', secure: req.secure });
    res.json({ ok: true });
  });

  for (const [path, router] of parts.publicRoutes ?? []) app.use(path, router);
  if (parts.metrics) app.get('/metrics', parts.metrics);

  const api = express.Router();
  api.use(parts.auth.middleware());
  // Every browser logged in with the token has to log in again.
  api.post('/auth/revoke-sessions', async (req, res) => {
    const revoked = await parts.auth.revokeAll();
    res.clearCookie(COOKIE_NAME, { httpOnly: true, sameSite: 'strict', path: req.baseUrl.replace(/\/api$/, '') || '/', secure: req.secure });
    res.json({ ok: true, revoked });
  });
  api.use(requireJsonBody);
  api.use(express.json({ limit: '8mb' }));
  for (const [path, router] of parts.api) api.use(path, router);
  api.use((req, res) => sendError(res, 404, 'not_found', `no API route ${req.method} ${req.baseUrl}${req.path}`));
  app.use('/api', api);
  app.use('/events', parts.auth.middleware(), parts.sse);

  // The single-page client: static files, and index.html for its routes.
  const index = join(parts.clientDir, 'index.html');
  app.use(express.static(parts.clientDir, { index: false, maxAge: 0 }));
  app.get(/^\/(?!api\/|ws\/|events).*/, (req, res, next) => {
    if (!existsSync(index)) {
      res.status(503).type('text').send('The web client is not built. Run "npm run build" (npm start does it for you).');
      return;
    }
    if (!req.baseUrl) {
      res.sendFile(index);
      return;
    }
    readFile(index, 'utf8').then(
      (html) => res.type('html').send(withBasePath(html, req.baseUrl)),
      (error: unknown) => next(error),
    );
  });

  app.use(errorHandler(parts.log));
  return app;
}
