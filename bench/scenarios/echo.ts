import { BridgeChild } from '../lib/bridge.ts';
import { RawControl } from '../lib/control.ts';
import type { Metric, Scenario, ScenarioOutcome } from '../lib/report.ts';
import { roundSummary, summarize, type Summary } from '../lib/stats.ts';
import { BenchTerminal } from '../lib/terminal.ts';
import { BenchTmux, startBaselineServer } from '../lib/tmux.ts';
import { createFifos } from '../../tmux/pipe.ts';
import { FifoReader } from '../../tmux/fifo-reader.ts';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { onCleanup } from '../lib/cleanup.ts';
import { sleep, waitFor } from '../lib/util.ts';
import { EchoWaiter, expectExactEcho, measureEcho, type EchoRun } from '../lib/echo-probe.ts';
import { cpuSeconds } from '../lib/proc.ts';

/** A raw-mode echo program: every byte comes back as soon as cat reads it (no line discipline echo). */
const ECHO_PROGRAM = 'stty raw -echo; exec cat';
const KEYS = 'abcdefghijklmnopqrstuvwxyz';
/**
 * Keys sent before measuring: a freshly started server (and this harness) runs
 * the keystroke path unoptimized for its first ~0.5 s of keystrokes while V8
 * compiles it (measured: 1–6 ms outliers then, p99 0.5 ms over 20,000 keys
 * after); those keys are reported apart as the cold start.
 */
const WARMUP = 3000;

/**
 * One measured run; afterwards the output watched must be exactly the keys
 * sent, so every latency was the real echo of its own key.
 */
async function measure(label: string, count: number, send: (key: string) => void, waiter: EchoWaiter): Promise<EchoRun> {
  const run = await measureEcho({ label, keys: KEYS, count, warmup: WARMUP, send, arm: waiter.arm });
  await expectExactEcho(label, waiter, run);
  return run;
}

/** Keys sent before `stty raw -echo` has run would come back twice (the tty's echo, then cat's). */
async function untilCatRuns(tmux: BenchTmux, paneId?: string): Promise<void> {
  await waitFor(async () => {
    const panes = (await tmux.run('list-panes', '-a', '-F', '#{pane_id} #{pane_current_command}')).split('\n');
    return panes.some((line) => line.endsWith(' cat') && (paneId === undefined || line.startsWith(`${paneId} `)));
  }, `cat running in ${paneId ?? 'a pane'}`);
}

