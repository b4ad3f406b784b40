/** Keystroke echo measurement shared by the echo, flood and remote scenarios. */
import { sleep } from './util.ts';

export const ECHO_TIMEOUT_MS = 2000;
/**
 * This many keys in a row without an echo is a stall, not latency: the run
 * stops with an error rather than spending ECHO_TIMEOUT_MS on every key left.
 */
export const MAX_CONSECUTIVE_TIMEOUTS = 10;

/** Waits for one specific byte in an output stream; one key is outstanding at a time. */
export class EchoWaiter {
  private key = -1;
  private resolve: ((at: number) => void) | undefined;
  private readonly kept: Buffer[] | undefined;
  private keptBytes = 0;

  /** `keep`: remember every byte fed, so that expectExactEcho can check them. */
  constructor(options: { keep?: boolean } = {}) {
    this.kept = options.keep ? [] : undefined;
  }

  arm = (key: string, resolve: (at: number) => void): void => {
    this.key = key.charCodeAt(0);
    this.resolve = resolve;
  };

  feed(data: Buffer, at: number): void {
    if (this.kept) {
      this.kept.push(Buffer.from(data));
      this.keptBytes += data.length;
    }
    if (this.resolve && data.includes(this.key)) {
      const resolve = this.resolve;
      this.resolve = undefined;
      resolve(at);
    }
  }

  get receivedBytes(): number {
    return this.keptBytes;
  }

  /** Every byte fed so far (with `keep` only). */
  received(): Buffer {
    return Buffer.concat(this.kept ?? []);
  }
}

export interface EchoRun {
  readonly samples: number[];
  /** The warm-up keys' latencies (JIT still compiling the paths), kept apart. */
  readonly warmupSamples: number[];
  readonly timeouts: number;
  /** Every key sent, in order (warm-up included). */
  readonly sent: string;
}

/**
 * Sends keys one at a time (`send`), waiting for each to come back (`arm`
 * hands the resolver to whoever watches the output), with `gapMs` between a
 * key's echo and the next key; stops after `count` keys or when `until()` says so.
 * Throws after `maxConsecutiveTimeouts` keys in a row got no echo.
 */
export async function measureEcho(options: {
  /** Names the run in the stall error. */
  label: string;
  keys: string;
  count: number;
  warmup?: number;
  gapMs?: number;
  timeoutMs?: number;
  maxConsecutiveTimeouts?: number;
  send: (key: string) => void;
  arm: (key: string, resolve: (at: number) => void) => void;
  until?: () => boolean;
}): Promise<EchoRun> {
  const samples: number[] = [];
  const warmupSamples: number[] = [];
  const warmup = options.warmup ?? 0;
  const timeoutMs = options.timeoutMs ?? ECHO_TIMEOUT_MS;
  const maxInRow = options.maxConsecutiveTimeouts ?? MAX_CONSECUTIVE_TIMEOUTS;
  let timeouts = 0;
  let inRow = 0;
  let sent = '';
  for (let i = 0; i < warmup + options.count; i++) {
    if (options.until?.()) break;
    const key = options.keys[i % options.keys.length]!;
    let timer: NodeJS.Timeout | undefined;
    const echoed = new Promise<number | undefined>((resolve) => {
      options.arm(key, resolve);
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const t0 = performance.now();
    options.send(key);
    sent += key;
    const at = await echoed;
    clearTimeout(timer);
    if (at === undefined) {
      if (++inRow >= maxInRow) {
        const echoedKeys = i + 1 - inRow;
        throw new Error(
          `${options.label}: no echo for ${inRow} keys in a row (${timeoutMs} ms each), key ${i + 1} of ${warmup + options.count}, ${echoedKeys} echoed before: the echo path is stalled`,
        );
      }
    } else {
      inRow = 0;
    }
    if (i >= warmup) {
      if (at === undefined) timeouts++;
      else samples.push(at - t0);
    } else if (at !== undefined) {
      warmupSamples.push(at - t0);
    }
    if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
  }
  return { samples, warmupSamples, timeouts, sent };
}

/**
 * For an echo program that prints nothing but what it reads: checks that the
 * watched output was exactly the keys sent, in order, so every latency measured
 * was the real echo of its own key (not some other byte that happened to match).
 * Waits up to `timeoutMs` for echoes still on their way.
 */
export async function expectExactEcho(label: string, waiter: EchoWaiter, run: EchoRun, timeoutMs = ECHO_TIMEOUT_MS): Promise<void> {
  const expected = Buffer.from(run.sent, 'latin1');
  for (const end = performance.now() + timeoutMs; waiter.receivedBytes < expected.length && performance.now() < end; ) await sleep(20);
  const got = waiter.received();
  if (got.equals(expected)) return;
  let at = 0;
  while (at < got.length && at < expected.length && got[at] === expected[at]) at++;
  const show = (b: Buffer) => JSON.stringify(b.subarray(at, at + 24).toString('latin1'));
  throw new Error(
    `${label}: the output is not the keys sent (${got.length} bytes for ${expected.length} keys); from byte ${at} expected ${show(expected)}, got ${show(got)}`,
  );
}
