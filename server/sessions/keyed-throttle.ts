import type { IDisposable } from '../../base/lifecycle.ts';

/**
 * Calls `run(key)` at once for a key that was quiet, then at most once per
 * `intervalMs` while triggers keep coming (the last one is never lost).
 */
export class KeyedThrottle implements IDisposable {
  private readonly windows = new Map<string, { dirty: boolean; timer: NodeJS.Timeout }>();

  constructor(
    private readonly intervalMs: number,
    private readonly run: (key: string) => void,
  ) {}

  trigger(key: string): void {
    const open = this.windows.get(key);
    if (open) {
      open.dirty = true;
      return;
    }
    this.run(key);
    const window = {
      dirty: false,
      timer: setTimeout(() => {
        this.windows.delete(key);
        if (window.dirty) this.trigger(key);
      }, this.intervalMs),
    };
    window.timer.unref?.();
    this.windows.set(key, window);
  }

  dispose(): void {
    for (const { timer } of this.windows.values()) clearTimeout(timer);
    this.windows.clear();
  }
}
