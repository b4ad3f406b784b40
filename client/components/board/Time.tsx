import { t } from '../../i18n/index.ts';
import { absoluteTime, duration, now, relativeTime, seconds, shortTime, since } from '../../lib/format.ts';

/** "3 min ago", with the exact time on hover; refreshed by the 30-second UI clock. */
export function Ago({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso, now.value)}
    </time>
  );
}

/** 14:03:27 (today) or the date; the full time on hover. */
export function At({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {shortTime(iso)}
    </time>
  );
}

/** A live duration since `from` ("4 min 12 s"), ticking every second while shown. */
export function Elapsed({ from }: { from: string | null | undefined }) {
  if (!from) return <span class="muted">—</span>;
  return (
    <time class="elapsed" dateTime={from} title={t('time.since', { time: absoluteTime(from) })}>
      {duration(since(from, seconds.value))}
    </time>
  );
}
