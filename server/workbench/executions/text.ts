// Terminal bytes as text: shared with the gap measure of remote panes (server/sessions).
export { plainText } from '../../../tmux/plain-text.ts';

/** The last `lines` non-empty-ended lines of `text`, at most `maxChars` characters. */
export function tailLines(text: string, lines = 20, maxChars = 4000): string {
  const all = text.replace(/\s+$/, '').split('\n');
  const tail = all.slice(-lines).join('\n');
  return tail.length > maxChars ? tail.slice(tail.length - maxChars) : tail;
}
