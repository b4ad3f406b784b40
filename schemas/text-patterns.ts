/**
 * Reads a text the bridge built back into its code and parameters: the first pattern
 * that matches names its code, and its capture groups in order name the parameters
 * (a group that did not take part is left out). Shared by the reason formats.
 */
export type TextPattern<C extends string> = readonly [code: C, pattern: RegExp, names: readonly string[]];

export function readTextPattern<C extends string>(
  patterns: ReadonlyArray<TextPattern<C>>,
  text: string | null | undefined,
  decode: (name: string, value: string) => string = (_name, value) => value,
): { code: C; params: Record<string, string> } | null {
  if (!text) return null;
  for (const [code, pattern, names] of patterns) {
    const match = pattern.exec(text);
    if (!match) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      const value = match[i + 1];
      if (value !== undefined) params[name] = decode(name, value);
    });
    return { code, params };
  }
  return null;
}
