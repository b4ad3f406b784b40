import { interpolate, lookup, type MessageKey, type PluralKey } from './catalog.ts';
import { locale } from './locale.ts';
import type { Params } from './types.ts';

/** The message of `key` in the UI language, `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Params): string {
  return interpolate(lookup(locale.value, key), params);
}

/** The `.one` or `.other` form of `key` for `n` (by the language's plural rules); `{n}` is filled in. */
export function plural(key: PluralKey, n: number, params?: Params): string {
  const form = new Intl.PluralRules(locale.value).select(n) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}` as MessageKey, { n, ...params });
}
