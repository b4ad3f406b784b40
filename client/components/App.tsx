import { useEffect, useRef, useState } from 'preact/hooks';
import { DashboardPage } from '../pages/DashboardPage.tsx';
import { t } from '../i18n/index.ts';
import { useServices } from '../services/index.ts';
import type { Route } from '../services/router.ts';
import { LoadError, Loading } from './board/States.tsx';
import { lazyPage } from './LazyPage.tsx';
import { loadStylesheet } from '../lib/stylesheet.ts';
import { LoginScreen } from './LoginScreen.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { RateLimitBanner } from './RateLimitBanner.tsx';
import { TmuxStatusBanner } from './TmuxStatusBanner.tsx';
import { TopBar } from './TopBar.tsx';
import { errorMessage } from '../../base/errors.ts';

// Pages few visits open load with their own chunk (code and strings).
export const configPage = lazyPage(() => import('../pages/ConfigPage.tsx').then((m) => m.ConfigPage));
export const historyPage = lazyPage(() => import('../pages/HistoryPage.tsx').then((m) => m.HistoryPage));
export const flowsPage = lazyPage(() => import('../pages/FlowsPage.tsx').then((m) => m.FlowsPage));
export const executionsPage = lazyPage(() => import('../pages/ExecutionsPage.tsx').then((m) => m.ExecutionsPage));
// Approvals, pipelines and the pane monitor too: the first paint stays small (fetched when the browser is idle).
export const approvalsPage = lazyPage(() => import('../pages/ApprovalsPage.tsx').then((m) => m.ApprovalsPage));
export const pipelinesPage = lazyPage(() => import('../pages/PipelinesPage.tsx').then((m) => m.PipelinesPage));
export const monitorPage = lazyPage(() => import('../pages/MonitorPage.tsx').then((m) => m.MonitorPage));

/** The shell: top bar and the page for the current route (or the login screen). */
export function App() {
  const { api, router } = useServices();
  const auth = api.auth.value;
  const route = router.route.value;
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After an in-app navigation, keyboard and screen-reader users start at the new page's content.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // A link to a place in the page (#approval-…) lets the page put focus there.
    if (location.hash) return;
    if (route.page !== 'sessions') main.current?.focus({ preventScroll: true });
    main.current?.scrollTo(0, 0);
  }, [route.page, route.page === 'pipelines' ? route.name : undefined]);
  let page;
  if (auth === 'anonymous') page = <LoginScreen />;
  else if (auth === 'unknown') page = <p class="page-message" role="status">{t('app.loading')}</p>;
  else page = <Page route={route} />;
  return (
    <div class="app">
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <TopBar />
      <RateLimitBanner />
      {auth === 'ok' && <TmuxStatusBanner />}
      <main id="main" ref={main} class={`main main-${route.page}`} tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard':
      return <DashboardPage />;
    case 'pipelines':
      return <pipelinesPage.Page name={route.name} />;
    case 'approvals':
      return <approvalsPage.Page />;
    case 'monitor':
      return <monitorPage.Page />;
    case 'history':
      return <historyPage.Page />;
    case 'config':
      return <configPage.Page />;
    case 'sessions':
      return <TerminalsRoute sessionKey={route.sessionKey} />;
    case 'issues':
      return <IssuesRoute />;
    case 'queues':
      return <QueuesRoute />;
    case 'flows':
      return <flowsPage.Page view={route.view} />;
    case 'executions':
      return <executionsPage.Page />;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}

type IssuesModule = typeof import('../pages/IssuesPage.tsx');
let issuesModule: Promise<IssuesModule> | undefined;

/** The issue board, from its own chunk (drag and drop, markdown) so the other pages never load it. */
function IssuesRoute() {
  const [module, setModule] = useState<IssuesModule | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const load = () => {
    setError(undefined);
    issuesModule ??= import('../pages/IssuesPage.tsx');
    issuesModule.then(setModule, (e: unknown) => {
      issuesModule = undefined;
      setError(t('issues.loadCode', { message: errorMessage(e) }));
    });
  };
  useEffect(load, []);
  if (module) return <module.IssuesPage />;
  return error ? <LoadError what={t('issues.what')} message={error} onRetry={load} /> : <Loading what={t('issues.what')} />;
}

type QueuesModule = typeof import('../pages/QueuesPage.tsx');
let queuesModule: Promise<QueuesModule> | undefined;

/** The queues, from their own chunk (drag and drop) like the board. */
function QueuesRoute() {
  const [module, setModule] = useState<QueuesModule | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const load = () => {
    setError(undefined);
    queuesModule ??= Promise.all([import('../pages/QueuesPage.tsx'), loadStylesheet('queues')]).then(([module]) => module);
    queuesModule.then(setModule, (e: unknown) => {
      queuesModule = undefined;
      setError(errorMessage(e));
    });
  };
  useEffect(load, []);
  if (module) return <module.QueuesPage />;
  return error ? <LoadError what={t('queues.title')} message={error} onRetry={load} /> : <Loading what={t('queues.title')} />;
}

/** The sessions page and terminal tabs, from the lazily loaded terminal chunk. */
function TerminalsRoute({ sessionKey }: { sessionKey: string | undefined }) {
  const { terminals } = useServices();
  const module = terminals.module.value;
  const title = t('page.title', { title: t('nav.terminals') });
  useEffect(() => void terminals.load().catch(() => undefined), []);
  useEffect(() => {
    document.title = title;
  }, [title]);
  if (module) return <module.SessionsPage sessionKey={sessionKey} />;
  const error = terminals.loadError.value;
  return error ? <LoadError what={t('nav.terminals')} message={error} onRetry={() => void terminals.load().catch(() => undefined)} /> : <Loading what={t('nav.terminals')} />;
}
