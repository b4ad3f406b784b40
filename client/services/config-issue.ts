import { issueMessage, locale, t, type MessageKey } from '../i18n/index.ts';
import type { ConfigIssueView, EventPayload } from '../../schemas/index.ts';

/** A config problem as the Config page and a CONFIG_ERROR event carry it (`text`: the English line). */
export type ConfigIssueLike = Omit<ConfigIssueView, 'text'> & { readonly text?: string };

/** The type names zod reports (`expected`) and the loader adds (`params.received`). */
const TYPES = new Set(['object', 'array', 'string', 'number', 'int', 'boolean', 'null', 'undefined']);
const typeWord = (name: unknown) => (typeof name === 'string' && TYPES.has(name) ? t(`issue.config_type.${name}` as MessageKey) : String(name));

/**
 * What is wrong, in the UI language. English is the server's own message. Another
 * language words the code: a schema rule's or the loader's own (`issue.<code>`, the
 * config keys, names and patterns in it filled in as written), else zod's code as
 * any validation issue. A problem without a code (an older build's event) shows as sent.
 */
export function configIssueMessage(issue: ConfigIssueLike): string {
  if (locale.value === 'en' || !issue.code) return issue.message;
  const params = issue.params ?? {};
  const own = typeof params.rule === 'string' ? params.rule : issue.code.startsWith('config_') ? issue.code : undefined;
  if (own) {
    const key = `issue.${own}` as MessageKey;
    const unit = params.unit ? t(`issue.config_unit.${params.unit}` as MessageKey) : '';
    const text = t(key, { ...params, unit });
    if (text !== key) return text;
  }
  switch (issue.code) {
    case 'invalid_type':
      if (params.received !== undefined) return t('issue.config_type', { expected: typeWord(issue.expected), received: typeWord(params.received) });
      break;
    case 'too_small':
      if (issue.inclusive === false && issue.origin === 'number') return t('issue.config_more_than', { minimum: String(issue.minimum) });
      break;
    case 'too_big':
      if (issue.inclusive === false && issue.origin === 'number') return t('issue.config_less_than', { maximum: String(issue.maximum) });
      break;
    case 'invalid_format':
      if (issue.format === 'url') return t('issue.config_url');
      break;
  }
  const { path: _where, ...rest } = issue;
  return issueMessage(rest);
}

/** `file:line:column: path: message` in the UI language; in English exactly the server's line. */
export function configIssueText(issue: ConfigIssueLike): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  if (locale.value === 'en') return issue.text ?? (issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`);
  const message = configIssueMessage(issue);
  return issue.path ? t('issue.config_at_path', { where, path: issue.path, message }) : t('issue.config_at', { where, message });
}

/** A CONFIG_ERROR's errors on one line: in English as the server wrote them, else from `issues` (the same errors with their codes). */
export function configErrorText(payload: EventPayload<'CONFIG_ERROR'>): string {
  if (locale.value === 'en' || payload.issues.length !== payload.errors.length) return payload.errors.join('; ');
  return payload.issues.map(configIssueText).join(t('issue.config_sep'));
}
