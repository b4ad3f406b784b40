import { join } from 'node:path';
import { execa } from 'execa';
import { BridgeChild } from '../lib/bridge.ts';
import { rssBytes } from '../lib/proc.ts';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../lib/report.ts';
import { median, round } from '../lib/stats.ts';
import { BenchTmux } from '../lib/tmux.ts';
import { MB, waitFor } from '../lib/util.ts';
import { warmStartOnce, type WarmStart } from '../lib/warm-start.ts';

const SESSIONS = 100;

interface StartRound {
  /** spawn → "listening" line. */
  readonly serveMs: number;
  /** spawn → the API lists every session. */
  readonly listedMs: number;
  /** spawn → every pane has our pipe-pane (pane_pipe = 1). */
  readonly streamingMs: number;
  readonly rss: number;
}

async function startOnce(ctx: ScenarioContext, tmux: BenchTmux, expected: number): Promise<StartRound> {
  const bridge = new BridgeChild({ socket: tmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir });
  try {
    const t0 = performance.now();
    await bridge.start();
    const serveMs = bridge.startMs;
    await waitFor(async () => {
      const { status, body } = await bridge.api<{ sessions: Array<{ status: string }> }>('GET', '/api/cli-sessions');
      return status === 200 && body.sessions.filter((s) => s.status === 'running').length >= expected;
    }, 'sessions listed', 60_000, 10);
    const listedMs = performance.now() - t0;
    await waitFor(async () => {
      const out = await tmux.run('list-panes', '-a', '-F', '#{session_name} #{pane_pipe}');
      return out.split('\n').filter((l) => l && !l.startsWith('_') && l.endsWith(' 1')).length >= expected;
    }, 'pipes armed', 60_000, 10);
    const streamingMs = performance.now() - t0;
    return { serveMs, listedMs, streamingMs, rss: rssBytes(bridge.pid) ?? 0 };
  } finally {
    // SIGTERM: the server disarms its pipes, so the next start adopts from scratch.
    await bridge.dispose();
  }
}

export const startup: Scenario = {
  name: 'startup',
  title: 'Warm start and idle memory; startup and adoption of 100 existing tmux sessions',
  async run(ctx): Promise<ScenarioOutcome> {
    const rounds = ctx.quick ? 1 : 3;
    const empty = new BenchTmux('start-empty');
    const full = new BenchTmux('start-100');
    try {
      for (let first = 0; first < SESSIONS; first += 10) {
        const args: string[] = [];
        for (let i = first; i < Math.min(SESSIONS, first + 10); i++) {
          if (args.length > 0) args.push(';');
          args.push('new-session', '-d', '-s', `native-${i}`, '-x', '120', '-y', '30', 'bash --norc --noprofile');
        }
        await full.run(...args);
      }
      // Client and server are built once up front (npm run build): a warm start only checks their stamps.
      await execa('npm', ['run', '--silent', 'build'], { cwd: join(import.meta.dirname, '..', '..') });
      const warmRounds: WarmStart[] = [];
      for (let r = 0; r < (ctx.quick ? 3 : 5); r++) {
        ctx.log(`warm start ${r + 1}: npm start on an empty tmux socket`);
        warmRounds.push(await warmStartOnce(ctx.dir, empty.socketName));
      }
      const warmMs = median(warmRounds.map((r) => r.listeningMs));
      const idleRss = median(warmRounds.map((r) => r.idleRss)) / MB;
      const idleAnonymous = median(warmRounds.map((r) => r.idleAnonymous)) / MB;
      const emptyRounds: StartRound[] = [];
      const fullRounds: StartRound[] = [];
      for (let r = 0; r < rounds; r++) {
        ctx.log(`round ${r + 1}/${rounds}: start on an empty tmux socket, then on one with ${SESSIONS} sessions`);
        emptyRounds.push(await startOnce(ctx, empty, 0));
        fullRounds.push(await startOnce(ctx, full, SESSIONS));
      }
      const m = (rs: StartRound[], pick: (r: StartRound) => number) => median(rs.map(pick));
      const serveEmpty = m(emptyRounds, (r) => r.serveMs);
      const serveFull = m(fullRounds, (r) => r.serveMs);
      return {
        params: { sessions: SESSIONS, rounds, sessionsAre: 'created natively (tmux new-session), adopted by the bridge' },
        metrics: [
          { label: 'warm start: `npm start` → listening (client and server already built)', unit: 'ms', bridge: round(warmMs, 0), target: '< 1000 ms', met: warmMs < 1000 },
          { label: 'idle server RSS, no session (5 s after listening)', unit: 'MB', bridge: round(idleRss, 1), target: '≤ 80 MB', met: idleRss <= 80 },
          {
            label: 'of which the process allocated itself (anonymous memory; the rest is node’s own mapped code, shared)',
            unit: 'MB',
            bridge: round(idleAnonymous, 1),
          },
          {
            label: `time to serve with ${SESSIONS} sessions (spawn → listening)`,
            unit: 'ms',
            bridge: round(serveFull, 0),
            baseline: round(serveEmpty, 0),
            ratio: round(serveFull / serveEmpty, 2),
            note: 'baseline: the same start on an empty tmux socket (Node start-up included in both)',
          },
          { label: `time until all ${SESSIONS} are listed by the API`, unit: 'ms', bridge: round(m(fullRounds, (r) => r.listedMs), 0) },
          { label: `time until all ${SESSIONS} panes stream (pipe-pane armed)`, unit: 'ms', bridge: round(m(fullRounds, (r) => r.streamingMs), 0) },
          { label: `adoption cost (serve with ${SESSIONS} − serve empty)`, unit: 'ms', bridge: round(serveFull - serveEmpty, 0) },
          { label: `server RSS after adopting ${SESSIONS}`, unit: 'MB', bridge: round(m(fullRounds, (r) => r.rss) / MB, 1), baseline: round(m(emptyRounds, (r) => r.rss) / MB, 1) },
        ],
        details: { warmRounds, emptyRounds, fullRounds },
        notes: ['Warm start: `npm start` as a user runs it, client and server built beforehand, median of the rounds; idle RSS of the server process read 5 s after its listening line.', 'Each round stops the server with SIGTERM (it disarms its pipes), so every start adopts and arms all panes afresh.'],
      };
    } finally {
      await full.kill();
      await empty.kill();
    }
  },
};
