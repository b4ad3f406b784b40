import { join } from 'node:path';
import { createFifos } from '../../tmux/pipe.ts';
import { FifoReader } from '../../tmux/fifo-reader.ts';
import { BridgeChild } from '../lib/bridge.ts';
import { RawControl } from '../lib/control.ts';
import { EchoWaiter, measureEcho, type EchoRun } from '../lib/echo-probe.ts';
import { LoopProbe, loopDelay } from '../lib/probe.ts';
import { cpuSeconds, rssBytes, RssSampler } from '../lib/proc.ts';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../lib/report.ts';
import { median, round, roundSummary, summarize } from '../lib/stats.ts';
import { BenchTerminal } from '../lib/terminal.ts';
import { BenchTmux, startBaselineServer } from '../lib/tmux.ts';
import { MarkerScanner, MB, sleep } from '../lib/util.ts';

/** Letters that `yes`, the prompt and the flood command never print on their own once the flood runs. */
const KEYS = 'ABCDEFGHIJKLMNOPQRSTUVWXZ';
const SHELL = 'bash --norc --noprofile';
const DONE = 'FLOOD-2-OVER';
const floodCommand = (seconds: number) => `timeout ${seconds} yes; echo FLOOD-$((1+1))-OVER`;

async function medianRss(pid: number, ms: number): Promise<number> {
  const samples: number[] = [];
  for (const end = performance.now() + ms; performance.now() < end; await sleep(100)) samples.push(rssBytes(pid) ?? 0);
  return median(samples);
}

/** Keys typed during a flood of `seconds`: one per 100 ms gap, so typing ends even if the end marker is missed. */
const keysFor = (seconds: number) => (seconds + 30) * 10;

/**
 * Echo under flood: a key typed into the flooding pane is echoed by the tty
 * between the `y` lines, so its latency is how far behind live the reader is.
 */
function typeDuringFlood(label: string, seconds: number, send: (key: string) => void, waiter: EchoWaiter, over: () => boolean): Promise<EchoRun> {
  return measureEcho({ label, keys: KEYS, count: keysFor(seconds), gapMs: 100, send, arm: waiter.arm, until: over });
}

/** tmux alone: pipe-pane into a FIFO read at full speed by this process, keys over a control client. */
async function baselineFlood(ctx: ScenarioContext, seconds: number) {
  const base = await startBaselineServer('flood-base');
  const reader: { r?: FifoReader } = {};
  try {
    await base.run('new-session', '-d', '-s', 'flood', '-x', '120', '-y', '30', SHELL);
    const pane = await base.paneOf('flood');
    const fifo = join(ctx.dir, 'flood.fifo');
    await createFifos([fifo]);
    reader.r = new FifoReader(fifo);
    const waiter = new EchoWaiter();
    const done = new MarkerScanner(Buffer.from(DONE));
    let bytes = 0;
    let over = false;
    reader.r.onData((data) => {
      waiter.feed(data, performance.now());
      if (done.push(data, bytes) >= 0) over = true;
      bytes += data.length;
    });
    await base.run('pipe-pane', '-O', '-t', pane, `exec cat > ${fifo}`);
    const control = await RawControl.holder(base, 'flood-holder');
    const tmuxPid = await base.serverPid();
    const tmuxRss0 = rssBytes(tmuxPid) ?? 0;
    const sampler = new RssSampler(tmuxPid, 200);
    const tmuxCpu0 = cpuSeconds(tmuxPid) ?? 0;
    ctx.log(`tmux-only: yes for ${seconds} s, pipe-pane into a FIFO this process drains, typing a key every 100 ms`);
    const t0 = performance.now();
    control.write([['send-keys', '-t', pane, '-l', floodCommand(seconds)], ['send-keys', '-t', pane, 'Enter']]);
    await sleep(1000);
    const run = await typeDuringFlood('flood: tmux-only echo', seconds, (key) => control.write([['send-keys', '-t', pane, '-H', key.charCodeAt(0).toString(16)]]), waiter, () => over);
    while (!over && performance.now() - t0 < (seconds + 30) * 1000) await sleep(50);
    sampler.stop();
    await control.close();
    const elapsed = (performance.now() - t0) / 1000;
    return { echo: run, bytes, seconds: elapsed, tmuxRssGrowth: sampler.peak() - tmuxRss0, tmuxCpuPerSecond: round(((cpuSeconds(tmuxPid) ?? 0) - tmuxCpu0) / elapsed, 3) };
  } finally {
    reader.r?.dispose();
    await base.kill();
  }
}

