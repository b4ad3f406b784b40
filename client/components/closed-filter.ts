/**
 * Closed sessions in the list: hidden unless the user shows them (a view
 * preference, so it lives in localStorage). "Clear closed" is the server's:
 * it removes their records for every browser (SessionStore.clearClosed).
 */
import { signal } from '@preact/signals';
import type { CliSession } from '../../schemas/index.ts';

const SHOW_KEY = 'tb.sessions.showClosed';

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

export const showClosed = signal(read(SHOW_KEY) === 'on');

// Older builds hid cleared sessions per browser under this key; the server clears them now.
try {
  localStorage.removeItem('tb.sessions.clearedClosed');
} catch {
  // storage disabled: nothing was kept
}

export function setShowClosed(on: boolean): void {
  showClosed.value = on;
  write(SHOW_KEY, on ? 'on' : 'off');
}

/** Closed sessions listed; `activeKey` (the one on screen, always shown) never counts. */
export function closedSessions(list: readonly CliSession[], activeKey: string | undefined): CliSession[] {
  return list.filter((s) => s.status === 'closed' && s.sessionKey !== activeKey);
}

/** What the list shows: open sessions, the one on screen, and closed ones when shown. */
export function visibleSessions(list: readonly CliSession[], activeKey: string | undefined): CliSession[] {
  return list.filter((s) => s.status !== 'closed' || s.sessionKey === activeKey || showClosed.value);
}
