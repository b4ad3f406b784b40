/** Keystroke echo measurement shared by the echo and flood scenarios. */

export const ECHO_TIMEOUT_MS = 2000;

/** Waits for one specific byte in an output stream; one key is outstanding at a time. */
export class EchoWaiter {
  private key = -1;
  private resolve: ((at: number) => void) | undefined;

  arm = (key: string, resolve: (at: number) => void): void => {
    this.key = key.charCodeAt(0);
    this.resolve = resolve;
  };

  feed(data: Buffer, at: number): void {
    if (this.resolve && data.includes(this.key)) {
      const resolve = this.resolve;
      this.resolve = undefined;
      resolve(at);
    }
  }
}

export interface EchoRun {
  readonly samples: number[];
  /** The warm-up keys' latencies (JIT still compiling the paths), kept apart. */
  readonly warmupSamples: number[];
  readonly timeouts: number;
}

/**
 * Sends keys one at a time (`send`), waiting for each to come back (`arm`
 * hands the resolver to whoever watches the output), with `gapMs` between a
 * key's echo and the next key; stops after `count` keys or when `until()` says so.
 */
export async function measureEcho(options: {
  keys: string;
  count: number;
  warmup?: number;
  gapMs?: number;
  send: (key: string) => void;
  arm: (key: string, resolve: (at: number) => void) => void;
  until?: () => boolean;
}): Promise<EchoRun> {
  const samples: number[] = [];
  const warmupSamples: number[] = [];
  const warmup = options.warmup ?? 0;
  let timeouts = 0;
  for (let i = 0; i < warmup + options.count; i++) {
    if (options.until?.()) break;
    const key = options.keys[i % options.keys.length]!;
    let timer: NodeJS.Timeout | undefined;
    const echoed = new Promise<number | undefined>((resolve) => {
      options.arm(key, resolve);
      timer = setTimeout(() => resolve(undefined), ECHO_TIMEOUT_MS);
    });
    const t0 = performance.now();
    options.send(key);
    const at = await echoed;
    clearTimeout(timer);
    if (i >= warmup) {
      if (at === undefined) timeouts++;
      else samples.push(at - t0);
    } else if (at !== undefined) {
      warmupSamples.push(at - t0);
    }
    if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
  }
  return { samples, warmupSamples, timeouts };
}
