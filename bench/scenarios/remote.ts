import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { TestSshd } from '../../test/helpers/sshd.ts';
import { BridgeChild } from '../lib/bridge.ts';
import { onCleanup } from '../lib/cleanup.ts';
import { EchoWaiter, measureEcho } from '../lib/echo-probe.ts';
import { writeTextFile } from '../lib/files.ts';
import { cpuSeconds } from '../lib/proc.ts';
import type { Metric, Scenario, ScenarioOutcome } from '../lib/report.ts';
import { roundSummary, summarize } from '../lib/stats.ts';
import { BenchTerminal } from '../lib/terminal.ts';
import { BenchTmux } from '../lib/tmux.ts';
import { MarkerScanner, MB, waitFor } from '../lib/util.ts';

const END_MARK = '@@TB-REMOTE-END@@';
const ECHO_PROGRAM = 'stty raw -echo; exec cat';
const KEYS = 'abcdefghijklmnopqrstuvwxyz';
const WARMUP = 300;

/**
 * A remote host through a real sshd on 127.0.0.1 (the machine's own OpenSSH): pane
 * output and keystroke echo of a session created on that host in the workbench (one
 * ssh connection: the control client, the session's output client as a channel of
 * it, `%output` decoded, then the terminal WebSocket), against plain `ssh host cat`
 * over the same sshd, which is what any ssh-based design pays at least.
 */
