import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BridgeChild } from '../lib/bridge.ts';
import { writeTextFile } from '../lib/files.ts';
import { cpuSeconds } from '../lib/proc.ts';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from '../lib/report.ts';
import { median, round } from '../lib/stats.ts';
import { BenchTerminal } from '../lib/terminal.ts';
import { BenchTmux, startBaselineServer, tmuxEnv } from '../lib/tmux.ts';
import { MarkerScanner, MB } from '../lib/util.ts';

const END_MARK = '@@TB-THROUGHPUT-END@@';

/**
 * The pane workload, identical on both sides: wait for the start signal, cat
 * the file, print the end marker, signal done. `tmux wait-for` in the pane
 * talks to the pane's own server ($TMUX), so nothing starts before the clock.
 */
function paneCommand(file: string, round: number): string {
  return `tmux wait-for tb-go-${round}; cat '${file}'; printf '\\n%s\\n' '${END_MARK}'; tmux wait-for -S tb-done-${round}; exec sleep 2147483647`;
}

/** A blocked `tmux wait-for CHANNEL` client: resolves when the pane signals it. */
function waitChannel(tmux: BenchTmux, channel: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('tmux', [...tmux.args, 'wait-for', channel], { env: tmuxEnv(), stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now()));
  });
}

interface RoundResult {
  readonly seconds: number;
  readonly mbps: number;
  readonly tmuxCpu: number;
  readonly bridgeCpu?: number;
  readonly harnessCpu?: number;
  readonly paneDoneSeconds?: number;
  readonly streamBytes?: number;
  readonly streamMessages?: number;
  readonly hellos?: number;
}

async function baselineRound(tmux: BenchTmux, file: string, fileBytes: number, round: number): Promise<RoundResult> {
  const name = `thr-base-${round}`;
  await tmux.run('new-session', '-d', '-s', name, '-x', '120', '-y', '30', paneCommand(file, round));
  await tmux.run('pipe-pane', '-O', '-t', `=${name}:`, 'cat > /dev/null');
  const tmuxPid = await tmux.serverPid();
  const done = waitChannel(tmux, `tb-done-${round}`);
  const cpu0 = cpuSeconds(tmuxPid)!;
  const t0 = performance.now();
  await tmux.run('wait-for', '-S', `tb-go-${round}`);
  const t1 = await done;
  const cpu1 = cpuSeconds(tmuxPid)!;
  await tmux.run('kill-session', '-t', `=${name}`);
  const seconds = (t1 - t0) / 1000;
  return { seconds, mbps: fileBytes / MB / seconds, tmuxCpu: cpu1 - cpu0 };
}

async function bridgeRound(bridge: BridgeChild, tmux: BenchTmux, ctx: ScenarioContext, file: string, fileBytes: number, round: number): Promise<RoundResult> {
  const { sessionKey } = await bridge.createSession({ name: `thr-${round}`, shell: paneCommand(file, round), cols: 120, rows: 30, workingDir: ctx.dir });
  const client = new BenchTerminal(bridge.url, bridge.token, sessionKey, { history: 0 });
  await client.screen();
  const scanner = new MarkerScanner(Buffer.from(END_MARK));
  const received = new Promise<number>((resolve, reject) => {
    client.onStream = (data, offset, at) => {
      if (scanner.push(data, offset) >= 0) resolve(at);
    };
    // A client that fell more than the ring (2 MiB) behind gets a fresh screen: the end may be drawn there.
    client.onScreen = (parts, at) => {
      if (Buffer.concat(parts).includes(END_MARK)) resolve(at);
    };
    setTimeout(() => reject(new Error(`round ${round}: the end marker never reached the client (position ${client.position}, ${client.hellos} hellos)`)), 180_000).unref();
  });
  const tmuxPid = await tmux.serverPid();
  const paneDone = waitChannel(tmux, `tb-done-${round}`);
  const tmuxCpu0 = cpuSeconds(tmuxPid)!;
  const bridgeCpu0 = cpuSeconds(bridge.pid) ?? 0;
  const harness0 = process.cpuUsage();
  const t0 = performance.now();
  await tmux.run('wait-for', '-S', `tb-go-${round}`);
  const t1 = await received;
  const tPane = await paneDone;
  const harness = process.cpuUsage(harness0);
  const result: RoundResult = {
    seconds: (t1 - t0) / 1000,
    mbps: fileBytes / MB / ((t1 - t0) / 1000),
    paneDoneSeconds: (tPane - t0) / 1000,
    tmuxCpu: cpuSeconds(tmuxPid)! - tmuxCpu0,
    bridgeCpu: (cpuSeconds(bridge.pid) ?? 0) - bridgeCpu0,
    harnessCpu: (harness.user + harness.system) / 1e6,
    streamBytes: client.streamBytes,
    streamMessages: client.streamMessages,
    hellos: client.hellos,
  };
  await client.close();
  await bridge.api('POST', `/api/cli-sessions/${sessionKey}/close`);
  return result;
}

