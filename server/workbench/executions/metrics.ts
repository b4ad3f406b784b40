import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Execution } from '../../../schemas/index.ts';
import type { IDisposable } from '../../../base/lifecycle.ts';
import type { ExecutionRepository } from '../../store/index.ts';
import type { ExecutionService } from './contract.ts';

/** From a quick shell command to an agent working for an hour or two. */
const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Ends already observed, so an end announced twice is counted once (bounded: ends arrive in order). */
const REMEMBERED_ENDS = 512;

/**
 * Execution metrics: how many the store holds by status (read at scrape time, so
 * they survive restarts) and how long the ones that ended in this process took
 * (a histogram by status, kind and tool; tools are the registry's, so few).
 */
export function executionMetrics(service: Pick<ExecutionService, 'onDidUpdate'>, repo: Pick<ExecutionRepository, 'countByStatus'>) {
  return (registry: Registry, prefix: string): IDisposable => {
    new Gauge({
      name: `${prefix}executions`,
      help: 'Executions in the store by status (running now, and how every earlier one ended)',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [status, n] of Object.entries(repo.countByStatus())) this.set({ status }, n);
      },
    });
    const durations = new Histogram({
      name: `${prefix}execution_duration_seconds`,
      help: 'Wall time of executions that ended since the server started, by how they ended, kind (session or stateless) and tool',
      labelNames: ['status', 'kind', 'tool'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    const seen = new Set<string>();
    return service.onDidUpdate((execution: Execution) => {
      if (execution.status === 'running' || !execution.endedAt || seen.has(execution.executionId)) return;
      seen.add(execution.executionId);
      if (seen.size > REMEMBERED_ENDS) seen.delete(seen.values().next().value!);
      const seconds = (Date.parse(execution.endedAt) - Date.parse(execution.startedAt)) / 1000;
      if (!Number.isFinite(seconds)) return;
      durations.observe({ status: execution.status, kind: execution.sessionKey === null ? 'stateless' : 'session', tool: execution.tool }, Math.max(0, seconds));
    });
  };
}
