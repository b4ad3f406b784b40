/**
 * The words of the notifications the engine writes itself (a NotificationText code
 * and its parameters), in one language given as a lookup. The board words them with
 * t() (client/services/notification-text.ts); the server sends them to the external
 * channels in hosts.yaml's `bridge.notify_language` with a lookup built from the same
 * catalog (server/agent/notify/language.ts). Pure: types only, no browser code.
 */
import type { NotificationText } from '../../schemas/agent.ts';
import type { MessageKey } from './catalog.ts';
import type { Params } from './types.ts';

/** Every catalog key these words use: the server keeps just these of a catalog. */
export const NOTIFICATION_KEYS = [
  'notif.text.approval.title',
  'notif.text.approval.body',
  'notif.text.ask_human.title',
  'notif.text.ask_human.body',
  'notif.text.file',
  'notif.text.links',
  'notif.text.escalate.title',
  'notif.text.escalate.body',
  'notif.text.escalate.retries',
  'notif.text.escalate.code',
  'notif.text.escalate.line',
  'notif.failedLower',
  'reason.fail_condition',
  'reason.rejected',
] as const satisfies readonly MessageKey[];
export type NotificationKey = (typeof NOTIFICATION_KEYS)[number];

/** A message of the catalog with its `{name}` placeholders filled. */
export type Words = (key: NotificationKey, params?: Params) => string;

/** What the notification is about (the record's payload). */
export interface NotificationSubject {
  readonly pipeline: string;
  readonly stage: string;
  readonly host: string;
  readonly pane: string;
}

/** A stage reason's words when it is only a code (no condition, line or decider to show), as reasonText words it. */
const BARE_REASON = { detail: '', line: '', by: '', via: '', tried: '', attempt: '', max: '' };

/** Title and body of an engine-written notification, without the approve/reject links (the board shows its own buttons). */
export function notificationWords(text: NotificationText, subject: NotificationSubject, words: Words): { title: string; body: string } {
  const p = text.params;
  const file = p.file ? words('notif.text.file', { file: p.file }) : '';
  const lines = (...parts: string[]) => parts.filter((part) => part.length > 0).join('\n');
  switch (text.code) {
    case 'approval':
      return { title: words('notif.text.approval.title', { ...subject }), body: lines(p.prompt || words('notif.text.approval.body', { ...subject }), file) };
    case 'ask_human':
      return { title: words('notif.text.ask_human.title', { ...subject }), body: lines(words('notif.text.ask_human.body', { prompt: p.prompt ?? '' }), file) };
    case 'escalate': {
      const reason = p.reason === 'fail_condition' || p.reason === 'rejected' ? words(`reason.${p.reason}`, BARE_REASON) : p.reason || words('notif.failedLower');
      const retries = p.retries && p.retries !== '0' ? words('notif.text.escalate.retries', { n: p.retries }) : '';
      return {
        title: words('notif.text.escalate.title', { ...subject, code: p.escalate_code ? ` ${p.escalate_code}` : '' }),
        body: lines(
          words('notif.text.escalate.body', { ...subject, reason, retries }),
          p.escalate_code ? words('notif.text.escalate.code', { code: p.escalate_code }) : '',
          p.line ? words('notif.text.escalate.line', { line: p.line }) : '',
        ),
      };
    }
  }
}
