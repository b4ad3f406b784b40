import type { NotificationRecord } from '../../schemas/index.ts';
import { t } from '../i18n/index.ts';
import { reasonText } from './stage-reason.ts';

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
  const p = text.params;
  const subject = { pipeline: n.payload.pipeline ?? '', stage: n.payload.stage ?? '', host: n.payload.host ?? '', pane: n.payload.paneId ?? '' };
  const file = p.file ? t('notif.text.file', { file: p.file }) : '';
  const lines = (...parts: string[]) => parts.filter((part) => part.length > 0).join('\n');
  switch (text.code) {
    case 'approval':
      return { title: t('notif.text.approval.title', subject), body: lines(p.prompt || t('notif.text.approval.body', subject), file) };
    case 'ask_human':
      return { title: t('notif.text.ask_human.title', subject), body: lines(t('notif.text.ask_human.body', { prompt: p.prompt ?? '' }), file) };
    case 'escalate': {
      const reason = p.reason === 'fail_condition' || p.reason === 'rejected' ? reasonText({ reason: p.reason, reasonCode: p.reason }) : p.reason || t('notif.failedLower');
      const retries = p.retries && p.retries !== '0' ? t('notif.text.escalate.retries', { n: p.retries }) : '';
      return {
        title: t('notif.text.escalate.title', { ...subject, code: p.escalate_code ? ` ${p.escalate_code}` : '' }),
        body: lines(
          t('notif.text.escalate.body', { ...subject, reason, retries }),
          p.escalate_code ? t('notif.text.escalate.code', { code: p.escalate_code }) : '',
          p.line ? t('notif.text.escalate.line', { line: p.line }) : '',
        ),
      };
    }
  }
}
