import type { ComponentChildren } from 'preact';
import { plural, Rich, t } from '../../i18n/index.ts';
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
  if (c.logRegex !== null) parts.push(<Rich k="pc.lineMatches" values={{ pattern: <Code>{c.logRegex}</Code> }} />);
  if (c.messageType !== null) parts.push(<Rich k="pc.messageType" values={{ type: <Code>{c.messageType}</Code> }} />);
  if (c.afterStageSuccess !== null) parts.push(<Rich k="pc.afterStage" values={{ stage: <strong>{c.afterStageSuccess}</strong> }} />);
  return <Parts parts={parts} joiner={t('pc.or')} />;
}

/** A match condition: every key it has must match. */
function MatchCondition({ c }: { c: MatchConditionView }) {
  const parts: ComponentChildren[] = [];
  if (c.sessionName !== null) parts.push(<Rich k="pc.sessionMatches" values={{ pattern: <Code>{c.sessionName}</Code> }} />);
  if (c.windowName !== null) parts.push(<Rich k="pc.windowMatches" values={{ pattern: <Code>{c.windowName}</Code> }} />);
  if (c.paneTitle !== null) parts.push(<Rich k="pc.titleMatches" values={{ pattern: <Code>{c.paneTitle}</Code> }} />);
  return <Parts parts={parts} joiner={t('pc.and')} />;
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
      <ConditionList label={t('pc.allOf')} items={allOf} render={render} />
      <ConditionList label={allOf.length > 0 ? t('pc.andOneOf') : t('pc.oneOf')} items={anyOf} render={render} />
    </>
  );
}

function Conditions({ group, none }: { group: StageConditionGroupView; none: string }) {
  if (!group) return <None text={none} />;
  return <Group group={group} render={(c) => <StageCondition c={c} />} />;
}

function Match({ group }: { group: MatchConditionGroupView }) {
  if (!group) return <None text={t('pc.everyPane')} />;
  return <Group group={group} render={(c) => <MatchCondition c={c} />} />;
}

function OnFail({ s }: { s: StageConfigView }) {
  const retry = s.maxRetries > 0 ? plural('pc.retryUpTo', s.maxRetries) : '';
  if (s.askHuman !== null) {
    return (
      <>
        {retry}
        {t('pc.askHuman', { prompt: s.askHuman })}
        {s.escalate && <Rich k="pc.ifRejected" values={{ code: <span class="escalate">{s.escalate}</span> }} />}
      </>
    );
  }
  if (s.escalate !== null) {
    return (
      <>
        {retry}
        <Rich k="pc.failEscalate" values={{ code: <span class="escalate">{s.escalate}</span> }} />
      </>
    );
  }
  return (
    <>
      {retry}
      {t('pc.fail')}
    </>
  );
}

function Template({ when, template: tpl }: { when: string; template: NotifyTemplateView }) {
  if (!tpl) return null;
  return (
    <li>
      <span class="muted">{when}: </span>
      <strong>{tpl.title || <None text={t('pc.defaultTitle')} />}</strong>
      {tpl.body && <> — <span class="template-body">{tpl.body}</span></>}
    </li>
  );
}

function Stage({ s, index }: { s: StageConfigView; index: number }) {
  const templates = [s.notify.onStart, s.notify.onSuccess, s.notify.onFail].some((x) => x !== null);
  return (
    <li class="config-stage" data-stage={s.name}>
      <h4>
        <span class="muted">{index + 1}.</span> {s.name}
        {s.requireApproval && (
          <span class="tag" title={t('st.approvalTagTitle')}>
            {t('st.approvalTag')}
          </span>
        )}
      </h4>
      <dl class="facts config-facts">
        <div>
          <dt>{t('pc.startsWhen')}</dt>
          <dd>
            <Conditions group={s.triggers} none={t('pc.reached')} />
            {s.requireApproval && <span class="muted">{t('pc.thenWaits')}</span>}
          </dd>
        </div>
        <div>
          <dt>{t('pc.runs')}</dt>
          <dd>
            {s.actions.length === 0 ? (
              <None text={t('pc.nothing')} />
            ) : (
              <span class="inline-list">
                {s.actions.map((a, i) => (
                  <Code key={i}>
                    {a.kind === 'send_keys' ? t('pc.keys') : '$ '}
                    {a.command}
                  </Code>
                ))}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('pc.succeedsWhen')}</dt>
          <dd>
            <Conditions group={s.successWhen} none={t('pc.neverSuccess')} />
          </dd>
        </div>
        <div>
          <dt>{t('pc.failsWhen')}</dt>
          <dd>
            <Conditions group={s.failWhen} none={t('pc.neverFail')} />
          </dd>
        </div>
        <div>
          <dt>{t('pc.onFailure')}</dt>
          <dd>
            <OnFail s={s} />
          </dd>
        </div>
        <div>
          <dt>{t('pc.notifies')}</dt>
          <dd>
            {templates ? (
              <ul class="condition-list">
                <Template when={t('pc.onStart')} template={s.notify.onStart} />
                <Template when={t('pc.onSuccess')} template={s.notify.onSuccess} />
                <Template when={t('pc.onFail')} template={s.notify.onFail} />
              </ul>
            ) : (
              <None text={t('pc.approvalsOnly')} />
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
        {t('nav.pipelines')} <span class="count-pill">{config.pipelines.length}</span>
      </h2>
      {config.principles.length > 0 && (
        <>
          <h3 class="lines-title">{t('dash.principles')}</h3>
          <ul class="principles">
            {config.principles.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </>
      )}
      {config.pipelines.length === 0 ? (
        <p class="muted">{t('pc.noPipelines')}</p>
      ) : (
        config.pipelines.map((p) => (
          <details key={p.name} open class="config-pipeline" data-pipeline={p.name}>
            <summary>
              {p.name} <span class="muted small">({p.stages.map((s) => s.name).join(' → ')})</span>
            </summary>
            <dl class="facts config-facts">
              <div class="config-match">
                <dt>{t('pc.appliesTo')}</dt>
                <dd>
                  <Match group={p.match} />
                </dd>
              </div>
            </dl>
            <ol class="config-stages" aria-label={t('pc.stagesOf', { name: p.name })}>
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
