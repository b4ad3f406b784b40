/**
 * Disposables in the style of xterm.js `Lifecycle.ts`: every listener, timer and
 * child resource is registered with an owner and released exactly once.
 */
export interface IDisposable {
  dispose(): void;
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose(): void {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** A bag of disposables released together, in reverse order of registration. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends IDisposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.add(item);
    }
    return item;
  }

  delete(item: IDisposable): void {
    if (this.items.delete(item)) item.dispose();
  }

  /** A timer owned by this store that leaves it once it has fired. */
  timeout(fn: () => void, ms: number): IDisposable {
    const handle = setTimeout(() => {
      this.items.delete(timer);
      fn();
    }, ms);
    handle.unref?.();
    const timer = toDisposable(() => clearTimeout(handle));
    return this.add(timer);
  }

  clear(): void {
    const all = [...this.items].reverse();
    this.items.clear();
    for (const item of all) {
      try {
        item.dispose();
      } catch {
        // One failing dispose must not leak the others.
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clear();
  }
}

/** Base class for objects that own disposables. */
export abstract class Disposable implements IDisposable {
  protected readonly store = new DisposableStore();

  protected register<T extends IDisposable>(item: T): T {
    return this.store.add(item);
  }

  get isDisposed(): boolean {
    return this.store.isDisposed;
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** A timer owned by a disposable store. */
export function disposableInterval(fn: () => void, ms: number): IDisposable {
  const handle = setInterval(fn, ms);
  handle.unref?.();
  return toDisposable(() => clearInterval(handle));
}

export function disposableTimeout(fn: () => void, ms: number): IDisposable {
  const handle = setTimeout(fn, ms);
  handle.unref?.();
  return toDisposable(() => clearTimeout(handle));
}
