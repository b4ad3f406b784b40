import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { t } from '../../i18n/index.ts';

/** The page's heading (one h1 per page), an optional line under it, and actions on the right. */
export function PageHeader({ title, sub, children }: { title: string; sub?: ComponentChildren; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = t('page.title', { title });
  }, [title]);
  return (
    <header class="page-header">
      <div class="page-heading">
        <h1>{title}</h1>
        {sub && <p class="page-sub">{sub}</p>}
      </div>
      {children && <div class="page-actions">{children}</div>}
    </header>
  );
}
