import { Link } from './Link.tsx';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <section class="page-message">
      <h1>Nothing here</h1>
      <p>
        There is no page at <code>{path}</code>. Go to <Link href="/sessions">Sessions</Link>.
      </p>
    </section>
  );
}
