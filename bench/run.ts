/**
 * `npm run bench [-- --quick] [--only a,b] [--update-docs] [--cpu-prof] [--docs-from FILE]`
 *
 * The bridge measured side by side with tmux itself, in one run on one
 * machine. Every scenario starts its own bridge (a child process on a free
 * port) and its own tmux servers, and tears them down; an interrupted run
 * kills exactly what it started. Results go to bench/results/<date>.json
 * (quick runs: <date>-quick.json), and with --update-docs into the table of
 * docs/performance.md.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative as relativePath, resolve } from 'node:path';
import { cleanupAll, installCleanupHandlers, isInterrupted, onCleanup, untilExit } from './lib/cleanup.ts';
import { ContentionMeter, machineInfo } from './lib/proc.ts';
import { machineLine, markdownTable, summarizeTargets, textTable, type RunReport, type Scenario, type ScenarioResult } from './lib/report.ts';
import { progress } from './lib/util.ts';
import { ensureServerBuilt } from '../scripts/build-server.mjs';
import { echo } from './scenarios/echo.ts';
import { execute } from './scenarios/execute.ts';
import { flood } from './scenarios/flood.ts';
import { lateAttach } from './scenarios/late-attach.ts';
import { queue } from './scenarios/queue.ts';
import { remote } from './scenarios/remote.ts';
import { scale } from './scenarios/scale.ts';
import { startup } from './scenarios/startup.ts';
import { store } from './scenarios/store.ts';
import { throughput } from './scenarios/throughput.ts';
import { errorDetail, errorMessage } from '../base/errors.ts';

const ROOT = join(import.meta.dirname, '..');
const SCENARIOS: Scenario[] = [throughput, echo, lateAttach, scale, flood, startup, store, queue, execute, remote];

interface Args {
  quick: boolean;
  only: string[] | undefined;
  updateDocs: boolean;
  cpuProf: boolean;
  out: string | undefined;
  docsFrom: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: undefined, updateDocs: false, cpuProf: false, out: undefined, docsFrom: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--update-docs') args.updateDocs = true;
    else if (a === '--cpu-prof') args.cpuProf = true;
    else if (a === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--docs-from') args.docsFrom = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log(`npm run bench -- [--quick] [--only ${SCENARIOS.map((s) => s.name).join(',')}] [--update-docs] [--cpu-prof] [--out FILE]
  --quick        shorter runs (under 2 minutes); results to bench/results/<date>-quick.json
  --only         run only these scenarios
  --update-docs  write the results table into docs/performance.md
  --cpu-prof     run every bridge child with node --cpu-prof (profiles kept in bench/tmp/profiles/)
  --out FILE     write the JSON there instead
  --docs-from F  measure nothing: write the table of an earlier results file into docs/performance.md`);
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (args.only) {
    const unknown = args.only.filter((n) => !SCENARIOS.some((s) => s.name === n));
    if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return args;
}

function updateDocs(report: RunReport, jsonPath: string): void {
  const path = join(ROOT, 'docs', 'performance.md');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  const block = [
    start,
    `Run of ${report.date} (${report.mode}, ${(report.durationMs / 1000).toFixed(0)} s), \`${report.command}\`, raw numbers in \`${jsonPath}\`.`,
    '',
    `Machine: ${machineLine(report.machine)}.`,
    '',
    markdownTable(report),
    '',
    `Targets met: ${report.summary.met} of ${report.summary.targets}.${report.summary.missed.length ? ` Missed: ${report.summary.missed.join('; ')}.` : ''}`,
    end,
  ].join('\n');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : `# Performance\n\n${start}\n${end}\n`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`${path} has no ${start} … ${end} block to replace`);
  writeFileSync(path, current.slice(0, from) + block + current.slice(to + end.length));
  progress(`updated ${path}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.docsFrom) {
    const report = JSON.parse(readFileSync(resolve(ROOT, args.docsFrom), 'utf8')) as RunReport;
    updateDocs(report, relativePath(ROOT, resolve(ROOT, args.docsFrom)));
    return;
  }
  installCleanupHandlers();
  const started = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  // bench/tmp is git-ignored: profiles are for reading, not for committing.
  const cpuProfDir = args.cpuProf ? join(ROOT, 'bench', 'tmp', 'profiles') : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });

  // The bridge children run the built server, as `npm start` and the installed command do.
  await ensureServerBuilt();
  const machine = await machineInfo();
  progress(`tmux-bridge benchmark (${args.quick ? 'quick' : 'full'}) on ${machineLine(machine)}`);
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    if (args.only && !args.only.includes(scenario.name)) continue;
    const dir = mkdtempSync(join(root, `${scenario.name}-`));
    const contention = new ContentionMeter();
    const t0 = performance.now();
    progress(`▶ ${scenario.name}: ${scenario.title}`);
    try {
      const outcome = await scenario.run({ quick: args.quick, dir, cpuProfDir, log: (m) => progress(`  ${scenario.name}: ${m}`) });
      const skipped = outcome.details.skipped;
      results.push({
        name: scenario.name,
        title: scenario.title,
        durationMs: Math.round(performance.now() - t0),
        machineDuring: contention.read(),
        ...outcome,
        ...(typeof skipped === 'string' ? { skipped } : {}),
      });
    } catch (error) {
      // Interrupted: the failure is ours (its processes were just stopped), not a result.
      if (isInterrupted()) return untilExit();
      const full = errorDetail(error);
      // Long tmux command lines make unreadable reports: keep the head of the message.
      const message = full.length > 2000 ? `${full.slice(0, 2000)}…` : full;
      progress(`  ${scenario.name} FAILED: ${message}`);
      results.push({ name: scenario.name, title: scenario.title, durationMs: Math.round(performance.now() - t0), error: message });
    }
    progress(`  ${scenario.name} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  if (isInterrupted()) return untilExit();
  const date = new Date().toISOString().slice(0, 10);
  const report: RunReport = {
    date,
    mode: args.quick ? 'quick' : 'full',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine,
    durationMs: Math.round(performance.now() - started),
    scenarios: results,
    summary: summarizeTargets(results),
  };
  const relative = args.out ?? join('bench', 'results', `${date}${args.quick ? '-quick' : ''}${args.only ? `-${args.only.join('-')}` : ''}.json`);
  const jsonPath = resolve(ROOT, relative);
  mkdirSync(join(jsonPath, '..'), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);

  console.log(`\ntmux-bridge benchmark, ${report.mode} run, ${date}`);
  console.log(`machine: ${machineLine(machine)}\n`);
  console.log(textTable(report));
  console.log(`\ntargets met: ${report.summary.met}/${report.summary.targets}${report.summary.missed.length ? `; missed: ${report.summary.missed.join('; ')}` : ''}`);
  console.log(`results: ${relative}   total ${(report.durationMs / 1000).toFixed(0)} s`);
  if (args.updateDocs) updateDocs(report, relative);
  await cleanupAll();
  process.exit(results.some((r) => r.error) ? 1 : 0);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench: ${errorMessage(error)}\n`);
  await cleanupAll();
  process.exit(2);
});
