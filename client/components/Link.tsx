import type { ComponentChildren, JSX } from 'preact';
import { useServices } from '../services/index.ts';

type Props = Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href' | 'onClick'> & { href: string; children: ComponentChildren };

/** An `<a>` that navigates inside the app on a plain click. */
export function Link({ href, children, ...rest }: Props) {
  const { router } = useServices();
  return (
    <a href={href} onClick={(e) => router.handleLinkClick(e, href)} {...rest}>
      {children}
    </a>
  );
}
