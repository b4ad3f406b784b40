import type { NotificationRecord } from '../../schemas/index.ts';
import { t } from '../i18n/index.ts';
import { notificationWords } from '../i18n/notification-words.ts';

/** Markdown links (the signed approve/reject links) as their text; lines of nothing but links are dropped: here the page decides. */
function readableBody(body: string): string {
  const onlyLinks = /^\s*(\[[^\]]*\]\([^)]*\)\s*\|?\s*)+$/;
  return body
    .split('\n')
    .filter((line) => !onlyLinks.test(line))
    .map((line) => line.replace(/\[([^\]]*)\]\((?:https?:)?[^)]*\)/g, '$1'))
    .join('\n')
    .trim();
}
/**
 * Title and body in the UI language when the engine wrote them (a NotificationText
 * code); a policy.yaml template's own words show as written.
 */
export function notificationText(n: NotificationRecord): { title: string; body: string } {
  const text = n.payload.text;
  if (!text) return { title: n.title, body: readableBody(n.body) };
  const subject = { pipeline: n.payload.pipeline ?? '', stage: n.payload.stage ?? '', host: n.payload.host ?? '', pane: n.payload.paneId ?? '' };
  return notificationWords(text, subject, t);
}
