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
