import type { ComponentChildren } from 'preact';
import { t } from '../i18n/index.ts';
import { useState } from 'preact/hooks';
import { Modal } from './Modal.tsx';
import { errorMessage } from '../../base/errors.ts';

interface Props {
  readonly title: string;
  readonly children: ComponentChildren;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  /** Resolves when done; a rejection's message is shown and the dialog stays. */
  readonly onConfirm: () => Promise<void>;
  readonly onCancel: () => void;
}

/** Yes/no with Enter = confirm and Escape = cancel. */
export function ConfirmDialog({ title, children, confirmLabel, danger, onConfirm, onCancel }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  return (
    <Modal titleId="confirm-title" onDismiss={() => !busy && onCancel()} class="confirm-dialog">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (busy) return;
          setBusy(true);
          setError(undefined);
          try {
            await onConfirm();
          } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
          }
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        <div class="confirm-text">{children}</div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="form-actions">
          <button type="button" onClick={onCancel} disabled={busy}>
            {t('action.cancel')}
          </button>
          <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy} autofocus>
            {busy ? t('confirm.working') : confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