/** The bridge drains the pane into its ring but nobody watches: splits server cost from WebSocket delivery. */
async function noViewerRound(bridge: BridgeChild, tmux: BenchTmux, ctx: ScenarioContext, file: string, fileBytes: number, round: number): Promise<RoundResult> {
  const { sessionKey } = await bridge.createSession({ name: `thr-nv-${round}`, shell: paneCommand(file, round), cols: 120, rows: 30, workingDir: ctx.dir });
  const tmuxPid = await tmux.serverPid();
  const paneDone = waitChannel(tmux, `tb-done-${round}`);
  const tmuxCpu0 = cpuSeconds(tmuxPid)!;
  const bridgeCpu0 = cpuSeconds(bridge.pid) ?? 0;
  const t0 = performance.now();
  await tmux.run('wait-for', '-S', `tb-go-${round}`);
  const t1 = await paneDone;
  const result: RoundResult = {
    seconds: (t1 - t0) / 1000,
    mbps: fileBytes / MB / ((t1 - t0) / 1000),
    tmuxCpu: cpuSeconds(tmuxPid)! - tmuxCpu0,
    bridgeCpu: (cpuSeconds(bridge.pid) ?? 0) - bridgeCpu0,
  };
  await bridge.api('POST', `/api/cli-sessions/${sessionKey}/close`);
  return result;
}

export const throughput: Scenario = {
  name: 'throughput',
  title: 'Output throughput: cat of a large file',
  async run(ctx): Promise<ScenarioOutcome> {
    const fileBytes = (ctx.quick ? 40 : 100) * MB;
    const rounds = ctx.quick ? 3 : 5;
    const file = join(ctx.dir, 'throughput.txt');
    ctx.log(`writing a ${fileBytes / MB} MB text file`);
    await writeTextFile(file, fileBytes);
    const actualBytes = Math.floor(fileBytes / 80) * 80;

    const base = await startBaselineServer('thr-base');
    const tmux = new BenchTmux('thr');
    const bridge = new BridgeChild({ socket: tmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir });
    try {
      await bridge.start();
      const baseline: RoundResult[] = [];
      const viaBridge: RoundResult[] = [];
      const noViewer: RoundResult[] = [];
      for (let r = 0; r < rounds; r++) {
        // Alternate, so drift in machine load hits both sides alike.
        ctx.log(`round ${r + 1}/${rounds}: tmux-only (pipe-pane into cat > /dev/null)`);
        baseline.push(await baselineRound(base, file, actualBytes, r));
        ctx.log(`round ${r + 1}/${rounds}: bridge (WebSocket client counting bytes) — baseline ${baseline[r]!.mbps.toFixed(1)} MB/s`);
        viaBridge.push(await bridgeRound(bridge, tmux, ctx, file, actualBytes, r));
        ctx.log(`  bridge ${viaBridge[r]!.mbps.toFixed(1)} MB/s; now the bridge with no viewer`);
        // Round numbers differ per kind so wait-for channels never collide.
        noViewer.push(await noViewerRound(bridge, tmux, ctx, file, actualBytes, 1000 + r));
      }
      const b = median(viaBridge.map((x) => x.mbps));
      const t = median(baseline.map((x) => x.mbps));
      const ratio = b / t;
      const refreshed = viaBridge.filter((x) => (x.hellos ?? 1) > 1).length;
      const perMB = (x: number | undefined) => ((x ?? 0) * 1000) / (actualBytes / MB);
      const metrics: Metric[] = [
        { label: `cat ${fileBytes / MB} MB: MB/s (median of ${rounds})`, unit: 'MB/s', bridge: round(b, 2), baseline: round(t, 2), ratio: round(ratio), target: '≥ 0.90 × baseline', met: ratio >= 0.9 },
        {
          label: 'pane done, bridge streaming with no viewer',
          unit: 'MB/s',
          bridge: round(median(noViewer.map((x) => x.mbps)), 2),
          baseline: round(t, 2),
          ratio: round(median(noViewer.map((x) => x.mbps)) / t, 3),
          note: 'FIFO drained into the ring, no WebSocket: the cost of reading alone',
        },
        {
          label: 'bridge rounds where the client got a fresh screen',
          unit: '',
          bridge: refreshed,
          note: 'it fell > 2 MiB (the ring) behind and skipped bytes; such a round overstates MB/s',
        },
        { label: 'server CPU per MB (median)', unit: 'ms', bridge: round(median(viaBridge.map((x) => perMB(x.bridgeCpu))), 2) },
        { label: 'tmux server CPU per MB (median)', unit: 'ms', bridge: round(median(viaBridge.map((x) => perMB(x.tmuxCpu))), 2), baseline: round(median(baseline.map((x) => perMB(x.tmuxCpu))), 2) },
        { label: 'WebSocket messages per MB (median)', unit: '', bridge: round(median(viaBridge.map((x) => (x.streamMessages ?? 0) / (actualBytes / MB))), 0) },
      ];
      return {
        params: { fileBytes: actualBytes, rounds, paneSize: '120x30', baseline: "same pane command, pipe-pane -O 'cat > /dev/null', no bridge" },
        metrics,
        details: { baseline, bridge: viaBridge, bridgeNoViewer: noViewer },
        notes: [
          'MB = 10^6 bytes of the file; the stream carries one more byte per line (the pty turns LF into CR LF).',
          'Bridge time ends when the WebSocket client has the end marker; baseline time ends when the pane has printed it (tmux wait-for).',
        ],
      };
    } finally {
      await bridge.dispose();
      await tmux.kill();
      await base.kill();
    }
  },
};
