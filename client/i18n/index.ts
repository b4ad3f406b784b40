/**
 * The UI's languages. Every string a user reads goes through t() with a key of
 * the English catalog (client/i18n/en/); the Simplified Chinese catalog
 * (client/i18n/zh-CN/) has exactly the same keys — the typecheck and
 * test/unit/i18n-catalog.test.ts fail otherwise.
 *
 *   t('nav.terminals')                      → "Terminals" / "终端"
 *   t('state.loading', { what })            → placeholders are {name}
 *   plural('nav.tabsOpen', n)               → keys nav.tabsOpen.one / nav.tabsOpen.other
 *   <Rich k="login.help" values={{ file: <code>…</code> }} />   → markup inside a message
 *   relativeTime(iso, now), absoluteTime(iso), shortTime(iso), duration(ms): Intl, in the UI language
 *
 * New area (a page of its own): add client/i18n/en/<area>.ts and zh-CN/<area>.ts
 * and spread both into the index.ts of their language.
 *
 * t() reads the `locale` signal, so a component that calls it while rendering
 * re-renders when the language changes.
 */
import { loadCatalog } from './catalog.ts';
export { addEnglish } from './catalog.ts';
import { initialLocale, locale, saveLocale } from './locale.ts';
import type { Locale } from './types.ts';

export type { MessageKey, PluralKey } from './catalog.ts';
export type { Locale, Params } from './types.ts';
export { LOCALES } from './types.ts';
export { locale } from './locale.ts';
export { plural, t } from './translate.ts';
export { Rich } from './rich.tsx';
export { issueMessage, issueText, isValidationIssue, type ValidationIssue } from './issues.ts';
export { absoluteTime, duration, formatNumber, relativeTime, shortTime } from './format.ts';

/** Switches the UI language (and remembers it for this browser) once its catalog is loaded. */
export async function setLocale(next: Locale, remember = true): Promise<void> {
  await loadCatalog(next);
  locale.value = next;
  if (remember) saveLocale(next);
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

/** Loads the language this browser uses, before the first render (so Chinese users never see English flash). */
export async function startI18n(): Promise<void> {
  try {
    await setLocale(initialLocale(), false);
  } catch {
    // the catalog chunk failed to load: English works, and the switch can retry
  }
}