export const echo: Scenario = {
  name: 'echo',
  title: 'Keystroke echo latency',
  async run(ctx): Promise<ScenarioOutcome> {
    const count = ctx.quick ? 1000 : 2000;
    const base = await startBaselineServer('echo-base');
    const tmux = new BenchTmux('echo');
    const bridge = new BridgeChild({ socket: tmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir });
    try {
      // Baseline 1: the keystroke over a tmux control client, the echo read from its own %output.
      await base.run('new-session', '-d', '-s', 'echo', '-x', '120', '-y', '30', ECHO_PROGRAM);
      const paneId = await base.paneOf('echo');
      await untilCatRuns(base, paneId);
      const control = await RawControl.attach(base, 'echo');
      const viaControl = new EchoWaiter({ keep: true });
      control.onOutput = (pane, data, at) => pane === paneId && viaControl.feed(data, at);
      ctx.log(`tmux-only: ${count} keystrokes via control client send-keys -H, echo from %output`);
      const controlRun = await measure('echo: tmux-only via %output', count, (key) => control.write([['send-keys', '-t', paneId, '-H', key.charCodeAt(0).toString(16)]]), viaControl);
      await control.close();

      // Baseline 2: the same keys, the echo read from a pipe-pane FIFO as the bridge reads it (no node server, no WebSocket).
      await base.run('new-session', '-d', '-s', 'echo-fifo', '-x', '120', '-y', '30', ECHO_PROGRAM);
      const fifoPane = await base.paneOf('echo-fifo');
      await untilCatRuns(base, fifoPane);
      const fifoPath = join(ctx.dir, 'echo.fifo');
      await createFifos([fifoPath]);
      const reader = new FifoReader(fifoPath);
      const viaFifo = new EchoWaiter({ keep: true });
      reader.onData((data) => viaFifo.feed(data, performance.now()));
      await base.run('pipe-pane', '-O', '-t', fifoPane, `exec cat > ${fifoPath}`);
      const holder = await RawControl.holder(base, 'echo-holder');
      ctx.log(`tmux-only: ${count} keystrokes, echo read from a pipe-pane FIFO`);
      const fifoRun = await measure('echo: tmux-only via pipe-pane FIFO', count, (key) => holder.write([['send-keys', '-t', fifoPane, '-H', key.charCodeAt(0).toString(16)]]), viaFifo);
      await holder.close();
      reader.dispose();

      // Floor of the transport: a WebSocket echo server in its own Node process, no tmux at all.
      ctx.log(`WebSocket floor: ${count} bytes to a bare ws echo server and back`);
      const wsRun = await wsFloor(count);

      // The bridge: terminal WebSocket in, pipe-pane FIFO → PaneStream → WebSocket out.
      await bridge.start();
      const { sessionKey } = await bridge.createSession({ name: 'echo', shell: ECHO_PROGRAM, cols: 120, rows: 30, workingDir: ctx.dir });
      const client = new BenchTerminal(bridge.url, bridge.token, sessionKey, { history: 0 });
      await client.screen();
      await untilCatRuns(tmux);
      const viaBridge = new EchoWaiter({ keep: true });
      client.onStream = (data, _offset, at) => viaBridge.feed(data, at);
      ctx.log(`bridge: ${count} keystrokes through the terminal WebSocket`);
      const tmuxPid = await tmux.serverPid();
      const cpu0 = { bridge: cpuSeconds(bridge.pid) ?? 0, tmux: cpuSeconds(tmuxPid) ?? 0, harness: process.cpuUsage() };
      const tStart = performance.now();
      const bridgeRun = await measure('echo: bridge', count, (key) => client.send(key), viaBridge);
      const harness = process.cpuUsage(cpu0.harness);
      // The server's own event-loop delay while it served the keystrokes (lines arrive once a second).
      await sleep(1100);
      const loop = bridge.metricsBetween(tStart, performance.now()).map((m) => m.eventLoopDelay);
      // CPU per keystroke (warm-up included in the count): where the time goes besides waiting.
      const perKeyUs = (seconds: number) => Math.round((seconds / (count + WARMUP)) * 1e6);
      const cpuPerKeystrokeUs = {
        bridge: perKeyUs((cpuSeconds(bridge.pid) ?? 0) - cpu0.bridge),
        tmuxServer: perKeyUs((cpuSeconds(tmuxPid) ?? 0) - cpu0.tmux),
        harness: perKeyUs((harness.user + harness.system) / 1e6),
      };
      await client.close();

      const b = summarize(bridgeRun.samples);
      const c = summarize(controlRun.samples);
      const f = summarize(fifoRun.samples);
      const w = summarize(wsRun.samples);
      const row = (label: string, pick: (s: Summary) => number, target?: { text: string; ok: (v: number) => boolean }): Metric => {
        const value = pick(b);
        return {
          label,
          unit: 'ms',
          bridge: round3(value),
          baseline: round3(pick(c)),
          ratio: round3(value / pick(c)),
          ...(target ? { target: target.text, met: target.ok(value) } : {}),
        };
      };
      const metrics: Metric[] = [
        row('echo p50', (s) => s.p50, { text: '≤ 2 ms', ok: (v) => v <= 2 }),
        row('echo p99', (s) => s.p99, { text: '≤ 10 ms', ok: (v) => v <= 10 }),
        row('echo max', (s) => s.max),
        { label: 'echo p50 vs control-client baseline', unit: '', bridge: round3(b.p50 / c.p50), target: '≤ 2 × baseline', met: b.p50 <= 2 * c.p50 },
        { label: 'echo p99 vs control-client baseline', unit: '', bridge: round3(b.p99 / c.p99), target: '≤ 2 × baseline', met: b.p99 <= 2 * c.p99 },
        { label: 'echo p50, tmux + pipe-pane FIFO only', unit: 'ms', bridge: round3(f.p50), note: 'where the bridge reads: the floor for any pipe-pane design' },
        { label: 'echo p99, tmux + pipe-pane FIFO only', unit: 'ms', bridge: round3(f.p99) },
        {
          label: `echo p99 of the first ${WARMUP} keys after server start (cold)`,
          unit: 'ms',
          bridge: round3(summarize(bridgeRun.warmupSamples).p99),
          baseline: round3(summarize(controlRun.warmupSamples).p99),
        },
        { label: 'echo p50, bare WebSocket echo server', unit: 'ms', bridge: round3(w.p50), note: 'a Node ws server echoing: the transport floor' },
        { label: 'echo p99, bare WebSocket echo server', unit: 'ms', bridge: round3(w.p99) },
        { label: 'keystrokes lost (no echo in 2 s)', unit: '', bridge: bridgeRun.timeouts, baseline: controlRun.timeouts, target: '0', met: bridgeRun.timeouts === 0 },
      ];
      return {
        params: { keystrokes: count, warmup: WARMUP, program: ECHO_PROGRAM, paneSize: '120x30' },
        metrics,
        details: {
          bridgeMs: roundSummary(b),
          controlClientMs: roundSummary(c),
          pipePaneFifoMs: roundSummary(f),
          bareWebSocketMs: roundSummary(w),
          // What the bridge adds beyond its two floors (tmux + pipe-pane, and a WebSocket round trip).
          bridgeOwnP50Ms: round3(b.p50 - f.p50 - w.p50),
          cpuPerKeystrokeUs,
          serverEventLoopDelayMs: { max: Math.max(...loop.map((l) => l.max)), p99: Math.max(...loop.map((l) => l.p99)), windows: loop.length },
          timeouts: { bridge: bridgeRun.timeouts, control: controlRun.timeouts, fifo: fifoRun.timeouts },
        },
        notes: [
          'One keystroke outstanding at a time; latency = send → the byte back at the client (WebSocket, %output or FIFO).',
          'Baseline = tmux -C client: send-keys -H written to its stdin, echo read from its %output (no pipe-pane, no extra process).',
        ],
      };
    } finally {
      await bridge.dispose();
      await tmux.kill();
      await base.kill();
    }
  },
};

/** Round trips through a bare ws echo server in a child process. */
async function wsFloor(count: number): Promise<EchoRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'lib', 'ws-echo-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`ws echo server exited (${code})`)));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const waiter = new EchoWaiter({ keep: true });
    ws.on('message', (data: Buffer) => waiter.feed(data, performance.now()));
    const run = await measure('echo: WebSocket floor', count, (key) => ws.send(Buffer.from(key), { binary: true }), waiter);
    ws.close();
    return run;
  } finally {
    await stop();
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
