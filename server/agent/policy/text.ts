/**
 * Notification texts: `on_*_notify` templates and the escalation message.
 *
 * Templates may use `{pipeline}`, `{stage}`, `{host}`, `{pane}`, `{retries}`,
 * `{max_retries}`, `{reason}`, `{escalate_code}`, `{line}` and `{prompt}`. Any other
 * `{...}` is left as written, so texts from tmuxagent (which did not substitute
 * anything) read the same unless they happen to use one of these names.
 */

export interface TemplateVars {
  readonly pipeline: string;
  readonly stage: string;
  readonly host: string;
  readonly pane: string;
  readonly retries: string;
  readonly max_retries: string;
  readonly reason: string;
  readonly escalate_code: string;
  readonly line: string;
  readonly prompt: string;
}

const PLACEHOLDER = /\{(pipeline|stage|host|pane|retries|max_retries|reason|escalate_code|line|prompt)\}/g;

export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(PLACEHOLDER, (_, name: keyof TemplateVars) => vars[name]);
}

/** The notification sent when a stage fails for good (retries used up, nobody to ask). */
export function escalationText(vars: TemplateVars): { title: string; body: string } {
  const code = vars.escalate_code ? ` ${vars.escalate_code}` : '';
  const lines = [
    `Stage "${vars.stage}" of pipeline "${vars.pipeline}" failed on ${vars.host} ${vars.pane} (${vars.reason || 'failed'}${vars.retries !== '0' ? `, ${vars.retries} retries` : ''}).`,
  ];
  if (vars.escalate_code) lines.push(`Escalation code: ${vars.escalate_code}`);
  if (vars.line) lines.push(`Last line: ${vars.line}`);
  return { title: `Escalation${code}: ${vars.pipeline}/${vars.stage}`, body: lines.join('\n') };
}
