/**
 * Where the app lives under its origin: '' at the root, or a prefix such as
 * '/tmux' behind a reverse proxy. The server writes it into index.html
 * (`<meta name="tb-base-path">`); every API, WebSocket and page URL goes through here.
 */
function readBasePath(): string {
  if (typeof document === 'undefined') return '';
  const value = document.querySelector('meta[name="tb-base-path"]')?.getAttribute('content') ?? '';
  return /^(\/[A-Za-z0-9._~-]+)+$/.test(value) ? value : '';
}

export const BASE_PATH = readBasePath();

/** An app path ('/sessions') as the URL path the browser uses ('/tmux/sessions'). */
export function withBase(path: string): string {
  return BASE_PATH + path;
}

/** The browser's URL path as an app path: '/tmux/sessions' → '/sessions'. */
export function stripBase(pathname: string): string {
  if (!BASE_PATH) return pathname;
  if (pathname === BASE_PATH) return '/';
  return pathname.startsWith(`${BASE_PATH}/`) ? pathname.slice(BASE_PATH.length) : pathname;
}
