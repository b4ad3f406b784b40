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
