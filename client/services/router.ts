import { computed, signal } from '@preact/signals';
import type { MessageKey } from '../i18n/index.ts';
import { Disposable, listen } from '../lib/disposable.ts';
import { stripBase, withBase } from '../lib/base-path.ts';

/** A page of the app; the nav lists those with a label. */
export type Route =
  | { readonly page: 'dashboard' }
  | { readonly page: 'pipelines'; readonly name: string | undefined }
  | { readonly page: 'approvals' }
  | { readonly page: 'monitor' }
  | { readonly page: 'history' }
  | { readonly page: 'config' }
  | { readonly page: 'sessions'; readonly sessionKey: string | undefined }
  | { readonly page: 'issues' }
  | { readonly page: 'queues' }
  | { readonly page: 'flows'; readonly view: FlowsView }
  | { readonly page: 'executions' }
  | { readonly page: 'not-found'; readonly path: string };

export type PageName = Route['page'];

/** `/flows` (list), `/flows/new` and `/flows/:id` (editor), `/flows/runs/:runId` (run monitor). */
export type FlowsView = { readonly view: 'list' } | { readonly view: 'edit'; readonly flowId: string | undefined } | { readonly view: 'run'; readonly runId: string };

export interface NavItem {
  readonly href: string;
  /** The catalog key of its name in the nav. */
  readonly label: MessageKey;
  readonly page: PageName;
}

/** The main navigation, in order. Terminals (the sessions page) is last and always there. */
export const NAV: readonly NavItem[] = [
  { href: '/', label: 'nav.dashboard', page: 'dashboard' },
  { href: '/pipelines', label: 'nav.pipelines', page: 'pipelines' },
  { href: '/approvals', label: 'nav.approvals', page: 'approvals' },
  { href: '/monitor', label: 'nav.monitor', page: 'monitor' },
  { href: '/history', label: 'nav.history', page: 'history' },
  { href: '/config', label: 'nav.config', page: 'config' },
  { href: '/issues', label: 'nav.issues', page: 'issues' },
  { href: '/flows', label: 'nav.flows', page: 'flows' },
  { href: '/executions', label: 'nav.executions', page: 'executions' },
  { href: '/sessions', label: 'nav.terminals', page: 'sessions' },
];

const SIMPLE: Record<string, Route> = {
  '/': { page: 'dashboard' },
  '/approvals': { page: 'approvals' },
  '/monitor': { page: 'monitor' },
  '/history': { page: 'history' },
  '/config': { page: 'config' },
  '/pipelines': { page: 'pipelines', name: undefined },
  '/sessions': { page: 'sessions', sessionKey: undefined },
  '/issues': { page: 'issues' },
  '/queues': { page: 'queues' },
  '/flows': { page: 'flows', view: { view: 'list' } },
  '/flows/new': { page: 'flows', view: { view: 'edit', flowId: undefined } },
  '/executions': { page: 'executions' },
};

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function matchRoute(path: string): Route {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const simple = SIMPLE[trimmed];
  if (simple) return simple;
  const session = /^\/sessions\/([A-Za-z0-9_-]{1,100})$/.exec(trimmed);
  if (session) return { page: 'sessions', sessionKey: session[1] };
  const flowRun = /^\/flows\/runs\/([A-Za-z0-9_.:-]{1,100})$/.exec(trimmed);
  if (flowRun) return { page: 'flows', view: { view: 'run', runId: flowRun[1]! } };
  const flow = /^\/flows\/([A-Za-z0-9_.:-]{1,100})$/.exec(trimmed);
  if (flow) return { page: 'flows', view: { view: 'edit', flowId: flow[1]! } };
  const pipeline = /^\/pipelines\/([^/]+)$/.exec(trimmed);
  const name = pipeline ? decode(pipeline[1]!) : undefined;
  if (name) return { page: 'pipelines', name };
  return { page: 'not-found', path };
}

/**
 * The terminal page of a session; with `offset` (an execution's `offsetStart`) it opens
 * at that point of the pane's stream: the queues and the flows link an item's or a node's
 * run this way (docs/workbench.md, "Opening a terminal at an execution").
 */
export function terminalHref(sessionKey: string, offset?: number | null): string {
  return `/sessions/${encodeURIComponent(sessionKey)}${offset !== null && offset !== undefined ? `?offset=${offset}` : ''}`;
}

/** The `offset` of a terminal page's query string, when it is a stream offset. */
export function offsetParam(search: string): number | undefined {
  const raw = new URLSearchParams(search).get('offset');
  if (raw === null || !/^\d{1,16}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The URL of a pipeline's detail page (names may hold any character). */
export function pipelineHref(name: string): string {
  return `/pipelines/${encodeURIComponent(name)}`;
}

const AFTER_LOGIN_KEY = 'tb.afterLogin';
/** A login started from the login screen is honoured for this long. */
const AFTER_LOGIN_MS = 5 * 60_000;

/**
 * The server's /login redirects to `/`. A login typed into the login screen
 * shown on another page returns to that page: remember it here, for the router.
 */
export function rememberPageForLogin(): void {
  try {
    sessionStorage.setItem(AFTER_LOGIN_KEY, JSON.stringify({ path: stripBase(location.pathname) + location.search, at: Date.now() }));
  } catch {
    // storage disabled: the dashboard it is
  }
}

function takePageAfterLogin(): string | undefined {
  try {
    const raw = sessionStorage.getItem(AFTER_LOGIN_KEY);
    sessionStorage.removeItem(AFTER_LOGIN_KEY);
    const value: unknown = raw ? JSON.parse(raw) : undefined;
    if (typeof value !== 'object' || value === null) return undefined;
    const { path, at } = value as { path?: unknown; at?: unknown };
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || typeof at !== 'number') return undefined;
    return Date.now() - at < AFTER_LOGIN_MS ? path : undefined;
  } catch {
    return undefined;
  }
}

/** History-API router: `path` is a signal; links call `navigate`. */
export class Router extends Disposable {
  readonly path = signal(stripBase(location.pathname));
  /** The query string, for pages that keep their filters in the URL. */
  readonly search = signal(location.search);
  readonly route = computed(() => matchRoute(this.path.value));

  constructor() {
    super();
    const after = stripBase(location.pathname) === '/' ? takePageAfterLogin() : undefined;
    if (after && after !== '/') this.navigate(after, { replace: true });
    this.register(
      listen(window, 'popstate', () => {
        this.path.value = stripBase(location.pathname);
        this.search.value = location.search;
      }),
    );
  }

  navigate(path: string, options: { replace?: boolean } = {}): void {
    if (path === stripBase(location.pathname) + location.search) return;
    if (options.replace) history.replaceState(null, '', withBase(path));
    else history.pushState(null, '', withBase(path));
    this.path.value = stripBase(location.pathname);
    this.search.value = location.search;
  }

  /** For `<a>` clicks: plain left clicks stay in the app, the rest is the browser's. */
  handleLinkClick(event: MouseEvent, href: string): void {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    this.navigate(href);
  }
}
