/**
 * The client's small lifecycle kit (the client may not import tmux/base):
 * every listener, timer and socket is registered with an owner and released
 * exactly once by `dispose()`.
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

/** A bag of disposables released together, newest first. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends IDisposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.add(item);
    return item;
  }

  delete(item: IDisposable): void {
    if (this.items.delete(item)) item.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const all = [...this.items].reverse();
    this.items.clear();
    for (const item of all) {
      try {
        item.dispose();
      } catch (error) {
        console.error('dispose failed', error);
      }
    }
  }
}

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

/** `addEventListener` that comes back as a disposable. */
export function listen<K extends keyof WindowEventMap>(target: Window, type: K, fn: (e: WindowEventMap[K]) => void): IDisposable;
export function listen<K extends keyof DocumentEventMap>(target: Document, type: K, fn: (e: DocumentEventMap[K]) => void): IDisposable;
export function listen(target: EventTarget, type: string, fn: (e: Event) => void): IDisposable;
export function listen(target: EventTarget, type: string, fn: (e: Event) => void): IDisposable {
  target.addEventListener(type, fn);
  return toDisposable(() => target.removeEventListener(type, fn));
}

export function timeout(fn: () => void, ms: number): IDisposable {
  const handle = setTimeout(fn, ms);
  return toDisposable(() => clearTimeout(handle));
}

/** A typed event with disposable subscriptions (the client's Emitter). */
export class Emitter<T> implements IDisposable {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): IDisposable => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error('listener failed', error);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/** Reconnect delays: 0.5 s, doubling, at most 5 s. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly firstMs = 500,
    private readonly maxMs = 5000,
  ) {}

  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const delay = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    this.attempt++;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
