import { locale } from './locale.ts';
import { t } from './translate.ts';
import type { MessageKey } from './catalog.ts';
import type { Params } from './types.ts';

/**
 * A validation issue as zod reports it (the client's own parse) or as the server
 * sends it in a 400's `details`: `code` and its parameters say what is wrong. English
 * shows the `message` as written; another language words the code from the catalog
 * (the message only for a code the catalog has no words for).
 */
export interface ValidationIssue {
  readonly code?: unknown;
  readonly path?: readonly unknown[];
  readonly message?: unknown;
  readonly expected?: unknown;
  readonly origin?: unknown;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly format?: unknown;
  readonly pattern?: unknown;
  readonly values?: unknown;
  readonly keys?: unknown;
  readonly divisor?: unknown;
  /** A rule of the bridge's own (`flow_cycle`…): its text is the catalog's `issue.<code>`, filled from these. */
  readonly params?: unknown;
}

/** A `details` entry the UI can word: an object with a path and a code or message. */
export function isValidationIssue(value: unknown): value is ValidationIssue {
  if (typeof value !== 'object' || value === null) return false;
  const { path, code, message } = value as ValidationIssue;
  return Array.isArray(path) && (typeof code === 'string' || typeof message === 'string');
}

const list = (value: unknown) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ') : String(value));
const sized = (origin: unknown) => (origin === 'string' ? 'string' : origin === 'array' || origin === 'set' ? 'array' : 'number');

/** A character class in words (`A-Za-z0-9_ +@-` → letters, digits, _ space + @ -); undefined when it has escapes or odd ranges. */
function classWords(charClass: string): string | undefined {
  let rest = charClass;
  const words: string[] = [];
  const take = (range: string, word: string) => {
    if (!rest.includes(range)) return;
    rest = rest.replace(range, '');
    words.push(word);
  };
  take('A-Za-z', t('issue.chars.letters'));
  take('a-z', t('issue.chars.lower'));
  take('A-Z', t('issue.chars.upper'));
  take('0-9', t('issue.chars.digits'));
  if (/[\\]|.-./.test(rest)) return undefined;
  if (rest.includes(' ')) words.push(t('issue.chars.space'));
  const symbols = [...rest.replace(/ /g, '')].join(' ');
  return [...words, ...(symbols ? [symbols] : [])].join(t('issue.chars.sep'));
}

/**
 * What a name pattern allows, in words: `/^[A-Za-z_][A-Za-z0-9_.-]*$/` → start with letters
 * or _, then letters, digits, _ . -; a pattern of one class → use only …. Undefined for
 * another kind of pattern (a negated class, alternatives…).
 */
function allowedChars(pattern: string): string | undefined {
  const CLASS = String.raw`\[([^\]^][^\]]*)\]`;
  const END = String.raw`[*+]?(?:\{\d*,?\d*\})?\$\/\w*$`;
  const two = new RegExp(String.raw`^\/\^${CLASS}${CLASS}${END}`).exec(pattern);
  if (two && two[1] !== two[2]) {
    const first = classWords(two[1]!);
    const then = classWords(two[2]!);
    return first && then ? t('issue.charsStart', { first, list: then }) : undefined;
  }
  const last = new RegExp(CLASS + END).exec(pattern);
  const list = last ? classWords(last[1]!) : undefined;
  return list ? t('issue.chars', { list }) : undefined;
}

/** What is wrong, in the UI language, without saying where. */
export function issueMessage(issue: ValidationIssue): string {
  const english = typeof issue.message === 'string' ? issue.message : '';
  // English keeps the schema's own words (a refinement's advice, "use letters, digits…"); other languages word the code.
  if (locale.value === 'en' && english) return english;
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === undefined ? t('issue.invalid') : t('issue.invalidType', { expected: String(issue.expected) });
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return t('issue.required');
      return t(`issue.tooSmall.${sized(issue.origin)}` as MessageKey, { minimum: String(issue.minimum) });
    case 'too_big':
      return t(`issue.tooBig.${sized(issue.origin)}` as MessageKey, { maximum: String(issue.maximum) });
    case 'invalid_format':
      if (issue.format === 'regex' && typeof issue.pattern === 'string') {
        return allowedChars(issue.pattern) ?? t('issue.pattern', { pattern: issue.pattern });
      }
      return t('issue.format', { format: String(issue.format ?? '') });
    case 'invalid_value':
      return t('issue.oneOf', { values: list(issue.values) });
    case 'unrecognized_keys':
      return t('issue.unknownKeys', { keys: list(issue.keys) });
    case 'not_multiple_of':
      return t('issue.multipleOf', { divisor: String(issue.divisor) });
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return t('issue.invalid');
    default: {
      const params = typeof issue.params === 'object' && issue.params !== null ? (issue.params as Params) : undefined;
      // A bridge rule's own code (`flow_cycle`), or a refinement's `params.rule` (see schemas/rule.ts).
      const own = issue.code === 'custom' ? params?.rule : issue.code;
      if (typeof own === 'string') {
        const key = `issue.${own}` as MessageKey;
        const text = t(key, params);
        if (text !== key) return text;
      }
      // A refinement's own words (no code the catalog knows): shown as the schema says them.
      return english ? t('issue.custom', { message: english }) : t('issue.invalid');
    }
  }
}

/** `field: what is wrong`; `label` names a path (default: the path itself, `nodes.0.data.id`). */
export function issueText(issue: ValidationIssue, label: (path: readonly unknown[]) => string = (path) => path.join('.')): string {
  const message = issueMessage(issue);
  const field = issue.path && issue.path.length > 0 ? label(issue.path) : '';
  return field ? t('issue.at', { field, message }) : message;
}
