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

/**
 * What must be stopped and waited for (write what it holds, let go of files and
 * sockets): the engine, the agent board, the bridge, the store. `close()` may be
 * called more than once; every call resolves when the first one's work is done.
 */
export interface IAsyncDisposable {
  close(): Promise<void>;
}

/** `close` for an IAsyncDisposable: runs `fn` on the first call and hands every call the same promise. */
export function closeOnce(fn: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= fn());
}

/**
 * Holds at most one disposable (a timer, a listener, a socket's handlers) and
 * disposes the one it held when it gets another, as xterm.js's MutableDisposable:
 * the "clear the old timer, keep the new handle" swap written once.
 */
export class MutableDisposable<T extends IDisposable = IDisposable> implements IDisposable {
  private current: T | undefined;
  private disposed = false;

  get value(): T | undefined {
    return this.current;
  }

  /** Disposes the value held before; after `dispose()` a new value is disposed at once (it would leak). */
  set value(value: T | undefined) {
    if (value === this.current) return;
    if (this.disposed) {
      value?.dispose();
      return;
    }
    const previous = this.current;
    this.current = value;
    previous?.dispose();
  }

  /** Disposes the held value; the holder stays usable. */
  clear(): void {
    this.value = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const previous = this.current;
    this.current = undefined;
    previous?.dispose();
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
