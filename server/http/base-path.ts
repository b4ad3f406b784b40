import express, { type Express } from 'express';

/**
 * The app under a path prefix (`--base-path /tmux`): everything — pages, API,
 * /metrics, /login — answers only below it, as a reverse proxy forwards it.
 * The bare root redirects there, so a direct visit still finds the app.
 */
export function mountAt(basePath: string, app: Express, trustProxy: boolean): Express {
  if (!basePath) return app;
  const root = express();
  root.disable('x-powered-by');
  root.set('trust proxy', trustProxy ? 'loopback' : false);
  root.use(basePath, app);
  root.get('/', (_req, res) => res.redirect(302, `${basePath}/`));
  root.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `tmux-bridge is served under ${basePath}/ (--base-path); ${req.path} is outside it` } });
  });
  return root;
}

/** A request path with the prefix removed, or undefined when it lies outside. */
export function stripBasePath(basePath: string, pathname: string): string | undefined {
  if (!basePath) return pathname;
  if (pathname === basePath) return '/';
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : undefined;
}
