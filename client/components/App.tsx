import { useServices } from '../services/index.ts';
import { LoginScreen } from './LoginScreen.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { SessionsPage } from './SessionsPage.tsx';
import { TopBar } from './TopBar.tsx';

/** The shell: top bar and the page for the current route (or the login screen). */
export function App() {
  const { api, router } = useServices();
  const auth = api.auth.value;
  const route = router.route.value;
  let page;
  if (auth === 'anonymous') page = <LoginScreen />;
  else if (auth === 'unknown') page = <p class="page-message" role="status">Loading…</p>;
  else if (route.page === 'sessions') page = <SessionsPage sessionKey={route.sessionKey} />;
  else page = <NotFoundPage path={route.path} />;
  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar />
      <main id="main" class="main" tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}
