import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { MetricsSample } from './bridge.ts';
import { onCleanup } from './cleanup.ts';

/** Runs loop-probe.ts as a child and collects its per-second event-loop delay lines. */
export class LoopProbe {
  readonly samples: MetricsSample[] = [];
  private readonly child: ChildProcess;
  private readonly unregister: () => Promise<void>;

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'loop-probe.ts')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let pending = '';
    this.child.stderr!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as { metrics?: Omit<MetricsSample, 'receivedAt'> };
          if (parsed.metrics) this.samples.push({ ...parsed.metrics, receivedAt: performance.now() });
        } catch {
          // not a metrics line
        }
      }
    });
    const child = this.child;
    this.unregister = onCleanup(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    });
  }

  between(from: number, to: number): MetricsSample[] {
    return this.samples.filter((m) => m.receivedAt >= from && m.receivedAt <= to);
  }

  async stop(): Promise<void> {
    await this.unregister();
  }
}

/** Worst max and worst per-window p99 over metrics lines (percentiles of separate windows cannot be merged). */
export function loopDelay(samples: readonly MetricsSample[]): { max: number; p99: number; windows: number } {
  if (samples.length === 0) return { max: Number.NaN, p99: Number.NaN, windows: 0 };
  return {
    max: Math.max(...samples.map((s) => s.eventLoopDelay.max)),
    p99: Math.max(...samples.map((s) => s.eventLoopDelay.p99)),
    windows: samples.length,
  };
}
