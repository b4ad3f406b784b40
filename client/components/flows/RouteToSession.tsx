import { Rich, t } from '../../i18n/index.ts';
import { useMemo, useState } from 'preact/hooks';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { Modal } from '../Modal.tsx';
import { FlowsApi, terminalHref } from './api.ts';

interface Props {
  /** Preselected session (the terminal page passes its own). */
  readonly sessionKey?: string;
  /** Text to send; or a run node's instruction (runId + nodeId). */
  readonly text?: string;
  readonly runId?: string;
  readonly nodeId?: string;
  /** The tool that runs the text (a queue item's); default: the session's own. */
  readonly tool?: string;
  readonly onClose: () => void;
}

/**
 * "Route to session": sends text, or a run node's instruction, into a chosen
 * session through the execute path (tracked to its end, like a sendToSession node).
 */
export function RouteToSessionDialog({ sessionKey, text: initialText, runId, nodeId, tool, onClose }: Props) {
  const services = useServices();
  const flows = useMemo(() => new FlowsApi(services.api), []);
  const live = services.sessions.list.value.filter((s) => s.status === 'running');
  const [target, setTarget] = useState(sessionKey ?? live[0]?.sessionKey ?? '');
  const [text, setText] = useState(initialText ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [sent, setSent] = useState<{ executionId: string; sessionKey: string } | undefined>(undefined);
  const fromNode = runId !== undefined && nodeId !== undefined && initialText === undefined;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !target) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = fromNode && text === '' ? { sessionKey: target, runId, nodeId } : { sessionKey: target, text, ...(tool ? { tool } : {}) };
      setSent(await flows.route(body));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal titleId="route-title" onDismiss={() => !busy && onClose()} class="route-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <h2 id="route-title">{t('flows.route.title')}</h2>
        <p class="hint">{t('flows.route.hint')}</p>
        {tool && <p class="hint">{t('flows.route.withTool', { tool })}</p>}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {sent && (
          <p class="form-ok" role="status">
            <Rich k="flows.route.sent" values={{ id: <code>{sent.executionId}</code> }} />{' '}
            <a href={terminalHref(sent.sessionKey, null)} onClick={(e) => (services.router.handleLinkClick(e, terminalHref(sent.sessionKey, null)), onClose())}>
              {t('flows.route.open')}
            </a>
          </p>
        )}
        <div class="field">
          <label class="field-label" htmlFor="route-session">
            {t('flows.route.session')}
          </label>
          <select id="route-session" name="sessionKey" value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            {!live.length && <option value="">{t('flows.route.none')}</option>}
            {live.map((s) => (
              <option key={s.sessionKey} value={s.sessionKey}>
                {s.name} · {s.tool} ({s.sessionKey})
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label class="field-label" htmlFor="route-text">
            {fromNode ? t('flows.route.textFromNode') : t('flows.route.text')}
          </label>
          <textarea id="route-text" name="text" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} spellcheck={false} />
        </div>
        <div class="form-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t('flows.route.close')}
          </button>
          <button type="submit" class="primary" disabled={busy || !target || (!fromNode && !text)}>
            {t('flows.route.send')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