export const remote: Scenario = {
  name: 'remote',
  title: 'Remote host over ssh (local sshd)',
  async run(ctx): Promise<ScenarioOutcome> {
    const bytes = (ctx.quick ? 10 : 30) * MB;
    const keys = ctx.quick ? 300 : 1000;
    const sshd = await new TestSshd().start();
    const stopSshd = onCleanup(() => sshd.stop());
    const remoteTmux = new BenchTmux('remote-host');
    const localTmux = new BenchTmux('remote-bridge');
    await remoteTmux.run('new-session', '-d', '-s', 'idle', 'exec sleep 2147483647');
    const hostsPath = join(ctx.dir, 'hosts.yaml');
    const policyPath = join(ctx.dir, 'policy.yaml');
    writeFileSync(hostsPath, `hosts:\n  - name: farm\n    ssh:\n${sshd.hostYaml('      ')}\n    tmux: {socket: ${remoteTmux.socketName}}\n`);
    writeFileSync(policyPath, 'pipelines: []\n');
    const bridge = new BridgeChild({ socket: localTmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir, extraArgs: ['--config', hostsPath, '--policy', policyPath] });
    const file = join(ctx.dir, 'remote-output.txt');
    const ssh = ['-T', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-i', sshd.userKey, '-o', 'IdentitiesOnly=yes', '-p', String(sshd.port), `${sshd.user}@127.0.0.1`];
    try {
      await writeTextFile(file, bytes);
      await bridge.start();
      await waitFor(async () => (await bridge.api<{ hosts: { name: string; state: string }[] }>('GET', '/api/hosts')).body.hosts.find((h) => h.name === 'farm')?.state === 'connected', 'the host to connect', 60_000);

      // Baseline throughput: the same file through `ssh host cat FILE`.
      ctx.log(`ssh baseline: ${bytes / MB} MB through ssh host cat`);
      const base = await sshCat(ssh, file);

      // The bridge: a session on the host cats the file; the terminal client reads it to the end marker.
      ctx.log(`bridge: ${bytes / MB} MB from a remote pane to a terminal WebSocket`);
      const { sessionKey } = await bridge.createSession({ host: 'farm', name: 'thr', shell: `read go; cat '${file}'; printf '\\n%s\\n' '${END_MARK}'; exec sleep 2147483647`, cols: 120, rows: 30 });
      const client = new BenchTerminal(bridge.url, bridge.token, sessionKey, { history: 0 });
      await client.screen();
      const scanner = new MarkerScanner(Buffer.from(END_MARK));
      const received = new Promise<number>((resolve, reject) => {
        client.onStream = (data, offset, at) => {
          if (scanner.push(data, offset) >= 0) resolve(at);
        };
        client.onScreen = (parts, at) => {
          if (Buffer.concat(parts).includes(END_MARK)) resolve(at);
        };
        setTimeout(() => reject(new Error(`the end marker never reached the client (position ${client.position})`)), 300_000).unref();
      });
      const bridgeCpu0 = cpuSeconds(bridge.pid) ?? 0;
      const t0 = performance.now();
      client.send('\r');
      const t1 = await received;
      const bridgeCpu = (cpuSeconds(bridge.pid) ?? 0) - bridgeCpu0;
      const seconds = (t1 - t0) / 1000;
      await client.close();

      // Echo: one key outstanding at a time, through the workbench session vs through `ssh host cat`.
      ctx.log(`ssh baseline: ${keys} keystrokes through ssh host cat`);
      const sshEcho = await sshEchoRun(ssh, keys);
      ctx.log(`bridge: ${keys} keystrokes into a remote session's terminal`);
      const echoSession = await bridge.createSession({ host: 'farm', name: 'echo', shell: ECHO_PROGRAM, cols: 120, rows: 30 });
      const term = new BenchTerminal(bridge.url, bridge.token, echoSession.sessionKey, { history: 0 });
      await term.screen();
      const waiter = new EchoWaiter();
      term.onStream = (data, _offset, at) => waiter.feed(data, at);
      const bridgeEcho = await measureEcho({ label: 'remote: bridge echo', keys: KEYS, count: keys, warmup: WARMUP, send: (key) => term.send(key), arm: waiter.arm });
      await term.close();

      const mbps = bytes / MB / seconds;
      const b = summarize(bridgeEcho.samples);
      const s = summarize(sshEcho.samples);
      const r3 = (v: number) => Math.round(v * 1000) / 1000;
      const metrics: Metric[] = [
        { label: 'remote pane → browser throughput', unit: 'MB/s', bridge: r3(mbps), baseline: r3(base.mbps), ratio: r3(mbps / base.mbps), note: 'baseline: ssh host cat FILE over the same sshd' },
        { label: 'remote echo p50', unit: 'ms', bridge: r3(b.p50), baseline: r3(s.p50), ratio: r3(b.p50 / s.p50), note: 'baseline: a byte through ssh host cat and back' },
        { label: 'remote echo p99', unit: 'ms', bridge: r3(b.p99), baseline: r3(s.p99), ratio: r3(b.p99 / s.p99) },
        { label: 'remote keystrokes lost (no echo in 2 s)', unit: '', bridge: bridgeEcho.timeouts, baseline: sshEcho.timeouts, target: '0', met: bridgeEcho.timeouts === 0 },
      ];
      return {
        params: { bytes, keystrokes: keys, warmup: WARMUP, sshd: '127.0.0.1 (OpenSSH of this machine)' },
        metrics,
        details: {
          throughput: { bridgeSeconds: r3(seconds), bridgeCpuSeconds: r3(bridgeCpu), sshSeconds: r3(base.seconds), streamBytes: client.streamBytes, hellos: client.hellos },
          bridgeEchoMs: roundSummary(b),
          sshEchoMs: roundSummary(s),
        },
        notes: [
          'Bridge: session created on the host with POST /api/cli-sessions {host}; bytes leave tmux as %output of the session\'s output client (an ssh channel of the one connection), are decoded and sent on the terminal WebSocket.',
          'Baseline: plain ssh to the same sshd (a new connection each, not counted in the timing), cat doing the work.',
        ],
      };
    } finally {
      await bridge.dispose();
      await localTmux.kill();
      await remoteTmux.kill();
      await stopSshd();
    }
  },
};

function sshProcess(args: readonly string[], command: string): ChildProcessByStdio<Writable, Readable, null> {
  const child = spawn('ssh', [...args, command], { stdio: ['pipe', 'pipe', 'ignore'] });
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return child;
}

/** Seconds and MB/s for `ssh host cat FILE` (the connection is up before the clock starts). */
async function sshCat(args: readonly string[], file: string): Promise<{ seconds: number; mbps: number }> {
  const child = sshProcess(args, `echo tb-ready; read go; cat '${file}'`);
  let total = 0;
  let ready = false;
  let head = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (ready) {
        total += chunk.length;
        return;
      }
      head += chunk.toString('utf8');
      if (head.includes('tb-ready\n')) resolve();
    });
    child.once('close', () => reject(new Error('ssh host cat ended before it was ready')));
  });
  ready = true;
  const t0 = performance.now();
  child.stdin.write('\n');
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, mbps: total / MB / seconds };
}

/** Round trips of single bytes through `ssh host cat`. */
async function sshEchoRun(args: readonly string[], count: number) {
  const child = sshProcess(args, 'exec cat');
  const waiter = new EchoWaiter();
  child.stdout.on('data', (chunk: Buffer) => waiter.feed(chunk, performance.now()));
  // The connection is up once a first byte comes back.
  await measureEcho({ label: 'remote: ssh connection', keys: 'z', count: 1, send: (key) => child.stdin.write(key), arm: waiter.arm });
  const run = await measureEcho({ label: 'remote: ssh host cat echo', keys: KEYS, count, warmup: WARMUP, send: (key) => child.stdin.write(key), arm: waiter.arm });
  child.stdin.end();
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  return run;
}
