/**
 * Acceptance: no line missed or repeated across restarts. Output printed while the
 * server was killed (kill -9) is recovered from tmux history after the restart and
 * evaluated exactly once — a success marker completes its stage once, a failure
 * marker counts one retry — and further restarts evaluate nothing again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeProcess, makeApi } from '../helpers/bridge.ts';
import { NotifySink, newPane, removeDir, stageOf, waitForStage, waitForWatching, writeAgentFiles, type AgentFiles } from '../helpers/agent.ts';
import { TestTmux, waitFor as waitUntil } from '../helpers/tmux.ts';
import { EventPage, PaneList, StageHistoryList } from '../../schemas/index.ts';

const waitFor = <T>(check: () => T | Promise<T>, what: string) => waitUntil(check, what, 20_000, 50);

let tmux: TestTmux;
let sink: NotifySink;
let files: AgentFiles;
let server: BridgeProcess;
let dataDir: string;
const api = makeApi(() => server);

beforeAll(async () => {
  tmux = new TestTmux();
  sink = await new NotifySink().start();
  process.env.TMUX_BRIDGE_WEBHOOK_URL = `${sink.url}/webhook`;
  files = writeAgentFiles(
    `approval_dir: {APPROVALS}
notify: webhook
hosts:
  - name: local
    tmux: {socket: ${tmux.socketName}}
`,
    `pipelines:
  - name: job
    match: {any_of: [{window_name: "^job$"}]}
    stages:
      - name: run
        triggers: {any_of: [{log_regex: "^START-JOB$"}]}
        success_when: {any_of: [{log_regex: "^DONE-MARKER$"}]}
        fail_when: {any_of: [{log_regex: "^FAIL-MARKER$"}]}
        on_fail: [{retry: {max: 50}}]
        on_success_notify: {title: "job done", body: "{line}"}
`,
  );
  dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  server = new BridgeProcess(tmux, dataDir, ['--config', files.hostsPath, '--policy', files.policyPath]);
  await server.start();
});

afterAll(async () => {
  await server?.stop();
  await sink?.stop();
  await tmux?.kill();
  removeDir(files?.dir);
  removeDir(dataDir);
});

/** Types a command line into the pane (a test stands in for the person at the keyboard). */
async function type(paneId: string, line: string): Promise<void> {
  await tmux.tmux('send-keys', '-t', paneId, '-l', line);
  await tmux.tmux('send-keys', '-t', paneId, 'Enter');
}

async function history(paneId: string): Promise<string[]> {
  const { body } = await api.get(`/api/stage-history?host=local&paneId=${encodeURIComponent(paneId)}&pipeline=job`, StageHistoryList);
  return body.history.map((h: any) => `${h.from}>${h.to}`).reverse();
}

describe('restart without missing or repeating a line', () => {
  it('a marker printed while the server was killed completes the stage after restart, exactly once', async () => {
    const paneId = await newPane(tmux, 'work', 'job', 'bash --norc --noprofile');
    await waitForStage(api, 'job', paneId, 'run', 'WAITING_TRIGGER');
    await type(paneId, 'echo START-JOB');
    await waitForStage(api, 'job', paneId, 'run', 'RUNNING');
    await type(paneId, 'echo FAIL-MARKER');
    await waitFor(async () => (await stageOf(api, 'job', paneId, 'run'))?.retries === 1, 'the first retry');
    // The run began when the stage entered RUNNING; the automatic retry continues it.
    const { startedAt } = (await stageOf(api, 'job', paneId, 'run'))!;
    expect(startedAt).not.toBeNull();

    await server.kill9();
    // While nobody watches: one more failure, a few hundred lines, then success.
    await type(paneId, 'echo FAIL-MARKER; seq 1 300; echo DONE-MARKER');
    await waitFor(async () => /^DONE-MARKER$/m.test(await tmux.capture(paneId)), 'the marker on the screen');

    await server.start();
    const done = await waitForStage(api, 'job', paneId, 'run', 'COMPLETED');
    expect(done.retries).toBe(2);
    // Timing survives the crash: the same start, the end after the restart.
    expect(done.startedAt).toBe(startedAt);
    expect(Date.parse(done.finishedAt!)).toBeGreaterThan(Date.parse(startedAt!));
    const expected = ['IDLE>WAITING_TRIGGER', 'WAITING_TRIGGER>RUNNING', 'RUNNING>RUNNING', 'RUNNING>RUNNING', 'RUNNING>COMPLETED'];
    expect(await history(paneId)).toEqual(expected);
    await waitFor(() => sink.on('/webhook').length === 1, 'the success notification');
    expect(sink.on('/webhook')[0]!.body).toMatchObject({ title: 'job done', body: 'DONE-MARKER', kind: 'success', pane: paneId });

    // A clean restart and another kill -9: nothing is evaluated again.
    await server.stop();
    await server.start();
    await waitForWatching(api, paneId);
    await type(paneId, 'echo after-restart');
    await waitFor(async () => (await api.get('/api/panes', PaneList)).body.panes.find((p: any) => p.paneId === paneId)?.lastLines.includes('after-restart'), 'new output seen');
    await server.kill9();
    await server.start();
    await waitForWatching(api, paneId);
    await new Promise((r) => setTimeout(r, 500));
    expect(await stageOf(api, 'job', paneId, 'run')).toMatchObject({ status: 'COMPLETED', retries: 2, startedAt, finishedAt: done.finishedAt });
    expect(await history(paneId)).toEqual(expected);
    expect(sink.on('/webhook')).toHaveLength(1);
    const { body: events } = await api.get('/api/events?type=STAGE_UPDATED&limit=1000', EventPage);
    expect(events.events.filter((e: any) => e.paneId === paneId && e.status === 'COMPLETED')).toHaveLength(1);
  });

  it('a pane first seen after a restart has its recent history evaluated once, then resumes from the anchor', async () => {
    await server.kill9();
    // Created while the server is down: the agent has never seen this pane.
    const paneId = await newPane(tmux, 'late', 'job', 'bash --norc --noprofile');
    await type(paneId, 'echo START-JOB; echo FAIL-MARKER');
    await waitFor(async () => /^FAIL-MARKER$/m.test(await tmux.capture(paneId)), 'output on the screen');
    await server.start();
    await waitFor(async () => (await stageOf(api, 'job', paneId, 'run'))?.retries === 1, 'the history evaluated');
    await server.stop();
    await server.start();
    await waitForWatching(api, paneId);
    await type(paneId, 'echo DONE-MARKER');
    const done = await waitForStage(api, 'job', paneId, 'run', 'COMPLETED');
    expect(done.retries).toBe(1);
    expect(await history(paneId)).toEqual(['IDLE>WAITING_TRIGGER', 'WAITING_TRIGGER>RUNNING', 'RUNNING>RUNNING', 'RUNNING>COMPLETED']);
  });
});
