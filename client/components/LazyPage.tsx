import { signal } from '@preact/signals';
import type { ComponentType } from 'preact';
import { useEffect } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { LoadError, Loading } from './board/States.tsx';
import { errorMessage } from '../../base/errors.ts';

/**
 * A page whose code (and strings) is a chunk of its own, fetched the first time
 * the page is opened or when the browser is idle (`preload`). Pages most visits
 * never open stay out of the first paint.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): { Page: ComponentType<P>; preload: () => void } {
  const loaded = signal<ComponentType<P> | undefined>(undefined);
  const error = signal<string | undefined>(undefined);
  let pending: Promise<void> | undefined;
  const start = () =>
    (pending ??= load().then(
      (component) => {
        loaded.value = component;
        error.value = undefined;
      },
      (err: unknown) => {
        pending = undefined;
        error.value = errorMessage(err);
      },
    ));
  function Page(props: P) {
    useEffect(() => void start(), []);
    const Component = loaded.value;
    if (Component) return <Component {...props} />;
    return error.value ? <LoadError what={t('app.thisPage')} message={error.value} onRetry={() => void start()} /> : <Loading what={t('app.thisPage')} />;
  }
  return { Page, preload: () => void start() };
}
