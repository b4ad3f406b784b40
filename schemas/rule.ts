/**
 * A refinement's words: English for API users and logs (`message`), and a rule code
 * with its parameters (`params.rule`) that the UI words in its own language as the
 * catalog's `issue.<rule>`. Parameters come from the schema, never from the input.
 *
 *   z.string().refine(isKey, rule('key_name', 'not a tmux key name'))
 */
export function rule(code: string, message: string, params: Readonly<Record<string, string | number>> = {}) {
  return { message, params: { ...params, rule: code } };
}

/** Rule parameters (`rule` included) by the English message they were given with. */
const WORDED = new Map<string, Readonly<Record<string, string | number>>>();

/**
 * The same for a type's or a check's own message (`z.boolean({ error: … })`,
 * `.min(1, …)`): zod keeps no parameters on those issues, so the message is
 * remembered with its rule and `wordedRule` finds the rule again from an issue's
 * message. Give each wording one rule: the message is the key.
 */
export function worded(code: string, message: string, params: Readonly<Record<string, string | number>> = {}): string {
  WORDED.set(message, { ...params, rule: code });
  return message;
}

/** The rule parameters a message was `worded` with, if it was. */
export function wordedRule(message: string): Readonly<Record<string, string | number>> | undefined {
  return WORDED.get(message);
}

/**
 * A 400 detail the server builds itself (a rule beyond the schema: an unknown
 * group, a dependency cycle): where, the rule's code (the UI words it as the
 * catalog's `issue.<code>`, filled from `params`) and English words, like a zod issue.
 *
 *   ruleIssue('queue_cycle', ['depends_on'], 'dependency cycle: a → b → a', { cycle: 'a → b → a' })
 */
export function ruleIssue(code: string, path: ReadonlyArray<string | number>, message: string, params: Readonly<Record<string, string | number>> = {}) {
  return { path: [...path], code, message, params };
}
export type RuleIssue = ReturnType<typeof ruleIssue>;
