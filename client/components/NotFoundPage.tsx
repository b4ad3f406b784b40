import { Rich, t } from '../i18n/index.ts';
import { Link } from './Link.tsx';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <section class="page-message">
      <h1>{t('notFound.title')}</h1>
      <p>
        <Rich
          k="notFound.body"
          values={{
            path: <code>{path}</code>,
            dashboard: <Link href="/">{t('notFound.dashboard')}</Link>,
            terminals: <Link href="/sessions">{t('notFound.terminals')}</Link>,
          }}
        />
      </p>
    </section>
  );
}
