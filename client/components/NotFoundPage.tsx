import { Link } from './Link.tsx';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <section class="page-message">
      <h1>Nothing here</h1>
      <p>
        There is no page at <code>{path}</code>. Go to the <Link href="/">dashboard</Link> or the <Link href="/sessions">terminals</Link>.
      </p>
    </section>
  );
}
