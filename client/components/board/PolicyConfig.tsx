import type { ComponentChildren } from 'preact';
import type {
  MatchConditionGroupView,
  MatchConditionView,
  NotifyTemplateView,
  StageConditionGroupView,
  StageConditionView,
  StageConfigView,
} from '../../../schemas/index.ts';
import type { ConfigView } from '../../services/agent-types.ts';

/*
 * The running policy.yaml in words: which panes each pipeline applies to, and per
 * stage when it starts, what it runs, when it succeeds or fails, what happens
 * then and what it notifies. Patterns are shown as written in the file.
 */

const None = ({ text }: { text: string }) => <span class="muted">{text}</span>;
const Code = ({ children }: { children: ComponentChildren }) => <code class="scalar">{children}</code>;

/** Parts of one condition; `joiner` says how they combine (stage conditions: any part; match: every part). */
function Parts({ parts, joiner }: { parts: ComponentChildren[]; joiner: string }) {
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {i > 0 && <span class="muted"> {joiner} </span>}
          {part}
        </span>
      ))}
    </>
  );
}

/** A stage condition: any of its keys holding makes it true (as in tmuxagent). */
function StageCondition({ c }: { c: StageConditionView }) {
  const parts: ComponentChildren[] = [];
  if (c.logRegex !== null) parts.push(<>a line matches <Code>{c.logRegex}</Code></>);
  if (c.messageType !== null) parts.push(<>a message of type <Code>{c.messageType}</Code></>);
  if (c.afterStageSuccess !== null) parts.push(<>stage <strong>{c.afterStageSuccess}</strong> completed</>);
  return <Parts parts={parts} joiner="or" />;
}

/** A match condition: every key it has must match. */
function MatchCondition({ c }: { c: MatchConditionView }) {
  const parts: ComponentChildren[] = [];
  if (c.sessionName !== null) parts.push(<>session name matches <Code>{c.sessionName}</Code></>);
  if (c.windowName !== null) parts.push(<>window name matches <Code>{c.windowName}</Code></>);
  if (c.paneTitle !== null) parts.push(<>pane title matches <Code>{c.paneTitle}</Code></>);
  return <Parts parts={parts} joiner="and" />;
}

function ConditionList<C>({ label, items, render }: { label: string; items: readonly C[]; render: (c: C) => ComponentChildren }) {
  if (items.length === 0) return null;
  return (
    <>
      <span class="muted condition-label">{label}</span>
      <ul class="condition-list">
        {items.map((c, i) => (
          <li key={i}>{render(c)}</li>
        ))}
      </ul>
    </>
  );
}

/** `{all_of, any_of}`: every `all_of` condition and one of `any_of`; a single condition reads as itself. */
function Group<C>({ group, render }: { group: { anyOf: readonly C[]; allOf: readonly C[] }; render: (c: C) => ComponentChildren }) {
  const { allOf, anyOf } = group;
  if (allOf.length + anyOf.length === 1) return <>{render((allOf[0] ?? anyOf[0])!)}</>;
  return (
    <>
      <ConditionList label="all of:" items={allOf} render={render} />
      <ConditionList label={allOf.length > 0 ? 'and one of:' : 'one of:'} items={anyOf} render={render} />
    </>
  );
}

function Conditions({ group, none }: { group: StageConditionGroupView; none: string }) {
  if (!group) return <None text={none} />;
  return <Group group={group} render={(c) => <StageCondition c={c} />} />;
}

function Match({ group }: { group: MatchConditionGroupView }) {
  if (!group) return <None text="every watched pane (no match)" />;
  return <Group group={group} render={(c) => <MatchCondition c={c} />} />;
}

