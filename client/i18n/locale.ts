import { signal } from '@preact/signals';
import type { Locale } from './types.ts';

const STORAGE_KEY = 'tb.lang';

/** The language this browser asked for last, else the first supported one of navigator.languages. */
export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // storage disabled: fall back to the browser's languages
  }
  return fromBrowser(typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]));
}

/** zh, zh-CN, zh-Hans… → zh-CN (the only Chinese catalog, Simplified); anything else → en. */
export function fromBrowser(languages: readonly string[]): Locale {
  for (const lang of languages) {
    const tag = lang.toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

export function saveLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // storage disabled: the choice lasts for this page
  }
}

/** The language the UI renders in. Components that call t() re-render when it changes. */
export const locale = signal<Locale>('en');
