import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'preact/hooks';
import { t } from '../../i18n/index.ts';

// Links in an issue body open elsewhere and never pass our page as the referrer.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/**
 * An issue body: markdown (GitHub flavour) rendered by marked, then sanitised by
 * DOMPurify, so script, event handlers and javascript: links never reach the page.
 */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, { async: false, gfm: true, breaks: false }), { USE_PROFILES: { html: true } }), [text]);
  if (!text.trim()) return <p class="muted">{t('issues.noDescription')}</p>;
  return <div class="markdown" data-testid="issue-body" dangerouslySetInnerHTML={{ __html: html }} />;
}
