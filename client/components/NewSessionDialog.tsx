import { useState } from 'preact/hooks';
import type { CliSession, CreateSessionBody, ToolName } from '../../schemas/index.ts';
import { ApiError } from '../services/api.ts';
import { useServices } from '../services/index.ts';
import { Modal } from './Modal.tsx';

/** Every ToolName, checked against the schema at compile time. */
const TOOLS = ['bash', 'claude', 'codex', 'gemini', 'qwen', 'opencode', 'custom'] as const satisfies readonly ToolName[];
type MissingTool = Exclude<ToolName, (typeof TOOLS)[number]>;
const toolsComplete: [MissingTool] extends [never] ? true : false = true;
void toolsComplete;

type Field = 'tool' | 'name' | 'workingDir' | 'shell';
const FIELDS: readonly Field[] = ['tool', 'name', 'workingDir', 'shell'];

interface Props {
  readonly onClose: () => void;
  readonly onCreated: (session: CliSession) => void;
}

/** Tool, name, working directory (and a command for `custom`); the server validates, errors show at their field. */
export function NewSessionDialog({ onClose, onCreated }: Props) {
  const { api, sessions } = useServices();
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
      if (tool === 'custom' && /"shell"/.test(err.message) && !perField.shell) perField.shell = err.message;
      setFieldErrors(perField);
      const first = FIELDS.find((f) => perField[f]);
      // The message is shown at its field; the summary only says where to look.
      setError(first ? `Not created: correct the marked field${Object.keys(perField).length > 1 ? 's' : ''}.` : err.message);
      if (first) queueMicrotask(() => document.querySelector<HTMLElement>(`.new-session-dialog [name="${first}"]`)?.focus());
    }
  };

  const fieldProps = (field: Field) => ({
    'aria-invalid': fieldErrors[field] ? true : undefined,
    'aria-describedby': fieldErrors[field] ? `new-${field}-error new-${field}-help` : `new-${field}-help`,
  });
  const fieldError = (field: Field) =>
    fieldErrors[field] ? (
      <span class="field-error" id={`new-${field}-error`}>
        {fieldErrors[field]}
      </span>
    ) : null;

  return (
    <Modal titleId="new-session-title" onDismiss={() => !busy && onClose()} class="new-session-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <h2 id="new-session-title">New session</h2>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="field">
          <label class="field-label" htmlFor="new-tool">Tool</label>
          <select id="new-tool" name="tool" value={tool} onChange={(e) => setTool(e.currentTarget.value as ToolName)} {...fieldProps('tool')}>
            {TOOLS.map((t) => (
              <option key={t} value={t}>
                {t === 'custom' ? 'custom command' : t}
              </option>
            ))}
          </select>
          <span class="hint" id="new-tool-help">
            The program started in the new tmux pane.
          </span>
          {fieldError('tool')}
        </div>
        {tool === 'custom' && (
          <div class="field">
            <label class="field-label" htmlFor="new-shell">Command</label>
            <input
              id="new-shell"
              name="shell"
              value={shell}
              onInput={(e) => setShell(e.currentTarget.value)}
              placeholder="e.g. htop, or bash --norc"
              autoComplete="off"
              spellcheck={false}
              {...fieldProps('shell')}
            />
            <span class="hint" id="new-shell-help">
              Run by the shell in the new pane.
            </span>
            {fieldError('shell')}
          </div>
        )}
        <div class="field">
          <label class="field-label" htmlFor="new-name">Name</label>
          <input
            id="new-name"
            name="name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder={`${tool}-1 (automatic)`}
            autoComplete="off"
            spellcheck={false}
            autofocus
            {...fieldProps('name')}
          />
          <span class="hint" id="new-name-help">
            The tmux session name: letters, digits, space, _ + @ -
          </span>
          {fieldError('name')}
        </div>
        <div class="field">
          <label class="field-label" htmlFor="new-workingDir">Working directory</label>
          <input
            id="new-workingDir"
            name="workingDir"
            value={workingDir}
            onInput={(e) => setWorkingDir(e.currentTarget.value)}
            placeholder="the server's home directory"
            autoComplete="off"
            spellcheck={false}
            {...fieldProps('workingDir')}
          />
          <span class="hint" id="new-workingDir-help">
            An absolute path on the server.
          </span>
          {fieldError('workingDir')}
        </div>
        <div class="form-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create session'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
