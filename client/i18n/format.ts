import { locale } from './locale.ts';
import { t } from './translate.ts';

// Intl formatters are costly to build: one per locale and style, reused.
const cache = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${locale.value}|${key}`;
  let format = cache.get(id) as Intl.DateTimeFormat | undefined;
  if (!format) cache.set(id, (format = new Intl.DateTimeFormat(locale.value, options)));
  return format;
}
function relativeFormat(): Intl.RelativeTimeFormat {
  const id = `${locale.value}|relative`;
  let format = cache.get(id) as Intl.RelativeTimeFormat | undefined;
  if (!format) cache.set(id, (format = new Intl.RelativeTimeFormat(locale.value, { numeric: 'auto' })));
  return format;
}

/** "just now", "3 minutes ago", "yesterday" — in the UI language. */
export function relativeTime(iso: string, at: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.max(0, Math.round((at - then) / 1000));
  if (seconds < 45) return t('time.justNow');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return relativeFormat().format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 24) return relativeFormat().format(-hours, 'hour');
  return relativeFormat().format(-Math.round(hours / 24), 'day');
}

/** The full date and time, for tooltips. */
export function absoluteTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat('full', { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

/** 14:03:27 today, else the date and time: short enough for a table cell. */
export function shortTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? dateFormat('time', { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(date)
    : dateFormat('short', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}

/** 42 s, 3 min 5 s, 2 h 10 min, 3 d 4 h (42 秒, 3 分 5 秒… in Chinese). */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t('time.seconds', { n: s });
  const m = Math.floor(s / 60);
  const join = (a: string, b: string) => t('time.pair', { a, b });
  if (m < 60) return s % 60 === 0 || m >= 10 ? t('time.minutes', { n: m }) : join(t('time.minutes', { n: m }), t('time.seconds', { n: s % 60 }));
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? t('time.hours', { n: h }) : join(t('time.hours', { n: h }), t('time.minutes', { n: m % 60 }));
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? t('time.days', { n: d }) : join(t('time.days', { n: d }), t('time.hours', { n: h % 24 }));
}

/** A number with the UI language's grouping (1,234). */
export function formatNumber(n: number): string {
  return n.toLocaleString(locale.value);
}
