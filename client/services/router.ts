import { computed, signal } from '@preact/signals';
import { Disposable, listen } from '../lib/disposable.ts';

/** A page of the app; the nav lists those with a label. More pages join this table. */
export type Route = { readonly page: 'sessions'; readonly sessionKey: string | undefined } | { readonly page: 'not-found'; readonly path: string };

export interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly page: Route['page'];
}

export const NAV: readonly NavItem[] = [{ href: '/sessions', label: 'Sessions', page: 'sessions' }];

export function matchRoute(path: string): Route {
  if (path === '/' || path === '/sessions' || path === '/sessions/') return { page: 'sessions', sessionKey: undefined };
  const session = /^\/sessions\/([A-Za-z0-9_-]{1,100})\/?$/.exec(path);
  if (session) return { page: 'sessions', sessionKey: session[1] };
  return { page: 'not-found', path };
}

/** History-API router: `path` is a signal; links call `navigate`. */
export class Router extends Disposable {
  readonly path = signal(location.pathname);
  readonly route = computed(() => matchRoute(this.path.value));

  constructor() {
    super();
    this.register(listen(window, 'popstate', () => (this.path.value = location.pathname)));
    if (location.pathname === '/') this.navigate('/sessions', { replace: true });
  }

  navigate(path: string, options: { replace?: boolean } = {}): void {
    if (path === location.pathname) return;
    if (options.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    this.path.value = location.pathname;
  }

  /** For `<a>` clicks: plain left clicks stay in the app, the rest is the browser's. */
  handleLinkClick(event: MouseEvent, href: string): void {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    this.navigate(href);
  }
}
