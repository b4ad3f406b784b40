/**
 * Summarizes a V8 .cpuprofile (from `npm run bench -- --cpu-prof`, or any
 * `node --cpu-prof`): self time per function, heaviest first.
 *
 *   node --import tsx bench/profile.ts bench/tmp/profiles/CPU.*.cpuprofile [--top 30] [--from-ms 1500] [--long 20]
 *
 * --from-ms skips the first milliseconds (module loading) to look at steady state;
 * --long N lists the stretches of N ms or more without an idle sample (what
 * blocked the event loop) and the functions that ran in them.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time per function; only samples taken `fromMs` or later after the profile started (skips start-up). */
export function selfTimes(profile: Profile, fromMs = 0): Array<{ name: string; ms: number; share: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    at += dt;
    if (!node || at < fromMs) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  }
  return [...self.entries()].map(([name, ms]) => ({ name, ms, share: ms / total })).sort((a, b) => b.ms - a.ms);
}

/**
 * Stretches of at least `minMs` with no idle sample (the event loop busy without
 * a break), and what ran in them: the cause of event-loop delay spikes.
 */
export function longTasks(profile: Profile, minMs: number): Array<{ atMs: number; ms: number; top: string[] }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out: Array<{ atMs: number; ms: number; top: string[] }> = [];
  let at = 0;
  let start = -1;
  let self = new Map<string, number>();
  const close = (end: number) => {
    if (start >= 0 && end - start >= minMs) {
      const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, ms]) => `${ms.toFixed(1)} ms ${n}`);
      out.push({ atMs: Math.round(start), ms: Math.round(end - start), top });
    }
    start = -1;
    self = new Map();
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    at += dt;
    const name = node?.callFrame.functionName ?? '';
    if (!node || name === '(idle)') {
      close(at);
      continue;
    }
    if (start < 0) start = at;
    const where = node.callFrame.url ? ` ${relative(process.cwd(), node.callFrame.url.replace(/^file:\/\//, ''))}` : '';
    const key = `${name || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  close(at);
  return out;
}

function main(): void {
  const argv = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const top = option('--top', 30);
  const fromMs = option('--from-ms', 0);
  const longMs = option('--long', 0);
  const files = argv.filter((a, i) => !a.startsWith('--') && !['--top', '--from-ms', '--long'].includes(argv[i - 1] ?? ''));
  process.stdout.on('error', () => process.exit(0));
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const rows = selfTimes(profile, fromMs);
    const wall = (profile.endTime - profile.startTime) / 1000;
    const busy = rows.filter((r) => !/^\((idle|program|garbage collector)\)/.test(r.name)).reduce((s, r) => s + r.ms, 0);
    console.log(`${file}: ${wall.toFixed(0)} ms wall, ${busy.toFixed(0)} ms in JavaScript and natives`);
    for (const r of rows.slice(0, top)) console.log(`${r.ms.toFixed(1).padStart(9)} ms ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
    if (longMs > 0) {
      for (const task of longTasks(profile, longMs).filter((t) => t.atMs >= fromMs)) {
        console.log(`busy ${task.ms} ms at ${task.atMs} ms:\n    ${task.top.join('\n    ')}`);
      }
    }
    console.log('');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
