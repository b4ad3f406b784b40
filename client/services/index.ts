import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiClient } from './api.ts';
import { EventFeed, wsBase } from './events.ts';
import { Router } from './router.ts';
import { SessionStore } from './sessions.ts';
import { TabsStore } from './tabs.ts';
import { ThemeStore } from './theme.ts';

/** Everything the components use, created once per page. */
export interface Services {
  readonly api: ApiClient;
  readonly feed: EventFeed;
  readonly sessions: SessionStore;
  readonly tabs: TabsStore;
  readonly router: Router;
  readonly theme: ThemeStore;
}

export function createServices(): Services {
  const api = new ApiClient();
  const theme = new ThemeStore();
  const router = new Router();
  const feed = new EventFeed(wsBase());
  const sessions = new SessionStore(api, feed);
  const tabs = new TabsStore(api, sessions, theme, wsBase(), focusTerminalToolbar);
  // The events socket runs while the cookie works; a 401 anywhere stops it.
  api.auth.subscribe((auth) => (auth === 'ok' ? feed.start() : auth === 'anonymous' ? feed.stop() : undefined));
  return { api, feed, sessions, tabs, router, theme };
}

/** F6 in a terminal: focus its toolbar, since Tab itself belongs to the program. */
function focusTerminalToolbar(): void {
  document.querySelector<HTMLElement>('.terminal-panel:not([hidden]) [data-focus-from-terminal]')?.focus();
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesContext');
  return services;
}
