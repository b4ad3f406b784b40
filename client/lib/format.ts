import { signal } from '@preact/signals';
import type { CliSession } from '../../schemas/index.ts';

/** A clock for "3 min ago" labels (a UI tick, not a server poll). */
export const now = signal(Date.now());
setInterval(() => (now.value = Date.now()), 30_000);

export function relativeTime(iso: string, at: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.max(0, Math.round((at - then) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

export function absoluteTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export type StatusKind = 'running' | 'exited' | 'closed';

export function statusLabel(session: Pick<CliSession, 'status' | 'exitCode'>): string {
  if (session.status === 'running') return 'running';
  const code = session.exitCode === null ? '' : ` (${session.exitCode})`;
  return `${session.status}${code}`;
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

/** 42 s, 3 min 5 s, 2 h 10 min, 3 d 4 h. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 || m >= 10 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** Milliseconds since an ISO time (0 when it cannot be read). */
export function since(iso: string | null | undefined, at: number): number {
  const then = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(then) ? 0 : Math.max(0, at - then);
}

/** 14:03:27 today, else the date and time: short enough for a table cell. */
export function shortTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
