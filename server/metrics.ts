import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/**
 * Opt-in runtime metrics (`TMUX_BRIDGE_METRICS=1`): one JSON line per second on
 * stderr, read by `npm run bench`. Event-loop delay can only be measured from
 * inside the process; RSS and CPU are included so one line is self-contained.
 *
 * Each line covers the last interval only (the histogram is reset), so a
 * reader can take the max over exactly the window it cares about.
 *
 * Started with `node --expose-gc`, SIGUSR2 runs a full collection and reports
 * at once (`afterGc: true`): RSS compared between two such lines is what the
 * process keeps, not how much garbage happened to be waiting.
 */
export function startMetricsReport(intervalMs = 1000, write: (line: string) => void = (l) => process.stderr.write(l)): () => void {
  // 10 ms sampling (Node's default): finer adds timer wake-ups to the very loop we measure.
  const resolutionMs = 10;
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  // Node records the whole interval between two samples (resolution + delay): report the delay alone.
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - resolutionMs) * 100) / 100);
  // Garbage collections by kind: pauses on the main thread (marking also runs on helper threads).
  let gc = { minor: 0, major: 0, pauseMs: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
      gc.pauseMs += entry.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const report = (afterGc: boolean) => {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const sample = {
      metrics: {
        at: Date.now(),
        // count 0: the loop never got to run the sampling timer in this interval.
        eventLoopDelay: { max: ms(delay.max), p99: ms(delay.percentile(99)), mean: ms(delay.mean), count: delay.count },
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        external: mem.external,
        arrayBuffers: mem.arrayBuffers,
        cpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
        gc: { ...gc, pauseMs: Math.round(gc.pauseMs * 100) / 100 },
        ...(afterGc ? { afterGc } : {}),
      },
    };
    if (!afterGc) {
      delay.reset();
      gc = { minor: 0, major: 0, pauseMs: 0 };
    }
    write(`${JSON.stringify(sample)}\n`);
  };
  const timer = setInterval(() => report(false), intervalMs);
  timer.unref();
  const collect = globalThis.gc;
  const onCollect = () => {
    collect?.();
    report(true);
  };
  if (typeof collect === 'function') process.on('SIGUSR2', onCollect);
  return () => {
    process.off('SIGUSR2', onCollect);
    clearInterval(timer);
    delay.disable();
    gcObserver.disconnect();
  };
}
