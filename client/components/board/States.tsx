import type { ComponentChildren } from 'preact';
import { t } from '../../i18n/index.ts';

/** Loading: a line that says what is loading (announced politely). */
export function Loading({ what }: { what: string }) {
  return (
    <p class="state state-loading" role="status">
      <span class="spinner" aria-hidden="true" /> {t('state.loading', { what })}
    </p>
  );
}

/** An error that says what failed and offers to try again. */
export function LoadError({ what, message, onRetry }: { what: string; message: string; onRetry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <p>
        <strong>{t('state.loadFailed', { what })}</strong> {message}
      </p>
      {onRetry && (
        <button type="button" class="small" onClick={onRetry}>
          {t('state.retry')}
        </button>
      )}
    </div>
  );
}

/** Nothing to show yet: what this place is for and what to do to fill it. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <p class="state-title">{title}</p>
      {children && <div class="state-help">{children}</div>}
    </div>
  );
}

interface ResourceLike<T> {
  readonly data: { readonly value: T | undefined };
  readonly error: { readonly value: string | undefined };
  refresh(): Promise<void>;
}

/**
 * The loading / error / ready switch of a live resource. A refresh that fails
 * while data is shown keeps the data and adds a small warning above it.
 */
export function Loaded<T>({ resource, what, children }: { resource: ResourceLike<T>; what: string; children: (data: T) => ComponentChildren }) {
  const data = resource.data.value;
  const error = resource.error.value;
  if (data === undefined) {
    return error ? <LoadError what={what} message={error} onRetry={() => void resource.refresh()} /> : <Loading what={what} />;
  }
  return (
    <>
      {error && (
        <p class="stale-warning" role="status">
          {t('state.stale', { what, error })}{' '}
          <button type="button" class="link-button" onClick={() => void resource.refresh()}>
            {t('state.reload')}
          </button>
        </p>
      )}
      {children(data)}
    </>
  );
}
