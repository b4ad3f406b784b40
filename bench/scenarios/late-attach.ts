import { join } from 'node:path';
import { captureCommands } from '../../tmux/capture.ts';
import { BridgeChild } from '../lib/bridge.ts';
import { RawControl } from '../lib/control.ts';
import { writeColouredLines } from '../lib/files.ts';
import type { Scenario, ScenarioOutcome } from '../lib/report.ts';
import { round, roundSummary, summarize } from '../lib/stats.ts';
import { BenchTerminal } from '../lib/terminal.ts';
import { BenchTmux, startBaselineServer } from '../lib/tmux.ts';
import { sleep, waitFor } from '../lib/util.ts';

const HISTORY = 10_000;

async function historySize(tmux: BenchTmux, target: string): Promise<number> {
  return Number((await tmux.run('display-message', '-p', '-t', target, '#{history_size}')).trim());
}

/** One attach: from `new WebSocket` to the last byte of the screen. */
async function attachOnce(bridge: BridgeChild, key: string, history: number | undefined): Promise<{ totalMs: number; fromOpenMs: number; bytes: number }> {
  const client = new BenchTerminal(bridge.url, bridge.token, key, history === undefined ? {} : { history });
  await client.screen();
  const result = { totalMs: client.screenDoneAt - client.startedAt, fromOpenMs: client.screenDoneAt - client.openedAt, bytes: client.snapshotBytesTotal };
  await client.close();
  return result;
}

export const lateAttach: Scenario = {
  name: 'late-attach',
  title: 'Late attach to a pane with 10,000 lines of history',
  async run(ctx): Promise<ScenarioOutcome> {
    const attaches = 20;
    const file = join(ctx.dir, 'history.txt');
    await writeColouredLines(file, HISTORY + 100);
    const command = `cat '${file}'; exec sleep 2147483647`;
    const base = await startBaselineServer('attach-base');
    const tmux = new BenchTmux('attach');
    const bridge = new BridgeChild({ socket: tmux.socketName, dir: ctx.dir, cpuProfDir: ctx.cpuProfDir });
    try {
      // tmux-only: the same capture commands the bridge runs, over a control client.
      await base.run('new-session', '-d', '-s', 'hist', '-x', '120', '-y', '30', command);
      const basePane = await base.paneOf('hist');
      await waitFor(async () => (await historySize(base, basePane)) >= HISTORY, 'baseline history');
      const control = await RawControl.holder(base, 'attach-holder');
      const tmuxOnly: number[] = [];
      let captureBytes = 0;
      ctx.log(`tmux-only: ${attaches} captures of ${HISTORY} lines + screen over a control client`);
      for (let i = 0; i < attaches; i++) {
        const t0 = performance.now();
        const out = await control.runList(captureCommands(basePane, HISTORY));
        tmuxOnly.push(performance.now() - t0);
        captureBytes = out.reduce((n, lines) => n + lines.reduce((m, l) => m + l.length + 1, 0), 0);
      }
      await control.close();

      await bridge.start();
      const { sessionKey, paneId } = await bridge.createSession({ name: 'hist', shell: command, cols: 120, rows: 30, workingDir: ctx.dir });
      await waitFor(async () => (await historySize(tmux, paneId)) >= HISTORY, 'bridge pane history');
      // A quiet pane: the cut needs no waiting for output to settle.
      await sleep(500);
      ctx.log(`bridge: ${attaches} WebSocket attaches with history=${HISTORY}, then ${attaches} with the default history`);
      const full = [];
      for (let i = 0; i < attaches; i++) full.push(await attachOnce(bridge, sessionKey, HISTORY));
      const dflt = [];
      for (let i = 0; i < attaches; i++) dflt.push(await attachOnce(bridge, sessionKey, undefined));

      const total = summarize(full.map((r) => r.totalMs));
      const fromOpen = summarize(full.map((r) => r.fromOpenMs));
      const defaults = summarize(dflt.map((r) => r.totalMs));
      const capture = summarize(tmuxOnly);
      return {
        params: { historyLines: HISTORY, attaches, paneSize: '120x30', content: 'SGR-coloured lines of ~100 columns' },
        metrics: [
          { label: `attach p50, history=${HISTORY} (WS open → last screen byte)`, unit: 'ms', bridge: round(total.p50, 2), baseline: round(capture.p50, 2), ratio: round(total.p50 / capture.p50, 2), target: '≤ 100 ms', met: total.p50 <= 100 },
          { label: `attach p99, history=${HISTORY}`, unit: 'ms', bridge: round(total.p99, 2), baseline: round(capture.p99, 2) },
          { label: 'attach p50, default history (1000 lines)', unit: 'ms', bridge: round(defaults.p50, 2) },
          { label: `screen bytes, history=${HISTORY}`, unit: 'kB', bridge: round(full[0]!.bytes / 1000, 1), baseline: round(captureBytes / 1000, 1) },
        ],
        details: {
          fromConnectMs: roundSummary(total),
          fromOpenEventMs: roundSummary(fromOpen),
          defaultHistoryMs: roundSummary(defaults),
          tmuxCaptureMs: roundSummary(capture),
        },
        notes: [
          'Bridge time starts at `new WebSocket()` (TCP connect and upgrade included) and ends at the last snapshot byte.',
          'Baseline = the same four capture commands (modes, history + screen, alternate screen, pending bytes) over a tmux control client: what tmux itself needs to produce the screen.',
        ],
      };
    } finally {
      await bridge.dispose();
      await tmux.kill();
      await base.kill();
    }
  },
};
