import { Rich, t } from '../../i18n/index.ts';
import type { ComponentChildren } from 'preact';
import type { CliSession, FlowNode } from '../../../schemas/index.ts';

export type DraftNode = FlowNode;

interface Props {
  readonly node: DraftNode;
  readonly index: number;
  readonly others: readonly DraftNode[];
  /** Ids of the nodes this one runs after. */
  readonly after: readonly string[];
  readonly sessions: readonly CliSession[];
  readonly problems: readonly string[];
  readonly onChange: (node: DraftNode) => void;
  readonly onAfter: (upstream: string[]) => void;
  readonly onRemove: () => void;
}

const TOOLS = ['bash', 'claude', 'codex', 'gemini', 'qwen', 'opencode'];

/** One node of the flow: what to run, where it goes, what its output is called, what a failure does. */
export function NodeForm({ node, index, others, after, sessions, problems, onChange, onAfter, onRemove }: Props) {
  const d = node.data;
  const set = (patch: Partial<DraftNode['data']>) => onChange({ ...node, data: { ...d, ...patch } });
  const id = (field: string) => `node-${index}-${field}`;
  const live = sessions.filter((s) => s.status === 'running');
  return (
    <fieldset class={`node-form${problems.length ? ' invalid' : ''}`} data-node-form={node.id} id={`node-${node.id}`}>
      <legend>
        <Rich k="flows.node" values={{ id: <code>{node.id}</code> }} />
        {d.label && d.label !== node.id ? ` · ${d.label}` : ''}
      </legend>
      {problems.map((p) => (
        <p key={p} class="field-error" role="alert">
          {p}
        </p>
      ))}
      <div class="node-grid">
        <Field id={id('id')} label={t('flows.node.id')} hint={t('flows.node.idHint')}>
          <input id={id('id')} name="id" value={node.id} onChange={(e) => onChange({ ...node, id: e.currentTarget.value.trim() })} autoComplete="off" spellcheck={false} />
        </Field>
        <Field id={id('label')} label={t('flows.node.label')}>
          <input id={id('label')} name="label" value={d.label ?? ''} onInput={(e) => set({ label: e.currentTarget.value })} autoComplete="off" />
        </Field>
        <Field id={id('tool')} label={t('flows.node.tool')} hint={t('flows.node.toolHint')}>
          <input id={id('tool')} name="tool" list="flow-tools" value={d.tool ?? 'bash'} onInput={(e) => set({ tool: e.currentTarget.value.trim() })} autoComplete="off" spellcheck={false} />
        </Field>
        <Field id={id('delivery')} label={t('flows.node.delivery')}>
          <select id={id('delivery')} name="delivery" value={d.delivery} onChange={(e) => set({ delivery: e.currentTarget.value as DraftNode['data']['delivery'] })}>
            <option value="newExecution">{t('flows.node.newExecution')}</option>
            <option value="sendToSession">{t('flows.node.sendToSession')}</option>
          </select>
        </Field>
        {d.delivery === 'sendToSession' ? (
          <Field id={id('target')} label={t('flows.node.target')} hint={t('flows.node.targetHint')}>
            <select id={id('target')} name="targetSessionKey" value={d.targetSessionKey ?? ''} onChange={(e) => set({ targetSessionKey: e.currentTarget.value || null })}>
              <option value="">{t('flows.node.chooseSession')}</option>
              {d.targetSessionKey && !live.some((s) => s.sessionKey === d.targetSessionKey) && <option value={d.targetSessionKey}>{t('flows.node.notRunning', { key: d.targetSessionKey })}</option>}
              {live.map((s) => (
                <option key={s.sessionKey} value={s.sessionKey}>
                  {s.name} · {s.tool} ({s.sessionKey})
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <label class="check-field">
            <input type="checkbox" name="terminal" checked={d.terminal ?? false} onChange={(e) => set({ terminal: e.currentTarget.checked })} /> {t('flows.node.terminal')}
          </label>
        )}
        <Field id={id('output')} label={t('flows.node.output')} hint={t('flows.node.outputHint', { example: `{{${d.outputName || 'name'}}}` })}>
          <input id={id('output')} name="outputName" value={d.outputName ?? ''} onInput={(e) => set({ outputName: e.currentTarget.value.trim() || null })} autoComplete="off" spellcheck={false} />
        </Field>
        <Field id={id('onError')} label={t('flows.node.onError')}>
          <select id={id('onError')} name="onError" value={d.onError ?? 'fail'} onChange={(e) => set({ onError: e.currentTarget.value as DraftNode['data']['onError'] })}>
            <option value="fail">{t('flows.node.onError.fail')}</option>
            <option value="continue">{t('flows.node.onError.continue')}</option>
            <option value="pause">{t('flows.node.onError.pause')}</option>
          </select>
        </Field>
      </div>
      <Field id={id('instruction')} label={t('flows.node.instruction')} hint={t('flows.node.instructionHint', { variable: '{{variable}}' })}>
        <textarea id={id('instruction')} name="instruction" rows={3} value={d.instruction} onInput={(e) => set({ instruction: e.currentTarget.value })} spellcheck={false} />
      </Field>
      {others.length > 0 && (
        <div class="field">
          <span class="field-label">{t('flows.node.after')}</span>
          <div class="after-list">
            {others.map((o) => (
              <label key={o.id} class="check-field">
                <input
                  type="checkbox"
                  name={`after-${o.id}`}
                  checked={after.includes(o.id)}
                  onChange={(e) => onAfter(e.currentTarget.checked ? [...after, o.id] : after.filter((a) => a !== o.id))}
                />{' '}
                {o.data.label || o.id}
              </label>
            ))}
          </div>
        </div>
      )}
      <div class="form-actions">
        <button type="button" class="small danger" onClick={onRemove}>
          {t('flows.node.remove')}
        </button>
      </div>
      <datalist id="flow-tools">
        {TOOLS.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </fieldset>
  );
}

function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label class="field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      {hint && <span class="hint">{hint}</span>}
    </div>
  );
}
