import '@xterm/xterm/css/xterm.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/sessions.css';
import './styles/dialogs.css';
import './styles/phone.css';
import { render } from 'preact';
import { App } from './components/App.tsx';
import { createServices, ServicesContext } from './services/index.ts';

const services = createServices();
void services.sessions.refresh();

render(
  <ServicesContext.Provider value={services}>
    <App />
  </ServicesContext.Provider>,
  document.getElementById('app')!,
);

// For tests and debugging: the live services (no secrets: the token is an HttpOnly cookie).
(window as unknown as { tmuxBridge: unknown }).tmuxBridge = services;
