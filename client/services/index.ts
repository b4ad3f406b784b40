import { HostsStore } from './hosts.ts';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { AgentApi } from './agent-api.ts';
import { ApiClient } from './api.ts';
import { ApprovalStore } from './approvals.ts';
import { OverviewStore, PipelinesStore } from './board.ts';
import { EventFeed, wsBase } from './events.ts';
import { ExecutionStore } from './executions.ts';
import { IssueBoardStore, IssuesApi } from './issues.ts';
import { DesktopNotifier } from './notifier.ts';
import { PaneTails } from './pane-tails.ts';
import { QueueStore, QueuesApi } from './queues.ts';
import { AgentConfigStore, PaneStore } from './panes.ts';
import { Router } from './router.ts';
import { ServerStatus } from './server-status.ts';
import { SessionStore } from './sessions.ts';
import type { TabsStore } from './tabs.ts';
import { Terminals } from './terminals.ts';
import { ThemeStore } from './theme.ts';

/** Everything the components use, created once per page. */
export interface Services {
  readonly api: ApiClient;
  readonly agent: AgentApi;
  readonly feed: EventFeed;
  readonly sessions: SessionStore;
  readonly terminals: Terminals;
  readonly router: Router;
  readonly theme: ThemeStore;
  readonly overview: OverviewStore;
  readonly pipelines: PipelinesStore;
  readonly approvals: ApprovalStore;
  readonly panes: PaneStore;
  readonly tails: PaneTails;
  readonly agentConfig: AgentConfigStore;
  readonly issues: IssueBoardStore;
  readonly executions: ExecutionStore;
  readonly queues: QueueStore;
  /** The server's connection to tmux (watchdog state). */
  readonly serverStatus: ServerStatus;
  /** Browser notifications for approvals and failed stages. */
  readonly notifier: DesktopNotifier;
  /** Every host of hosts.yaml with its connection. */
  readonly hosts: HostsStore;
}

export function createServices(): Services {
  const api = new ApiClient();
  const agent = new AgentApi(api);
  const theme = new ThemeStore();
  const router = new Router();
  const feed = new EventFeed(wsBase());
  const sessions = new SessionStore(api, feed);
  const terminals = new Terminals({ api, sessions, theme, baseUrl: wsBase(), onEscapeFocus: focusTerminalToolbar });
  const tails = new PaneTails(feed);
  const services: Services = {
    api,
    agent,
    feed,
    sessions,
    terminals,
    router,
    theme,
    tails,
    notifier: new DesktopNotifier(feed, (path) => router.navigate(path)),
    overview: new OverviewStore(feed, agent),
    pipelines: new PipelinesStore(feed, agent, tails),
    approvals: new ApprovalStore(feed, agent),
    panes: new PaneStore(feed, agent, tails),
    agentConfig: new AgentConfigStore(feed, agent),
    issues: new IssueBoardStore(feed, new IssuesApi(api)),
    executions: new ExecutionStore(api, feed),
    queues: new QueueStore(feed, new QueuesApi(api)),
    serverStatus: new ServerStatus(feed),
    hosts: new HostsStore(feed, api),
  };
  // The events socket runs while the cookie works; a 401 anywhere stops it.
  api.auth.subscribe((auth) => {
    if (auth === 'ok') {
      feed.start();
      // The nav counts pending approvals on every page.
      services.approvals.use();
    } else if (auth === 'anonymous') {
      feed.stop();
    }
  });
  return services;
}

/**
 * F6 in a terminal: focus its toolbar, since Tab itself belongs to the program. The
 * first target shown: the attach command's Copy, or on a narrow toolbar its More menu.
 */
function focusTerminalToolbar(): void {
  const targets = document.querySelectorAll<HTMLElement>('.terminal-panel:not([hidden]) [data-focus-from-terminal]');
  [...targets].find((target) => target.getClientRects().length > 0)?.focus();
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesContext');
  return services;
}

/** The terminal tabs, inside the lazily loaded terminal pages (the store exists once they render). */
export function useTabs(): TabsStore {
  const store = useServices().terminals.store.value;
  if (!store) throw new Error('useTabs before the terminal code was loaded');
  return store;
}
