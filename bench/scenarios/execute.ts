import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeChild } from '../lib/bridge.ts';
import type { Scenario, ScenarioOutcome } from '../lib/report.ts';
import { round, roundSummary, summarize } from '../lib/stats.ts';
import { BenchTmux } from '../lib/tmux.ts';
import { waitFor } from '../lib/util.ts';

/** Wall-clock time with sub-millisecond precision, comparable with `date +%s%N` in the pane. */
const wallMs = () => performance.timeOrigin + performance.now();

interface Ended {
  readonly receivedAt: number;
  readonly status: string;
  readonly exitCode: number | null;
  readonly completion: string | null;
}

/** The events socket: records when each execution's end (EXECUTION_UPDATED, not running) arrived. */
class EndWatcher {
  readonly ends = new Map<string, Ended>();
  private readonly ws: WebSocket;

  constructor(url: string, token: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws').replace(/\/$/, '')}/ws/events`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    this.ws.on('message', (data) => {
      const receivedAt = wallMs();
      let event: { type?: string; execution?: { executionId: string; status: string; exitCode: number | null; completion: string | null } };
      try {
        event = JSON.parse(String(data));
      } catch {
        return;
      }
      const x = event.execution;
      if (event.type !== 'EXECUTION_UPDATED' || !x || x.status === 'running' || this.ends.has(x.executionId)) return;
      this.ends.set(x.executionId, { receivedAt, status: x.status, exitCode: x.exitCode, completion: x.completion });
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  close(): void {
    this.ws.close();
  }
}

export const execute: Scenario = {
  name: 'execute',
  title: "Execution end: the command's real end to EXECUTION_UPDATED on the events socket",
  async run(ctx): Promise<ScenarioOutcome> {
    const runs = ctx.quick ? 20 : 50;
    const tmux = new BenchTmux('execute');
    const bridge = new BridgeChild({ socket: tmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir });
    try {
      await bridge.start();
      const { sessionKey } = await bridge.createSession({ name: 'exec', shell: 'bash --noprofile --norc -i', workingDir: ctx.dir });
      const watcher = new EndWatcher(bridge.url, bridge.token);
      await watcher.opened();
      const fromCommand: number[] = [];
      const fromStatus: number[] = [];
      const wrong: string[] = [];
      ctx.log(`${runs} executions of a short command in a bash session, one after another`);
      for (let i = 0; i < runs; i++) {
        const stampFile = join(ctx.dir, `end-${i}`);
        // The command's last act is writing the wall-clock time; `exit 3` then ends it (a real exit status).
        const prompt = `sleep 0.1; date +%s%N > '${stampFile}'; exit 3`;
        // The previous run's end is known; the shell prints its prompt right after: the server waits for it.
        const started = await waitFor(async () => {
          const r = await bridge.api<{ executionId: string }>('POST', `/api/cli-sessions/${sessionKey}/execute`, { prompt });
          if (r.status === 202) return r.body.executionId;
          if (r.status !== 409) throw new Error(`execute answered ${r.status}: ${JSON.stringify(r.body)}`);
          return undefined;
        }, 'the session to take the next execution', 30_000, 20);
        const end = await waitFor(() => watcher.ends.get(started), `EXECUTION_UPDATED for run ${i}`, 30_000, 5);
        if (end.status !== 'failed' || end.exitCode !== 3 || end.completion !== 'sentinel') wrong.push(`${started}: ${end.status} ${end.exitCode} ${end.completion}`);
        const commandEnd = Number(BigInt((await readFile(stampFile, 'utf8')).trim()) / 1000n) / 1000;
        const statusFile = join(bridge.dataDir, 'executions', started, 'status');
        // The wrapper's files go once the run ended; the status file may be gone already.
        const statusEnd = await stat(statusFile).then((s) => s.mtimeMs, () => Number.NaN);
        fromCommand.push(end.receivedAt - commandEnd);
        if (Number.isFinite(statusEnd)) fromStatus.push(end.receivedAt - statusEnd);
      }
      watcher.close();
      if (wrong.length) throw new Error(`executions ended wrongly: ${wrong.join('; ')}`);
      const cmd = summarize(fromCommand);
      const st = fromStatus.length ? summarize(fromStatus) : undefined;
      return {
        params: { runs, command: 'sleep 0.1; date +%s%N > FILE; exit 3 (bash -c in a bash session)', events: '/ws/events' },
        metrics: [
          { label: 'command end → EXECUTION_UPDATED p50', unit: 'ms', bridge: round(cmd.p50, 2) },
          { label: 'command end → EXECUTION_UPDATED p99', unit: 'ms', bridge: round(cmd.p99, 2), target: '≤ 50 ms', met: cmd.p99 <= 50 },
          ...(st ? [{ label: 'wrapper status file → EXECUTION_UPDATED p50', unit: 'ms', bridge: round(st.p50, 2) }] : []),
        ],
        details: {
          fromCommandEndMs: roundSummary(cmd),
          ...(st ? { fromStatusFileMs: roundSummary(st), statusFilesSeen: fromStatus.length } : { statusFilesSeen: 0 }),
        },
        notes: [
          "Command end: the wall-clock time the command wrote as its last act (`date +%s%N`), read back after the run; the harness's clock is the same machine's.",
          'The end is EXECUTION_UPDATED with status failed, exit code 3, completion sentinel, as it arrives on the events WebSocket.',
        ],
      };
    } finally {
      await bridge.dispose();
      await tmux.kill();
    }
  },
};
