import { BridgeChild } from '../lib/bridge.ts';
import { cpuSeconds } from '../lib/proc.ts';
import type { Scenario, ScenarioOutcome } from '../lib/report.ts';
import { round, summarize } from '../lib/stats.ts';
import { BenchTmux } from '../lib/tmux.ts';
import { waitFor } from '../lib/util.ts';

const SESSIONS = 4;
/** Between one item's end and the next item's start in the same session. */
const OVERHEAD_TARGET_MS = 20;

interface Run {
  readonly executionId: string;
  readonly sessionKey: string | null;
  readonly status: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/**
 * Gaps between consecutive executions of one session: the previous one's end
 * (when the bridge saw its end marker) to the next one's start (when the
 * scheduler had decided, chosen the session and found the shell ready to type).
 */
export function sessionGaps(runs: readonly Run[]): number[] {
  const bySession = new Map<string, Run[]>();
  for (const run of runs) {
    if (!run.sessionKey || !run.endedAt) continue;
    const list = bySession.get(run.sessionKey) ?? [];
    list.push(run);
    bySession.set(run.sessionKey, list);
  }
  const gaps: number[] = [];
  for (const list of bySession.values()) {
    list.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    for (let i = 1; i < list.length; i++) gaps.push(Date.parse(list[i]!.startedAt) - Date.parse(list[i - 1]!.endedAt!));
  }
  return gaps;
}

/**
 * A queue of N items of `true` (200; 60 quick) in one parallel group through
 * 4 sessions: items per second from the scheduler's start to the queue's end,
 * and the scheduler's overhead per item inside a session. Timestamps are the
 * executions' own (millisecond ISO times recorded by the server).
 */
export const queue: Scenario = {
  name: 'queue',
  title: `Queue scheduler: items of \`true\` through ${SESSIONS} sessions`,
  async run(ctx): Promise<ScenarioOutcome> {
    const items = ctx.quick ? 60 : 200;
    const tmux = new BenchTmux('queue');
    const bridge = new BridgeChild({ socket: tmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir });
    try {
      await bridge.start();
      const created = await bridge.api<{ id: string }>('POST', '/api/queues', {
        name: 'bench',
        maxConcurrentSessions: SESSIONS,
        execution_groups: [{ id: 'P1', type: 'parallel' }],
        items: Array.from({ length: items }, () => ({ prompt: 'true', tool: 'bash' })),
      });
      if (created.status !== 201) throw new Error(`creating the queue failed (${created.status}): ${JSON.stringify(created.body)}`);
      const id = created.body.id;
      ctx.log(`queue ${id}: ${items} items, starting the scheduler`);
      const cpuBefore = cpuSeconds(bridge.pid) ?? 0;
      const t0 = performance.now();
      const started = await bridge.api('POST', `/api/queues/${id}/scheduler/start`);
      if (started.status !== 200) throw new Error(`starting the scheduler failed (${started.status}): ${JSON.stringify(started.body)}`);
      // A quarter-second poll of the queue: cheap next to what is measured, and never inside the bridge's own timings.
      const done = await waitFor(
        async () => {
          const { body } = await bridge.api<{ status: string; items: Array<{ status: string }> }>('GET', `/api/queues/${id}`);
          const settled = body.items.filter((i) => i.status === 'completed' || i.status === 'failed' || i.status === 'cancelled').length;
          return body.status === 'completed' || settled === items ? body : undefined;
        },
        'the queue to complete',
        items * 2000,
        250,
      );
      const wallMs = performance.now() - t0;
      const cpuMs = ((cpuSeconds(bridge.pid) ?? 0) - cpuBefore) * 1000;
      const { body } = await bridge.api<{ executions: Run[] }>('GET', `/api/executions?queueId=${encodeURIComponent(id)}`);
      const runs = body.executions;
      const completed = done.items.filter((i) => i.status === 'completed').length;
      const sessions = new Set(runs.map((r) => r.sessionKey)).size;
      // Items per second over the executions themselves (first start → last end), and over the whole run as the poll saw it.
      const first = Math.min(...runs.map((r) => Date.parse(r.startedAt)));
      const last = Math.max(...runs.map((r) => Date.parse(r.endedAt ?? r.startedAt)));
      const gaps = summarize(sessionGaps(runs));
      const durations = summarize(runs.filter((r) => r.endedAt).map((r) => Date.parse(r.endedAt!) - Date.parse(r.startedAt)));
      ctx.log(`${completed}/${items} completed in ${(wallMs / 1000).toFixed(1)} s over ${sessions} sessions; gap p50 ${gaps.p50} ms p99 ${gaps.p99} ms`);
      return {
        params: { items, sessions: SESSIONS, command: 'true', tool: 'bash', group: 'one parallel group' },
        metrics: [
          { label: `items per second (${items} items, first start → last end)`, unit: '/s', bridge: round(items / ((last - first) / 1000), 1) },
          { label: 'items per second (scheduler start → queue completed, as polled)', unit: '/s', bridge: round(items / (wallMs / 1000), 1) },
          {
            label: 'scheduler overhead per item p50 (end → next start, same session)',
            unit: 'ms',
            bridge: gaps.p50,
            target: `≤ ${OVERHEAD_TARGET_MS} ms`,
            met: gaps.p50 <= OVERHEAD_TARGET_MS,
          },
          { label: 'scheduler overhead per item p99', unit: 'ms', bridge: gaps.p99, target: `≤ ${OVERHEAD_TARGET_MS} ms`, met: gaps.p99 <= OVERHEAD_TARGET_MS },
          { label: 'execution of `true` p50 (typed → end marker seen)', unit: 'ms', bridge: durations.p50 },
          { label: 'items completed', unit: '', bridge: completed, target: `${items}`, met: completed === items },
          { label: 'server CPU per item', unit: 'ms', bridge: round(cpuMs / items, 2) },
        ],
        details: { queueId: id, sessionsUsed: sessions, wallMs: round(wallMs, 0), gaps, durations, cpuMs: round(cpuMs, 0) },
        notes: [
          'Times are the executions\' startedAt/endedAt (ms resolution). The first item of each session also waits for its new shell; that wait is not a gap.',
        ],
      };
    } finally {
      await bridge.dispose();
      await tmux.kill();
    }
  },
};
