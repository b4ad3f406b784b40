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
