import { terminalCloseCode, type TerminalErrorMessage } from '../../schemas/terminal-view.ts';
import { locale, t, type MessageKey } from '../i18n/index.ts';
import { errorText } from './api.ts';

/** A terminal's close reason in the UI language when the server built it (schemas/terminal-view.ts), else as sent. */
export function closeReasonText(reason: string): string {
  const known = terminalCloseCode(reason);
  if (!known) return reason;
  return t(`term.close.${known.code}`, { host: known.host });
}

/**
 * A terminal error in the UI language: the server's own words by their code
 * (`term.error.<code>`), another part's failure by its API code, else as sent.
 */
export function terminalErrorText(error: TerminalErrorMessage): string {
  if (!error.code || locale.value === 'en') return error.message;
  const key = `term.error.${error.code}` as MessageKey;
  const params = { ...error.params, ...(error.params?.reason === undefined ? {} : { reason: closeReasonText(error.params.reason) }) };
  const text = t(key, params);
  return text === key ? errorText(error.code, error.message) : text;
}
