import { randomBytes } from 'node:crypto';
import { BridgeChild } from '../lib/bridge.ts';
import { LoopProbe, loopDelay } from '../lib/probe.ts';
import { GenWatch } from '../lib/gen-watch.ts';
import { GEN_LINE_BYTES, generatorLines, writeGenerator } from '../lib/generator.ts';
import { cpuSeconds, rssBytes, RssSampler } from '../lib/proc.ts';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../lib/report.ts';
import { median, round } from '../lib/stats.ts';
import { BenchTerminal } from '../lib/terminal.ts';
import { BenchTmux, signalAllWaiting, startBaselineServer, waitersOn } from '../lib/tmux.ts';
import { MB, sleep, waitFor } from '../lib/util.ts';

const SESSIONS = 100;
const RATE = 200_000;
/** Unique per run: waiters are counted machine-wide through /proc. */
const GO = `scale-go-${randomBytes(4).toString('hex')}`;

/** After a forced full GC in the server: the median RSS over the next second (pages come back to the OS with a delay). */
async function rssAfterGc(bridge: BridgeChild): Promise<{ rss: number; js: number }> {
  const line = await bridge.gcRss();
  return { rss: await steadyRss(bridge.pid, 1000), js: line.heapUsed + (line.external ?? 0) };
}

/** Median RSS over a window, sampled every 100 ms: one GC in the window does not decide the figure. */
async function steadyRss(pid: number, ms: number): Promise<number> {
  const samples: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    samples.push(rssBytes(pid) ?? 0);
    await sleep(100);
  }
  return median(samples);
}

/** The pane command on both sides: wait for the common start signal, print, then stay. */
function paneCommand(gen: string, seconds: number): string {
  return `tmux wait-for ${GO}; perl '${gen}' ${RATE} ${seconds}; exec sleep 2147483647`;
}

/** tmux alone: the same 100 panes and generators, pipe-pane into cat > /dev/null. */
async function baselineRun(ctx: ScenarioContext, gen: string, seconds: number) {
  const base = await startBaselineServer('scale-base');
  try {
    // tmux refuses very long command lines ("command too long"): ten sessions per invocation.
    for (let first = 0; first < SESSIONS; first += 10) {
      const args: string[] = [];
      for (let i = first; i < Math.min(SESSIONS, first + 10); i++) {
        if (args.length > 0) args.push(';');
        args.push('new-session', '-d', '-s', `gen-${i}`, '-x', '120', '-y', '30', paneCommand(gen, seconds));
        args.push(';', 'pipe-pane', '-O', '-t', `=gen-${i}:`, 'cat > /dev/null');
      }
      await base.run(...args);
    }
    const pid = await base.serverPid();
    await waitFor(() => waitersOn(GO) >= SESSIONS, 'generators waiting');
    const cpu0 = cpuSeconds(pid) ?? 0;
    const t0 = performance.now();
    ctx.log(`tmux-only: ${SESSIONS} panes printing ${RATE / 1000} kB/s each for ${seconds} s`);
    await signalAllWaiting(base, GO);
    // Each generator's last line says how long it took: read them off the screens.
    const elapsed = await waitFor(
      async () => {
        const out = await base.run('list-panes', '-a', '-F', '#{pane_id}');
        const panes = out.split('\n').filter((p) => p && p !== '%0');
        const times: number[] = [];
        for (const pane of panes) {
          const m = /@@GEN-END (\d+) (\d+)@@/.exec(await base.run('capture-pane', '-p', '-t', pane));
          if (!m) return undefined;
          times.push(Number(m[2]));
        }
        return times;
      },
      'baseline generators',
      seconds * 1000 + 60_000,
      500,
    );
    const wall = (performance.now() - t0) / 1000;
    return { tmuxCpuSeconds: (cpuSeconds(pid) ?? 0) - cpu0, wallSeconds: wall, generatorSecondsMax: Math.max(...elapsed) / 1000, generatorSecondsMedian: median(elapsed) / 1000 };
  } finally {
    await base.kill();
  }
}

