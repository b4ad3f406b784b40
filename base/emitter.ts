import type { IDisposable } from './lifecycle.ts';

/** A subscription function: call it with a listener, get a disposable back. */
export type Event<T> = (listener: (value: T) => void) => IDisposable;

/**
 * A typed event emitter in the style of xterm.js `EventEmitter.ts`: the owner
 * keeps the emitter private and exposes only `event`.
 */
export class Emitter<T> implements IDisposable {
  private listeners: Array<(value: T) => void> = [];
  private disposed = false;

  readonly event: Event<T> = (listener) => {
    if (this.disposed) return { dispose: () => {} };
    this.listeners.push(listener);
    return {
      dispose: () => {
        const index = this.listeners.indexOf(listener);
        if (index >= 0) this.listeners.splice(index, 1);
      },
    };
  };

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  fire(value: T): void {
    // Copy so that listeners may unsubscribe while being called; one failing
    // listener must not keep the others from hearing the event.
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error('event listener failed:', error);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

/** Resolves with the next value of an event. */
export function nextEvent<T>(event: Event<T>, predicate: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const sub = event((value) => {
      if (!predicate(value)) return;
      sub.dispose();
      resolve(value);
    });
  });
}
