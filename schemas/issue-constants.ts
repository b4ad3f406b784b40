/** The issue board's constant lists, without zod, so the web client can import them cheaply. */

/** Board columns, in board order. */
export const ISSUE_STATUSES = ['open', 'queued', 'in_progress', 'resolved', 'completed', 'closed'] as const;
export const ISSUE_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const DEFAULT_PROMPT_TEMPLATE = 'Work on issue {{id}}: {{title}}\n\n{{body}}';
export const MAX_ISSUE_BODY_BYTES = 1024 * 1024;

/** `{{title}}`, `{{body}}`, `{{id}}` in a prompt template; other text is kept as it is. */
export function fillPromptTemplate(template: string, issue: { id: string; title: string; body: string }): string {
  return template.replace(/\{\{\s*(title|body|id)\s*\}\}/g, (_m, name: 'title' | 'body' | 'id') => issue[name]);
}