export const scale: Scenario = {
  name: 'scale',
  title: '100 sessions: idle, then all printing 200 KB/s',
  async run(ctx): Promise<ScenarioOutcome> {
    const idleMs = ctx.quick ? 3000 : 10_000;
    const seconds = ctx.quick ? 5 : 20;
    const gen = writeGenerator(ctx.dir);
    const expected = generatorLines(RATE, seconds) * GEN_LINE_BYTES;

    const baseline = await baselineRun(ctx, gen, seconds);

    const tmux = new BenchTmux('scale');
    const bridge = new BridgeChild({ socket: tmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir, exposeGc: true });
    const clients: BenchTerminal[] = [];
    try {
      await bridge.start();
      await sleep(1000);
      // RSS after a forced full GC: per-session cost must not depend on when garbage happened to be collected.
      const emptySampled = await steadyRss(bridge.pid, idleMs);
      const empty = await rssAfterGc(bridge);
      const emptyRss = empty.rss;
      ctx.log(`empty server: ${(emptyRss / MB).toFixed(1)} MB; creating ${SESSIONS} sessions`);
      const keys: string[] = [];
      for (let i = 0; i < SESSIONS; i += 4) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(4, SESSIONS - i) }, (_, j) =>
            bridge.createSession({ name: `gen-${i + j}`, shell: paneCommand(gen, seconds), cols: 120, rows: 30, workingDir: ctx.dir }),
          ),
        );
        keys.push(...batch.map((b) => b.sessionKey));
      }
      const tmuxPid = await tmux.serverPid();
      await sleep(1000);

      let t = performance.now();
      let cpu = cpuSeconds(bridge.pid) ?? 0;
      const idleSampled = await steadyRss(bridge.pid, idleMs);
      const idle = await rssAfterGc(bridge);
      const idleRss = idle.rss;
      const idleCpu = (cpuSeconds(bridge.pid) ?? 0) - cpu;
      const idleLoop = loopDelay(bridge.metricsBetween(t + 1000, performance.now()));
      ctx.log(`${SESSIONS} idle sessions: ${(idleRss / MB).toFixed(1)} MB; attaching a viewer to each`);

      for (const key of keys) {
        const client = new BenchTerminal(bridge.url, bridge.token, key, { history: 0 });
        clients.push(client);
        await client.screen();
      }
      await sleep(1000);
      t = performance.now();
      cpu = cpuSeconds(bridge.pid) ?? 0;
      const viewedSampled = await steadyRss(bridge.pid, idleMs);
      const viewed = await rssAfterGc(bridge);
      const viewedRss = viewed.rss;
      const viewedCpu = (cpuSeconds(bridge.pid) ?? 0) - cpu;
      const viewedLoop = loopDelay(bridge.metricsBetween(t + 1000, performance.now()));
      ctx.log(`… with ${SESSIONS} viewers: ${(viewedRss / MB).toFixed(1)} MB; all panes print ${RATE / 1000} kB/s for ${seconds} s`);

      const watches = clients.map((c) => new GenWatch(c));
      // An idle Node process beside the server: the delay the machine itself causes in the same window.
      const probe = new LoopProbe();
      await sleep(1500);
      const sampler = new RssSampler(bridge.pid, 100);
      const tmuxSampler = new RssSampler(tmuxPid, 250);
      const cpu0 = { bridge: cpuSeconds(bridge.pid) ?? 0, tmux: cpuSeconds(tmuxPid) ?? 0, harness: process.cpuUsage() };
      const t0 = performance.now();
      await waitFor(() => waitersOn(GO) >= SESSIONS, 'generators waiting');
      await signalAllWaiting(tmux, GO);
      const all = Promise.all(watches.map((w) => w.finished));
      const timedOut = await Promise.race([all.then(() => false), sleep(seconds * 1000 + 60_000).then(() => true)]);
      const t1 = performance.now();
      sampler.stop();
      tmuxSampler.stop();
      const harness = process.cpuUsage(cpu0.harness);
      const printCpu = (cpuSeconds(bridge.pid) ?? 0) - cpu0.bridge;
      const tmuxCpu = (cpuSeconds(tmuxPid) ?? 0) - cpu0.tmux;
      // Metrics lines cover the second before them: wait for the one that covers the end.
      await sleep(1100);
      const printLoop = loopDelay(bridge.metricsBetween(t0 + 1000, t1 + 1000));
      const probeLoop = loopDelay(probe.between(t0 + 1000, t1 + 1000));
      await probe.stop();
      const lost = watches.reduce((n, w) => n + (w.endAt > 0 ? Math.max(0, expected - w.received) : expected), 0);
      const extra = watches.reduce((n, w) => n + Math.max(0, w.received - expected), 0);
      const refreshes = watches.reduce((n, w) => n + w.refreshes, 0);
      const durations = watches.filter((w) => w.endAt > 0).map((w) => (w.endAt - w.beginAt) / 1000);
      const perSession = (viewedRss - emptyRss) / SESSIONS;
      const perSessionNoViewer = (idleRss - emptyRss) / SESSIONS;

      return {
        params: { sessions: SESSIONS, ratePerSession: RATE, printSeconds: seconds, idleWindowMs: idleMs, expectedBytesPerSession: expected },
        metrics: [
          { label: 'idle RSS per session above the empty server (with a viewer each)', unit: 'MB', bridge: round(perSession / MB, 3), target: '≤ 2 MB', met: perSession <= 2 * MB, note: 'RSS after a forced full GC' },
          { label: 'idle RSS per session, no viewers', unit: 'MB', bridge: round(perSessionNoViewer / MB, 3) },
          {
            label: 'idle JS heap + external per session (with a viewer each)',
            unit: 'MB',
            bridge: round((viewed.js - empty.js) / SESSIONS / MB, 3),
            note: 'after a forced GC; steadier than RSS, which moves by ±10 MB on its own',
          },
          { label: 'server RSS: empty / 100 idle / 100 idle + viewers', unit: 'MB', bridge: round(viewedRss / MB, 1), note: `${(emptyRss / MB).toFixed(1)} / ${(idleRss / MB).toFixed(1)} / ${(viewedRss / MB).toFixed(1)}` },
          { label: 'idle server CPU (100 sessions + viewers)', unit: '%', bridge: round((viewedCpu / (idleMs / 1000)) * 100, 1) },
          {
            label: 'event-loop delay max while 100 print',
            unit: 'ms',
            bridge: printLoop.max,
            baseline: probeLoop.max,
            target: '≤ 50 ms',
            met: printLoop.max <= 50,
            note: 'baseline: an idle Node process on the same machine in the same window',
          },
          { label: 'event-loop delay p99 while 100 print (worst 1-s window)', unit: 'ms', bridge: printLoop.p99, baseline: probeLoop.p99 },
          { label: 'bytes lost while 100 print', unit: 'B', bridge: lost, target: '0', met: lost === 0 && !timedOut && refreshes === 0 },
          { label: 'server peak RSS while 100 print', unit: 'MB', bridge: round(sampler.peak() / MB, 1), note: 'each pane keeps up to 2 MiB of output in its ring' },
          { label: 'server CPU while 100 print (per second of printing)', unit: 's/s', bridge: round(printCpu / ((t1 - t0) / 1000), 3) },
          {
            label: 'tmux server CPU while 100 print (per second)',
            unit: 's/s',
            bridge: round(tmuxCpu / ((t1 - t0) / 1000), 3),
            baseline: round(baseline.tmuxCpuSeconds / baseline.wallSeconds, 3),
          },
          {
            label: 'time for the 20 MB/s print phase (median pane)',
            unit: 's',
            bridge: round(median(durations), 2),
            baseline: round(baseline.generatorSecondsMedian, 2),
            ratio: round(median(durations) / baseline.generatorSecondsMedian, 3),
            note: `${seconds} s if every pane keeps its pace`,
          },
        ],
        details: {
          rss: {
            afterFullGc: { empty: emptyRss, idle: idleRss, idleWithViewers: viewedRss },
            jsHeapPlusExternalAfterGc: { empty: empty.js, idle: idle.js, idleWithViewers: viewed.js },
            medianOfSamples: { empty: emptySampled, idle: idleSampled, idleWithViewers: viewedSampled },
            printPeak: sampler.peak(),
            tmuxPeak: tmuxSampler.peak(),
          },
          cpuSeconds: { idleNoViewers: idleCpu, idleWithViewers: viewedCpu, print: printCpu, tmuxPrint: tmuxCpu, harnessPrint: (harness.user + harness.system) / 1e6 },
          eventLoopDelayMs: { idle: idleLoop, idleWithViewers: viewedLoop, print: printLoop, idleNodeProbeDuringPrint: probeLoop },
          print: { wallSeconds: (t1 - t0) / 1000, timedOut, lostBytes: lost, extraBytes: extra, refreshes, finishedPanes: durations.length, paneSecondsMax: Math.max(...durations) },
          baseline,
        },
        notes: [
          'Every pane: `tmux wait-for` a common start, then a Perl generator printing 100-byte lines at 200 kB/s (20 MB/s in all); the client of each pane counts the bytes between begin and end markers.',
          'tmux-only baseline: the same 100 panes and generators with pipe-pane into cat > /dev/null, on a tmux server of its own, run first.',
        ],
      };
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await bridge.dispose();
      await tmux.kill();
    }
  },
};
