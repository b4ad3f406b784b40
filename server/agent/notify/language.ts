/**
 * The engine's own notification texts in hosts.yaml's `bridge.notify_language`.
 *
 * The words are the web UI's: the catalog entries (client/i18n/zh-CN) and the
 * function that words a NotificationText code (client/i18n/notification-words.ts),
 * both pure modules, so a translation is written once. English is what the engine
 * wrote (the record keeps it, and channels send it unchanged); another language
 * rewords a notification that carries a code. policy.yaml templates carry none and
 * go as the user wrote them.
 */
import type { NotifyLanguage } from '../../../schemas/agent-config.ts';
import { interpolate } from '../../../client/i18n/interpolate.ts';
import { NOTIFICATION_KEYS, notificationWords, type NotificationKey, type Words } from '../../../client/i18n/notification-words.ts';
import { board } from '../../../client/i18n/zh-CN/board.ts';
import { history } from '../../../client/i18n/zh-CN/history.ts';
import type { Notification } from './channels.ts';

/** Only the entries notifications use (the rest of the catalog is the UI's). */
function pick(catalog: Readonly<Record<NotificationKey, string>>): Readonly<Record<NotificationKey, string>> {
  return Object.fromEntries(NOTIFICATION_KEYS.map((key) => [key, catalog[key]])) as Record<NotificationKey, string>;
}

const CATALOGS: Readonly<Record<Exclude<NotifyLanguage, 'en'>, Readonly<Record<NotificationKey, string>>>> = {
  'zh-CN': pick({ ...board, ...history }),
};

/**
 * Title and body to send in `language`, or null to send the notification's own (English,
 * or a template's words). The approve/reject links follow in the body as the English ones do.
 */
export function localizedText(notification: Notification, language: NotifyLanguage): { title: string; body: string } | null {
  if (language === 'en' || !notification.text) return null;
  const catalog = CATALOGS[language];
  const words: Words = (key, params) => interpolate(catalog[key], params);
  const subject = { pipeline: notification.pipeline ?? '', stage: notification.stage ?? '', host: notification.host ?? '', pane: notification.paneId ?? '' };
  const { title, body } = notificationWords(notification.text, subject, words);
  const { approve, reject } = notification.links ?? {};
  const links = approve && reject ? words('notif.text.links', { approve, reject }) : '';
  return { title, body: [body, links].filter((part) => part.length > 0).join('\n') };
}
