import { describe, expect, it } from 'vitest';
import { EchoWaiter, expectExactEcho, measureEcho } from '../../bench/lib/echo-probe.ts';

describe('bench echo probe', () => {
  it('measures each key by its own echo, and other bytes do not count', async () => {
    const waiter = new EchoWaiter({ keep: true });
    const sent: string[] = [];
    const run = await measureEcho({
      label: 'test',
      keys: 'ab',
      count: 4,
      warmup: 1,
      send: (key) => {
        sent.push(key);
        // Noise first (as control-mode framing once was), then the real echo.
        setTimeout(() => waiter.feed(Buffer.from('%output %1 xyz'.replace(key, '')), performance.now()), 1);
        setTimeout(() => waiter.feed(Buffer.from(key), performance.now()), 15);
      },
      arm: waiter.arm,
    });
    expect(sent.join('')).toBe('ababa');
    expect(run.sent).toBe('ababa');
    expect(run.timeouts).toBe(0);
    expect(run.samples).toHaveLength(4);
    expect(run.warmupSamples).toHaveLength(1);
    // Each latency is the echo's, not the noise's.
    for (const ms of run.samples) expect(ms).toBeGreaterThanOrEqual(10);
    // The stream held the noise too: not the exact echo of the keys.
    await expect(expectExactEcho('test', waiter, run, 50)).rejects.toThrow(/test: the output is not the keys sent .* from byte 0 expected "ababa", got "%output/);
  });

  it('accepts a stream that is exactly the keys sent', async () => {
    const waiter = new EchoWaiter({ keep: true });
    const run = await measureEcho({
      label: 'exact',
      keys: 'xyz',
      count: 7,
      send: (key) => setImmediate(() => waiter.feed(Buffer.from(key), performance.now())),
      arm: waiter.arm,
    });
    await expectExactEcho('exact', waiter, run, 50);
    expect(waiter.received().toString()).toBe('xyzxyzx');
  });

  it('stops with an error after so many keys in a row got no echo, instead of waiting out every key', async () => {
    let sent = 0;
    const t0 = performance.now();
    const run = measureEcho({
      label: 'stalled path',
      keys: 'abc',
      count: 1000,
      warmup: 100,
      timeoutMs: 20,
      maxConsecutiveTimeouts: 5,
      send: () => sent++,
      arm: () => undefined,
    });
    await expect(run).rejects.toThrow('stalled path: no echo for 5 keys in a row (20 ms each), key 5 of 1100, 0 echoed before: the echo path is stalled');
    expect(sent).toBe(5);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('a key that comes back resets the count: scattered timeouts are counted, not fatal', async () => {
    const waiter = new EchoWaiter();
    let n = 0;
    const run = await measureEcho({
      label: 'lossy',
      keys: 'abc',
      count: 12,
      timeoutMs: 20,
      maxConsecutiveTimeouts: 3,
      // Every third key is lost: never three in a row.
      send: (key) => {
        if (++n % 3 !== 0) setImmediate(() => waiter.feed(Buffer.from(key), performance.now()));
      },
      arm: waiter.arm,
    });
    expect(run.timeouts).toBe(4);
    expect(run.samples).toHaveLength(8);
  });
});
