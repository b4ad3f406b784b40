import type { ComponentChildren } from 'preact';
import { plural, t } from '../i18n/index.ts';
import { useEffect, useState } from 'preact/hooks';
import type { CliSession, CreateSessionBody, ToolName } from '../../schemas/index.ts';
import { ApiError } from '../services/api.ts';
import { useServices } from '../services/index.ts';
import { hostStateText } from './HostState.tsx';
import { Modal } from './Modal.tsx';

/** Every ToolName, checked against the schema at compile time. */
const TOOLS = ['bash', 'claude', 'codex', 'gemini', 'qwen', 'opencode', 'custom'] as const satisfies readonly ToolName[];
type MissingTool = Exclude<ToolName, (typeof TOOLS)[number]>;
const toolsComplete: [MissingTool] extends [never] ? true : false = true;
void toolsComplete;

type Field = 'host' | 'tool' | 'name' | 'workingDir' | 'shell';
const FIELDS: readonly Field[] = ['host', 'tool', 'name', 'workingDir', 'shell'];

interface Props {
  readonly onClose: () => void;
  readonly onCreated: (session: CliSession) => void;
}

/** Tool, name, working directory (and a command for `custom`); the server validates, errors show at their field. */
export function NewSessionDialog({ onClose, onCreated }: Props) {
  const { api, sessions, hosts } = useServices();
  useEffect(() => hosts.use(), [hosts]);
  const remoteHosts = hosts.remote();
  /** '' = the bridge's own machine. */
  const [host, setHost] = useState('');
  const [tool, setTool] = useState<ToolName>('bash');
  const [name, setName] = useState('');
  const [workingDir, setWorkingDir] = useState('');
  const [shell, setShell] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: CreateSessionBody = { tool };
    if (host) body.host = host;
    if (name.trim()) body.name = name.trim();
    if (workingDir.trim()) body.workingDir = workingDir.trim();
    if (tool === 'custom' || shell.trim()) body.shell = shell.trim() || undefined;
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      const session = await api.createSession(body);
      sessions.upsert(session);
      onCreated(session);
    } catch (err) {
      setBusy(false);
      if (!(err instanceof ApiError)) {
        setError(String(err));
        return;
      }
      const perField: Partial<Record<Field, string>> = {};
      for (const field of FIELDS) {
        const messages = err.fieldMessages(field);
        if (messages.length > 0) perField[field] = messages.join('; ');
      }
      // Errors the server reports without a field path but about one field.
      if (err.code === 'name_taken') perField.name = err.message;
      if (err.code === 'unknown_host' || err.code === 'host_unavailable') perField.host = err.message;
      if (tool === 'custom' && /"shell"/.test(err.serverMessage) && !perField.shell) perField.shell = err.message;
      setFieldErrors(perField);
      const first = FIELDS.find((f) => perField[f]);
      // The message is shown at its field; the summary only says where to look.
      setError(first ? plural('newSession.fixFields', Object.keys(perField).length) : err.message);
      if (first) queueMicrotask(() => document.querySelector<HTMLElement>(`.new-session-dialog [name="${first}"]`)?.focus());
    }
  };

  return (
    <Modal titleId="new-session-title" onDismiss={() => !busy && onClose()} class="new-session-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <h2 id="new-session-title">{t('newSession.title')}</h2>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {remoteHosts.length > 0 && (
          <FormField field="host" label={t('newSession.host')} hint={t('newSession.hostHint')} error={fieldErrors.host}>
            {(attrs) => (
              <select {...attrs} value={host} onChange={(e) => setHost(e.currentTarget.value)}>
                <option value="">{t('host.thisMachine')}</option>
                {remoteHosts.map((h) => (
                  <option key={h.name} value={h.name}>
                    {h.state === 'connected' ? h.name : t('newSession.hostDown', { host: h.name, state: hostStateText(h.state) })}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        )}
        <FormField field="tool" label={t('newSession.tool')} hint={t('newSession.toolHint')} error={fieldErrors.tool}>
          {(attrs) => (
            <select {...attrs} value={tool} onChange={(e) => setTool(e.currentTarget.value as ToolName)}>
              {TOOLS.map((name) => (
                <option key={name} value={name}>
                  {name === 'custom' ? t('newSession.custom') : name}
                </option>
              ))}
            </select>
          )}
        </FormField>
        {tool === 'custom' && (
          <TextField
            field="shell"
            label={t('newSession.command')}
            hint={t('newSession.commandHint')}
            error={fieldErrors.shell}
            value={shell}
            onInput={setShell}
            placeholder={t('newSession.commandPlaceholder')}
          />
        )}
        <TextField
          field="name"
          label={t('newSession.name')}
          hint={t('newSession.nameHint')}
          error={fieldErrors.name}
          value={name}
          onInput={setName}
          placeholder={t('newSession.namePlaceholder', { tool })}
          autofocus
        />
        <TextField
          field="workingDir"
          label={t('newSession.dir')}
          hint={host ? t('newSession.dirHintRemote', { host }) : t('newSession.dirHint')}
          error={fieldErrors.workingDir}
          value={workingDir}
          onInput={setWorkingDir}
          placeholder={t('newSession.dirPlaceholder')}
        />
        <div class="form-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t('action.cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('newSession.creating') : t('newSession.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

interface FieldProps {
  readonly field: Field;
  readonly label: string;
  readonly hint: string;
  /** What the server said about this field. */
  readonly error: string | undefined;
}

/** What ties a control to its label, hint and error. */
interface ControlAttrs {
  readonly id: string;
  readonly name: Field;
  readonly 'aria-invalid': true | undefined;
  readonly 'aria-describedby': string;
}

/** Label, control, hint and error of one field; the control gets the attributes that tie them together. */
function FormField({ field, label, hint, error, children }: FieldProps & { children: (attrs: ControlAttrs) => ComponentChildren }) {
  const attrs: ControlAttrs = {
    id: `new-${field}`,
    name: field,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `new-${field}-error new-${field}-help` : `new-${field}-help`,
  };
  return (
    <div class="field">
      <label class="field-label" htmlFor={attrs.id}>
        {label}
      </label>
      {children(attrs)}
      <span class="hint" id={`new-${field}-help`}>
        {hint}
      </span>
      {error ? (
        <span class="field-error" id={`new-${field}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** A one-line text field (no autocomplete, no spellcheck: names, paths and commands). */
function TextField({ value, onInput, placeholder, autofocus, ...field }: FieldProps & { value: string; onInput: (value: string) => void; placeholder: string; autofocus?: boolean }) {
  return (
    <FormField {...field}>
      {(attrs) => (
        <input {...attrs} value={value} onInput={(e) => onInput(e.currentTarget.value)} placeholder={placeholder} autoComplete="off" spellcheck={false} autofocus={autofocus} />
      )}
    </FormField>
  );
}
