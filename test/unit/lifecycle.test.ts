import { describe, expect, test, vi } from 'vitest';
import { closeOnce, MutableDisposable, toDisposable } from '../../base/lifecycle.ts';

function tracked(name: string, log: string[]) {
  return toDisposable(() => log.push(name));
}

describe('MutableDisposable', () => {
  test('disposes the value it held when it gets another', () => {
    const log: string[] = [];
    const holder = new MutableDisposable();
    const a = tracked('a', log);
    holder.value = a;
    expect(holder.value).toBe(a);
    expect(log).toEqual([]);
    holder.value = tracked('b', log);
    expect(log).toEqual(['a']);
    holder.value = undefined;
    expect(log).toEqual(['a', 'b']);
    expect(holder.value).toBeUndefined();
  });

  test('setting the same value again keeps it', () => {
    const log: string[] = [];
    const holder = new MutableDisposable();
    const a = tracked('a', log);
    holder.value = a;
    holder.value = a;
    expect(log).toEqual([]);
    expect(holder.value).toBe(a);
  });

  test('clear disposes the value and the holder stays usable', () => {
    const log: string[] = [];
    const holder = new MutableDisposable();
    holder.value = tracked('a', log);
    holder.clear();
    expect(log).toEqual(['a']);
    holder.value = tracked('b', log);
    expect(holder.value).toBeDefined();
    expect(log).toEqual(['a']);
  });

  test('dispose releases the value once; a value set afterwards is disposed at once', () => {
    const log: string[] = [];
    const holder = new MutableDisposable();
    holder.value = tracked('a', log);
    holder.dispose();
    holder.dispose();
    expect(log).toEqual(['a']);
    holder.value = tracked('late', log);
    expect(log).toEqual(['a', 'late']);
    expect(holder.value).toBeUndefined();
  });

  test('a swapped timer never fires', () => {
    vi.useFakeTimers();
    try {
      const fired: string[] = [];
      const holder = new MutableDisposable();
      const timer = (name: string) => {
        const handle = setTimeout(() => fired.push(name), 100);
        return toDisposable(() => clearTimeout(handle));
      };
      holder.value = timer('first');
      vi.advanceTimersByTime(50);
      holder.value = timer('second');
      vi.advanceTimersByTime(200);
      expect(fired).toEqual(['second']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('closeOnce', () => {
  test('runs the work once and hands every call the same promise', async () => {
    let runs = 0;
    let finish!: () => void;
    const close = closeOnce(() => {
      runs++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    const first = close();
    const second = close();
    expect(second).toBe(first);
    expect(runs).toBe(1);
    finish();
    await first;
    await close();
    expect(runs).toBe(1);
  });
});
