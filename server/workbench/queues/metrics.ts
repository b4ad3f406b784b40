import { Gauge, type Registry } from 'prom-client';
import { QueueItemStatus, QueueStatus, SchedulerState } from '../../../schemas/queue.ts';
import type { QueueState } from './queue-state.ts';

function countBy<T extends string>(keys: readonly T[], values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>(keys.map((k) => [k, 0]));
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * Queue metrics, read from the queues in memory at scrape time: queues by status,
 * their items by status (all queues together) and their schedulers by state.
 * Every status is always present, so a rule like `queue_items{status="failed"} > 0` has a series.
 */
export function queueMetrics(state: Pick<QueueState, 'list'>) {
  return (registry: Registry, prefix: string): void => {
    const gauge = (name: string, help: string, label: string, keys: readonly string[], values: () => string[]) =>
      new Gauge({
        name: `${prefix}${name}`,
        help,
        labelNames: [label],
        registers: [registry],
        collect() {
          this.reset();
          for (const [key, n] of countBy(keys, values())) this.set({ [label]: key }, n);
        },
      });
    gauge('queues', 'Queues by status', 'status', QueueStatus.options, () => state.list().map((q) => q.status));
    gauge('queue_items', 'Queue items by status, all queues together', 'status', QueueItemStatus.options, () => state.list().flatMap((q) => q.items.map((i) => i.status)));
    gauge('queue_schedulers', 'Queue schedulers by state (one per queue)', 'state', SchedulerState.options, () => state.list().map((q) => q.scheduler.state));
  };
}