function OnFail({ s }: { s: StageConfigView }) {
  const retry = s.maxRetries > 0 ? `retry up to ${s.maxRetries} time${s.maxRetries === 1 ? '' : 's'}, then ` : '';
  if (s.askHuman !== null) {
    return (
      <>
        {retry}ask a human: “{s.askHuman}”
        {s.escalate && (
          <>
            ; if rejected, escalate <span class="escalate">{s.escalate}</span>
          </>
        )}
      </>
    );
  }
  if (s.escalate !== null) {
    return (
      <>
        {retry}fail and escalate <span class="escalate">{s.escalate}</span>
      </>
    );
  }
  return <>{retry}fail</>;
}

function Template({ when, t }: { when: string; t: NotifyTemplateView }) {
  if (!t) return null;
  return (
    <li>
      <span class="muted">{when}: </span>
      <strong>{t.title || <None text="(default title)" />}</strong>
      {t.body && <> — <span class="template-body">{t.body}</span></>}
    </li>
  );
}

function Stage({ s, index }: { s: StageConfigView; index: number }) {
  const templates = [s.notify.onStart, s.notify.onSuccess, s.notify.onFail].some((t) => t !== null);
  return (
    <li class="config-stage" data-stage={s.name}>
      <h4>
        <span class="muted">{index + 1}.</span> {s.name}
        {s.requireApproval && (
          <span class="tag" title="require_approval: a human approves before it runs">
            approval
          </span>
        )}
      </h4>
      <dl class="facts config-facts">
        <div>
          <dt>Starts when</dt>
          <dd>
            <Conditions group={s.triggers} none="it is reached (no triggers)" />
            {s.requireApproval && <span class="muted"> — then waits for approval</span>}
          </dd>
        </div>
        <div>
          <dt>Runs</dt>
          <dd>
            {s.actions.length === 0 ? (
              <None text="nothing (no actions_on_start)" />
            ) : (
              <span class="inline-list">
                {s.actions.map((a, i) => (
                  <Code key={i}>
                    {a.kind === 'send_keys' ? 'keys: ' : '$ '}
                    {a.command}
                  </Code>
                ))}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Succeeds when</dt>
          <dd>
            <Conditions group={s.successWhen} none="never (no success_when)" />
          </dd>
        </div>
        <div>
          <dt>Fails when</dt>
          <dd>
            <Conditions group={s.failWhen} none="never (no fail_when)" />
          </dd>
        </div>
        <div>
          <dt>On failure</dt>
          <dd>
            <OnFail s={s} />
          </dd>
        </div>
        <div>
          <dt>Notifies</dt>
          <dd>
            {templates ? (
              <ul class="condition-list">
                <Template when="on start" t={s.notify.onStart} />
                <Template when="on success" t={s.notify.onSuccess} />
                <Template when="on failure" t={s.notify.onFail} />
              </ul>
            ) : (
              <None text="approvals and escalations only" />
            )}
          </dd>
        </div>
      </dl>
    </li>
  );
}

/** Principles and every pipeline of the running policy. */
export function PolicyConfig({ config }: { config: ConfigView }) {
  return (
    <section class="panel" aria-labelledby="config-policy-title">
      <h2 id="config-policy-title">
        Pipelines <span class="count-pill">{config.pipelines.length}</span>
      </h2>
      {config.principles.length > 0 && (
        <>
          <h3 class="lines-title">Principles</h3>
          <ul class="principles">
            {config.principles.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </>
      )}
      {config.pipelines.length === 0 ? (
        <p class="muted">No pipelines: give a policy.yaml with --policy.</p>
      ) : (
        config.pipelines.map((p) => (
          <details key={p.name} open class="config-pipeline" data-pipeline={p.name}>
            <summary>
              {p.name} <span class="muted small">({p.stages.map((s) => s.name).join(' → ')})</span>
            </summary>
            <dl class="facts config-facts">
              <div class="config-match">
                <dt>Applies to</dt>
                <dd>
                  <Match group={p.match} />
                </dd>
              </div>
            </dl>
            <ol class="config-stages" aria-label={`Stages of ${p.name}`}>
              {p.stages.map((s, i) => (
                <Stage key={s.name} s={s} index={i} />
              ))}
            </ol>
          </details>
        ))
      )}
    </section>
  );
}
