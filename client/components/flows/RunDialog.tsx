import { useState } from 'preact/hooks';
import type { Flow } from '../../../schemas/index.ts';
import { t } from '../../i18n/index.ts';
import { ApiError } from '../../services/api.ts';
import { Modal } from '../Modal.tsx';

interface Props {
  readonly flow: Flow;
  /** Starts the run (and leaves the page); a refusal is shown here. */
  readonly onRun: (variables: Record<string, string>) => Promise<void>;
  readonly onClose: () => void;
}

/** Run a flow that has variables: their values for this run, prefilled with the flow's own. */
export function RunDialog({ flow, onRun, onClose }: Props) {
  const [values, setValues] = useState<Record<string, string>>({ ...flow.variables });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await onRun(values);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <Modal titleId="flow-run-title" onDismiss={() => !busy && onClose()} class="flow-run-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <h2 id="flow-run-title">{t('flows.runDialog.title', { name: flow.name })}</h2>
        <p class="hint">{t('flows.runDialog.hint')}</p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {Object.keys(flow.variables).map((name) => (
          <div class="field" key={name}>
            <label class="field-label" htmlFor={`flow-run-var-${name}`}>
              <code>{`{{${name}}}`}</code>
            </label>
            <textarea
              id={`flow-run-var-${name}`}
              name={name}
              rows={2}
              value={values[name] ?? ''}
              onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
              spellcheck={false}
            />
          </div>
        ))}
        <div class="form-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t('flows.runDialog.cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {t('flows.run')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