/** A client that reads its socket 10 ms out of every 250 ms and acks only what it read: a slow browser. */
function slowReader(client: BenchTerminal): () => void {
  const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  socket.pause();
  const timer = setInterval(() => {
    socket.resume();
    setTimeout(() => {
      socket.pause();
      client.ack();
    }, 10);
  }, 250);
  return () => {
    clearInterval(timer);
    socket.resume();
  };
}

export const flood: Scenario = {
  name: 'flood',
  title: 'Flood (yes) with a slow and a normal client',
  async run(ctx): Promise<ScenarioOutcome> {
    const seconds = ctx.quick ? 6 : 20;
    const cpu = (pid: number) => cpuSeconds(pid) ?? 0;
    const baseline = await baselineFlood(ctx, seconds);

    const tmux = new BenchTmux('flood');
    const bridge = new BridgeChild({ socket: tmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir });
    const clients: BenchTerminal[] = [];
    let probe: LoopProbe | undefined;
    try {
      await bridge.start();
      const { sessionKey } = await bridge.createSession({ name: 'flood', shell: SHELL, cols: 120, rows: 30, workingDir: ctx.dir });
      const quiet = await bridge.createSession({ name: 'quiet', shell: 'stty raw -echo; exec cat', cols: 120, rows: 30, workingDir: ctx.dir });
      // Default history (1000 lines), as the browser asks: every fresh screen for the slow client costs a real capture.
      const normal = new BenchTerminal(bridge.url, bridge.token, sessionKey);
      const slow = new BenchTerminal(bridge.url, bridge.token, sessionKey, { ackEvery: 0 });
      const other = new BenchTerminal(bridge.url, bridge.token, quiet.sessionKey);
      clients.push(normal, slow, other);
      await Promise.all(clients.map((c) => c.screen()));
      slow.ack();

      const waiter = new EchoWaiter();
      const done = new MarkerScanner(Buffer.from(DONE));
      let over = false;
      normal.onStream = (data, offset, at) => {
        waiter.feed(data, at);
        if (done.push(data, offset) >= 0) over = true;
      };
      // After a fresh screen the key may be drawn in the screen rather than in the stream.
      normal.onScreen = (parts, at) => parts.forEach((p) => waiter.feed(p, at));
      const otherWaiter = new EchoWaiter();
      other.onStream = (data, _o, at) => otherWaiter.feed(data, at);

      const rss0 = await medianRss(bridge.pid, 1000);
      const tmuxPid = await tmux.serverPid();
      const tmuxRss0 = rssBytes(tmuxPid) ?? 0;
      probe = new LoopProbe();
      await sleep(1500);
      const sampler = new RssSampler(bridge.pid, 100);
      const tmuxSampler = new RssSampler(tmuxPid, 200);
      const stopSlow = slowReader(slow);
      ctx.log(`bridge: yes for ${seconds} s; a normal client types a key every 100 ms, a slow client reads 10 ms in 250 ms, a third types into a quiet session`);
      const cpu0 = { bridge: cpu(bridge.pid), tmux: cpu(tmuxPid), harness: process.cpuUsage() };
      const t0 = performance.now();
      normal.send(`${floodCommand(seconds)}\r`);
      await sleep(1000);
      for (const c of clients) c.resetGap();
      const normalBytes0 = normal.streamBytes;
      const slowBytes0 = slow.streamBytes + slow.snapshotBytesTotal;
      const [inFlood, inQuiet] = await Promise.all([
        typeDuringFlood('flood: normal client echo', seconds, (key) => normal.send(key), waiter, () => over),
        measureEcho({ label: 'flood: quiet session echo', keys: 'abcdefghijklmnopqrstuvwxyz', count: keysFor(seconds), gapMs: 100, send: (k) => other.send(k), arm: otherWaiter.arm, until: () => over }),
      ]);
      while (!over && performance.now() - t0 < (seconds + 30) * 1000) await sleep(50);
      const t1 = performance.now();
      const harnessCpu = process.cpuUsage(cpu0.harness);
      const cpuSecondsPerSecond = {
        bridge: round((cpu(bridge.pid) - cpu0.bridge) / ((t1 - t0) / 1000), 3),
        tmuxServer: round((cpu(tmuxPid) - cpu0.tmux) / ((t1 - t0) / 1000), 3),
        harness: round((harnessCpu.user + harnessCpu.system) / 1e6 / ((t1 - t0) / 1000), 3),
      };
      stopSlow();
      sampler.stop();
      tmuxSampler.stop();
      await sleep(1100);
      const serverLoop = loopDelay(bridge.metricsBetween(t0 + 1000, t1 + 1000));
      const probeLoop = loopDelay(probe.between(t0 + 1000, t1 + 1000));

      const growth = sampler.peak() - rss0;
      const e = summarize(inFlood.samples);
      const q = summarize(inQuiet.samples);
      const be = summarize(baseline.echo.samples);
      const floodSeconds = (t1 - t0) / 1000;
      return {
        params: { seconds, slowClient: 'socket read 10 ms every 250 ms, acks what it read', normalClient: 'acks every 64 KiB on receipt', keyEveryMs: 100 },
        metrics: [
          { label: 'server RSS growth during the flood', unit: 'MB', bridge: round(growth / MB, 1), target: '≤ 64 MB', met: growth <= 64 * MB },
          {
            label: 'normal client echo p99 in the flooding pane',
            unit: 'ms',
            bridge: round(e.p99, 2),
            baseline: round(be.p99, 2),
            ratio: round(e.p99 / be.p99, 2),
            target: '≤ 20 ms',
            met: e.p99 <= 20 && inFlood.timeouts === 0,
            note: 'baseline: the same keys and flood, echo read straight from the pipe-pane FIFO',
          },
          { label: 'normal client echo p50 in the flooding pane', unit: 'ms', bridge: round(e.p50, 2), baseline: round(be.p50, 2) },
          { label: 'keys with no echo within 2 s (flooding pane)', unit: '', bridge: inFlood.timeouts, baseline: baseline.echo.timeouts },
          { label: 'echo p99 in another (quiet) session during the flood', unit: 'ms', bridge: round(q.p99, 2) },
          { label: 'normal client: stream received during the flood', unit: 'MB/s', bridge: round((normal.streamBytes - normalBytes0) / MB / floodSeconds, 1), baseline: round(baseline.bytes / MB / baseline.seconds, 1) },
          { label: 'normal client: longest silence', unit: 'ms', bridge: round(normal.longestGapMs, 0) },
          { label: 'slow client: bytes received / fresh screens', unit: 'MB', bridge: round((slow.streamBytes + slow.snapshotBytesTotal - slowBytes0) / MB, 2), note: `${slow.hellos - 1} fresh screens` },
          { label: 'slow client: longest silence', unit: 'ms', bridge: round(slow.longestGapMs, 0), note: 'it reads only every 250 ms by design' },
          { label: 'server event-loop delay max during the flood', unit: 'ms', bridge: serverLoop.max, baseline: probeLoop.max, note: 'baseline: an idle Node process on the same machine' },
        ],
        details: {
          rss: { before: rss0, peak: sampler.peak(), tmuxBefore: tmuxRss0, tmuxPeak: tmuxSampler.peak(), tmuxGrowthBaseline: baseline.tmuxRssGrowth },
          echoInFloodMs: roundSummary(e),
          echoQuietSessionMs: roundSummary(q),
          baselineEchoMs: roundSummary(be),
          timeouts: { flood: inFlood.timeouts, quiet: inQuiet.timeouts, baseline: baseline.echo.timeouts },
          normal: { streamBytes: normal.streamBytes, hellos: normal.hellos, errors: normal.errors },
          slow: { streamBytes: slow.streamBytes, snapshotBytes: slow.snapshotBytesTotal, hellos: slow.hellos, errors: slow.errors },
          eventLoopDelayMs: { server: serverLoop, idleNodeProbe: probeLoop },
          cpuSecondsPerSecond,
          baselineTmuxCpuPerSecond: baseline.tmuxCpuPerSecond,
          floodSeconds,
          baselineSeconds: baseline.seconds,
        },
        notes: [
          'A key every 100 ms into the pane running `yes` (echoed by the tty among the y lines); latency = send → the key seen by the client.',
          'RSS growth = peak during the flood − median of the second before it.',
        ],
      };
    } finally {
      await probe?.stop();
      await Promise.all(clients.map((c) => c.close()));
      await bridge.dispose();
      await tmux.kill();
    }
  },
};

