/**
 * The client's lifecycle kit: the shared primitives (schemas/base, also used by
 * the server) plus the browser-specific helpers below.
 */
import { toDisposable, type IDisposable } from '../../base/lifecycle.ts';

export { Disposable, DisposableStore, MutableDisposable, toDisposable, type IDisposable } from '../../base/lifecycle.ts';
export { Emitter, type Event } from '../../base/emitter.ts';

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
