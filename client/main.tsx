// The terminal pages and the queues bring their own stylesheets (client/styles/*.bundle.css).
import './styles/base.css';
import './styles/shell.css';
import './styles/dialogs.css';
import './styles/board.css';
import './styles/board-dashboard.css';
import './styles/board-pipeline.css';
import './styles/board-approvals.css';
import './styles/board-monitor.css';
import './styles/board-history.css';
import './styles/board-config.css';
import './styles/issues.css';
import './styles/flows.css';
import './styles/executions.css';
import './styles/phone.css';
import { render } from 'preact';
import { App, approvalsPage, configPage, executionsPage, flowsPage, historyPage, monitorPage, pipelinesPage } from './components/App.tsx';
import * as i18n from './i18n/index.ts';
import { createServices, ServicesContext } from './services/index.ts';

const services = createServices();
void services.sessions.refresh();
// A Chinese-speaking browser fetches its catalog (a small chunk) before the first paint.
await i18n.startI18n();

render(
  <ServicesContext.Provider value={services}>
    <App />
  </ServicesContext.Provider>,
  document.getElementById('app')!,
);

// The terminal chunk (xterm) is not needed to paint a board page: fetch it when the browser is idle.
const idle = window.requestIdleCallback ?? ((fn: () => void) => setTimeout(fn, 1500));
idle(() => {
  services.terminals.preload();
  approvalsPage.preload();
  pipelinesPage.preload();
  monitorPage.preload();
  configPage.preload();
  historyPage.preload();
  flowsPage.preload();
  executionsPage.preload();
});

// For tests and debugging: the live services (no secrets: the token is an HttpOnly cookie).
// `tabs` is the terminal tab store once the terminal code has loaded; `i18n` the language functions.
(window as unknown as { tmuxBridge: unknown }).tmuxBridge = Object.defineProperty({ ...services, i18n }, 'tabs', {
  get: () => services.terminals.store.value,
  enumerable: true,
});
