import type { ComponentChildren, JSX } from 'preact';
import { useServices } from '../services/index.ts';
import { withBase } from '../lib/base-path.ts';

type Props = Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href' | 'onClick'> & { href: string; children: ComponentChildren };

/** An `<a>` that navigates inside the app on a plain click. */
export function Link({ href, children, ...rest }: Props) {
  const { router } = useServices();
  return (
    <a href={href.startsWith('/') && !href.startsWith('//') ? withBase(href) : href} onClick={(e) => router.handleLinkClick(e, href)} {...rest}>
      {children}
    </a>
  );
}
