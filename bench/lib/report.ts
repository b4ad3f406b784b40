import type { MachineInfo } from './proc.ts';

/** One row of the results table. */
export interface Metric {
  readonly label: string;
  readonly unit: string;
  readonly bridge: number | null;
  /** The tmux-only figure measured in the same run, if the metric has one. */
  readonly baseline?: number | null;
  /** bridge / baseline. */
  readonly ratio?: number | null;
  /** Human-readable target, e.g. "≥ 0.90 × baseline". */
  readonly target?: string;
  /** undefined: informational, no target. */
  readonly met?: boolean;
  readonly note?: string;
}

export interface ScenarioOutcome {
  readonly params: Record<string, unknown>;
  readonly metrics: Metric[];
  /** Everything else measured (raw samples summaries, per-process CPU, ...). */
  readonly details: Record<string, unknown>;
  readonly notes: string[];
}

export interface ScenarioResult extends Partial<ScenarioOutcome> {
  readonly name: string;
  readonly title: string;
  readonly durationMs: number;
  /** How busy the whole machine was meanwhile (other tenants included): see ContentionMeter. */
  readonly machineDuring?: Record<string, unknown>;
  readonly error?: string;
  readonly skipped?: string;
}

export interface ScenarioContext {
  readonly quick: boolean;
  /** A private temporary directory for this scenario. */
  readonly dir: string;
  /** When set, bridge children run with `--cpu-prof` into this directory. */
  readonly cpuProfDir?: string;
  readonly log: (message: string) => void;
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}

export interface RunReport {
  readonly date: string;
  readonly mode: 'quick' | 'full';
  readonly command: string;
  readonly machine: MachineInfo;
  readonly durationMs: number;
  readonly scenarios: ScenarioResult[];
  readonly summary: { targets: number; met: number; missed: string[] };
}

export function summarizeTargets(scenarios: readonly ScenarioResult[]): RunReport['summary'] {
  const missed: string[] = [];
  let targets = 0;
  let met = 0;
  for (const s of scenarios) {
    for (const m of s.metrics ?? []) {
      if (m.met === undefined) continue;
      targets++;
      if (m.met) met++;
      else missed.push(`${s.name}: ${m.label}`);
    }
  }
  return { targets, met, missed };
}

function fmt(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const abs = Math.abs(value);
  // Counts stay counts; other figures keep about three significant digits.
  const isCount = Number.isInteger(value) && (unit === '' || unit === 'B');
  const digits = isCount || abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

function metCell(m: Metric): string {
  if (m.met === undefined) return '';
  return m.met ? 'yes' : 'MISSED';
}

function rows(report: RunReport): string[][] {
  const out: string[][] = [];
  for (const s of report.scenarios) {
    if (s.error || s.skipped) {
      const why = s.error ? `ERROR: ${s.error.split('\n')[0]}` : `skipped: ${s.skipped}`;
      out.push([s.name, why.length > 120 ? `${why.slice(0, 120)}…` : why, '', '', '', '', '']);
      continue;
    }
    for (const m of s.metrics ?? []) {
      out.push([s.name, m.label, fmt(m.bridge, m.unit), fmt(m.baseline, m.unit), m.ratio == null ? '' : `${fmt(m.ratio)}×`, m.target ?? '', metCell(m)]);
    }
  }
  return out;
}

const HEAD = ['scenario', 'metric', 'bridge', 'tmux-only baseline', 'ratio', 'target', 'met?'];

export function textTable(report: RunReport): string {
  const all = [HEAD, ...rows(report)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function markdownTable(report: RunReport): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`, ...rows(report).map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os} (kernel ${m.kernel}), Node ${m.node}, ${m.tmux}; load average at start ${m.loadAverageAtStart.join(' / ')}`;
}
