import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metric, Scenario, ScenarioOutcome } from '../lib/report.ts';

type StoreBench = (opts: { quick: boolean; dir: string }) => Promise<Record<string, unknown>>;

const MODULE = join(import.meta.dirname, '..', 'store-bench.ts');

/**
 * The store benchmark lives in bench/store-bench.ts (written separately); it is
 * run here when present and reported as its own scenario, skipped otherwise.
 */
export const store: Scenario = {
  name: 'store',
  title: 'State store (bench/store-bench.ts)',
  async run(ctx): Promise<ScenarioOutcome> {
    if (!existsSync(MODULE)) {
      return { params: {}, metrics: [], details: { skipped: 'bench/store-bench.ts is not there yet' }, notes: [] };
    }
    const mod = (await import(pathToFileURL(MODULE).href)) as { runStoreBench?: StoreBench; storeBenchMetrics?: (result: never) => Metric[] };
    if (typeof mod.runStoreBench !== 'function') {
      return { params: {}, metrics: [], details: { skipped: 'bench/store-bench.ts does not export runStoreBench' }, notes: [] };
    }
    ctx.log('running runStoreBench from bench/store-bench.ts');
    const result = await mod.runStoreBench({ quick: ctx.quick, dir: ctx.dir });
    // Its own table rows (with targets) when it offers them; otherwise its plain numbers, informational.
    const metrics: Metric[] = mod.storeBenchMetrics
      ? mod.storeBenchMetrics(result as never)
      : Object.entries(result)
          .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
          .map(([label, value]) => ({ label, unit: '', bridge: value }));
    return { params: { module: 'bench/store-bench.ts' }, metrics, details: { result }, notes: [] };
  },
};
