/**
 * Closed sessions in the list: hidden unless the user shows them, and "clear closed"
 * hides the ones closed so far for good in this browser. The server keeps closed
 * sessions for 24 hours (their records, resume keys and executions stay theirs);
 * this is a view preference, so it lives in localStorage.
 */
import { signal } from '@preact/signals';
import type { CliSession } from '../../schemas/index.ts';

const SHOW_KEY = 'tb.sessions.showClosed';
const CLEARED_KEY = 'tb.sessions.clearedClosed';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage disabled: the choice lasts for this page
  }
}

function readCleared(): Set<string> {
  try {
    const value: unknown = JSON.parse(read(CLEARED_KEY) ?? '[]');
    return new Set(Array.isArray(value) ? value.filter((k): k is string => typeof k === 'string') : []);
  } catch {
    return new Set();
  }
}

export const showClosed = signal(read(SHOW_KEY) === 'on');
const cleared = signal(readCleared());

export function setShowClosed(on: boolean): void {
  showClosed.value = on;
  write(SHOW_KEY, on ? 'on' : 'off');
}

/** Closed sessions still listed and not cleared; `activeKey` (the one on screen) never counts. */
export function closedSessions(list: readonly CliSession[], activeKey: string | undefined): CliSession[] {
  return list.filter((s) => s.status === 'closed' && s.sessionKey !== activeKey && !cleared.value.has(s.sessionKey));
}

/** What the list shows: open sessions, the one on screen, and closed ones when shown. */
export function visibleSessions(list: readonly CliSession[], activeKey: string | undefined): CliSession[] {
  return list.filter((s) => s.status !== 'closed' || s.sessionKey === activeKey || (showClosed.value && !cleared.value.has(s.sessionKey)));
}

/** Hide every closed session listed now; only keys still listed are kept (the server forgets after 24 h). */
export function clearClosed(list: readonly CliSession[], activeKey: string | undefined): void {
  const listed = new Set(list.map((s) => s.sessionKey));
  const next = new Set([...cleared.value].filter((key) => listed.has(key)));
  for (const s of closedSessions(list, activeKey)) next.add(s.sessionKey);
  cleared.value = next;
  write(CLEARED_KEY, JSON.stringify([...next]));
}
