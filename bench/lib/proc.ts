import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { execa } from 'execa';

/**
 * Per-process figures straight from /proc (Linux), so the bridge, tmux and the
 * harness itself are measured separately.
 */

/** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks; 100 on every Linux ABI node supports. */
const CLK_TCK = 100;

/** Resident set size in bytes, or undefined if the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status);
    return kb ? Number(kb[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A process's RSS split by kind (/proc/<pid>/smaps_rollup): `anonymous` is what
 * the process itself allocated (heaps, wasm memory, stacks); `fileBacked` is pages of
 * mapped files, mostly the node binary's code and ICU data, shared with every other
 * node process on the machine.
 */
export function rssParts(pid: number): { anonymous: number; fileBacked: number } | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
    const rss = kb('Rss');
    const anonymous = kb('Anonymous');
    return { anonymous, fileBacked: rss - anonymous };
  } catch {
    return undefined;
  }
}

interface StatFields {
  readonly ppid: number;
  /** user + system CPU seconds. */
  readonly cpu: number;
}

function readStat(pid: number): StatFields | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
    return { ppid: Number(rest[1]), cpu: (Number(rest[11]) + Number(rest[12])) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of one process. */
export function cpuSeconds(pid: number): number | undefined {
  return readStat(pid)?.cpu;
}

/** `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

/** CPU seconds of a whole process tree (live processes only; exited children are not counted). */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + (cpuSeconds(p) ?? 0), 0);
}

/** Samples a process's RSS at a fixed period and keeps min, max and the samples. */
export class RssSampler {
  readonly samples: Array<{ at: number; rss: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    const rss = rssBytes(this.pid);
    if (rss !== undefined) this.samples.push({ at: performance.now(), rss });
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** Peak RSS between two performance.now() times. */
  peak(from = 0, to = Infinity): number {
    return Math.max(...this.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rss));
  }
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  readonly tmux: string;
  readonly loadAverageAtStart: number[];
  readonly hostname: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  const tmux = await execa('tmux', ['-V']).then(
    (r) => r.stdout.trim(),
    () => 'unknown',
  );
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) osName = pretty[1]!;
  } catch {
    // not every system has /etc/os-release
  }
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    os: osName,
    kernel: os.release(),
    node: process.version,
    tmux,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    hostname: os.hostname(),
  };
}

/** System-wide CPU jiffies from /proc/stat: [busy, idle, steal]. */
function systemCpu(): [number, number, number] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line;
  return [user + nice + system + irq + softirq, idle + iowait, steal];
}

/**
 * How busy the whole machine was over an interval, everyone included: on a
 * shared machine other work competes for the same cores, and a reader of the
 * results should see that next to the numbers.
 */
export class ContentionMeter {
  private readonly start = systemCpu();
  private readonly load0 = os.loadavg()[0]!;
  private readonly t0 = performance.now();

  read(): { busyCores: number; stealPercent: number; loadAverage1m: [number, number]; seconds: number } {
    const [busy, idle, steal] = systemCpu();
    const dBusy = busy - this.start[0];
    const dIdle = idle - this.start[1];
    const dSteal = steal - this.start[2];
    const seconds = (performance.now() - this.t0) / 1000;
    const total = dBusy + dIdle + dSteal;
    return {
      busyCores: Math.round((dBusy / CLK_TCK / Math.max(seconds, 0.001)) * 100) / 100,
      stealPercent: total > 0 ? Math.round((dSteal / total) * 1000) / 10 : 0,
      loadAverage1m: [Math.round(this.load0 * 100) / 100, Math.round(os.loadavg()[0]! * 100) / 100],
      seconds: Math.round(seconds * 10) / 10,
    };
  }
}
