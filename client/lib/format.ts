import { signal } from '@preact/signals';
import type { CliSession } from '../../schemas/index.ts';
import { t } from '../i18n/index.ts';

// Dates, times and durations follow the UI language: they live in client/i18n/format.ts.
export { absoluteTime, duration, relativeTime, shortTime } from '../i18n/format.ts';

/** A clock for "3 min ago" labels (a UI tick, not a server poll). */
export const now = signal(Date.now());
setInterval(() => (now.value = Date.now()), 30_000);

export type StatusKind = 'running' | 'exited' | 'closed';

export function statusLabel(session: Pick<CliSession, 'status' | 'exitCode'>): string {
  const status = t(`status.${session.status}`);
  if (session.status === 'running' || session.exitCode === null) return status;
  return t('status.withCode', { status, code: session.exitCode });
}

/**
 * A one-second clock for live durations ("waiting 42 s"). It ticks only while
 * something on screen reads it (signal watched/unwatched), so pages without a
 * live duration cost nothing. A UI tick, never a server poll.
 */
let secondTimer: ReturnType<typeof setInterval> | undefined;
export const seconds = signal(Date.now(), {
  watched() {
    this.value = Date.now();
    secondTimer ??= setInterval(() => (this.value = Date.now()), 1000);
  },
  unwatched() {
    if (secondTimer !== undefined) clearInterval(secondTimer);
    secondTimer = undefined;
  },
});

/** Milliseconds since an ISO time (0 when it cannot be read). */
export function since(iso: string | null | undefined, at: number): number {
  const then = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(then) ? 0 : Math.max(0, at - then);
}
