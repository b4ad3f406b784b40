import { en, type EnglishCatalog } from './en/index.ts';
import type { Locale } from './types.ts';

export { interpolate } from './interpolate.ts';

export type MessageKey = keyof EnglishCatalog;
export type Catalog = { readonly [K in MessageKey]: string };

/** Keys written as `<base>.one` / `<base>.other`: pass `<base>` to plural(). */
export type PluralKey = { [K in MessageKey]: K extends `${infer Base}.other` ? Base : never }[MessageKey];

/** English grows as lazily loaded areas add themselves; lookups fall back to it. */
const english: Partial<Record<MessageKey, string>> = { ...en };
const catalogs = new Map<Locale, Partial<Catalog>>([['en', english]]);

/** Called at the top of a lazily loaded module with the English strings of its area. */
export function addEnglish(part: Readonly<Partial<Record<MessageKey, string>>>): void {
  Object.assign(english, part);
}
const pending = new Map<Locale, Promise<Partial<Catalog>>>();

/**
 * The catalog of a language. English ships with the first paint; the others are
 * chunks of their own, fetched once when a browser asks for that language.
 */
export function loadCatalog(locale: Locale): Promise<Partial<Catalog>> {
  const loaded = catalogs.get(locale);
  if (loaded) return Promise.resolve(loaded);
  let promise: Promise<Partial<Catalog>> | undefined = pending.get(locale);
  if (!promise) {
    promise = import('./zh-CN/index.ts').then(({ zhCN }) => {
      catalogs.set(locale, zhCN);
      return zhCN;
    });
    promise.catch(() => pending.delete(locale));
    pending.set(locale, promise);
  }
  return promise;
}

/** The message of `key` in `locale`, English while that catalog is not loaded. */
export function lookup(locale: Locale, key: MessageKey): string {
  return catalogs.get(locale)?.[key] ?? english[key] ?? key;
}
