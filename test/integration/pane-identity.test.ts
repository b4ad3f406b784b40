/**
 * A pane is its tmux server plus its id (issue 9, item 3): tmux hands out pane ids
 * again after its server restarts, and a brand-new pane must not show the stages
 * of the pane that had its id before — nothing done, nothing typed, a false green.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPane, removeDir, stageOf, startAgentBridge, waitForStage, writeAgentFiles, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApprovalList } from '../../schemas/index.ts';
import { makeApi } from '../helpers/bridge.ts';

let tmux: TestTmux;
let files: AgentFiles;
let dataDir: string;
let agent: AgentBridge | undefined;
const api = makeApi(() => agent!.bridge);

beforeAll(() => {
  tmux = new TestTmux();
  dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  files = writeAgentFiles(
    `approval_dir: {APPROVALS}\nnotify: stdout\nhosts:\n  - name: local\n    tmux: {socket: ${tmux.socketName}}\n`,
    `pipelines:
  - name: job
    match: {any_of: [{window_name: "^job$"}]}
    stages:
      - name: run
        triggers: {any_of: [{log_regex: "^START-JOB$"}]}
        success_when: {any_of: [{log_regex: "^DONE-MARKER$"}]}
      - name: ship
        require_approval: true
        triggers: {any_of: [{after_stage_success: run}]}
        success_when: {any_of: [{log_regex: "^SHIPPED$"}]}
`,
  );
});

afterAll(async () => {
  // The in-process bridge keeps the data directory between the starts of this file.
  await agent?.bridge.bridge.close();
  await tmux?.kill();
  removeDir(files?.dir);
  removeDir(dataDir);
});

const start = async () => {
  agent = await startAgentBridge(tmux, files, { bridge: { dataDir } });
};
const stop = async () => {
  await agent?.bridge.bridge.close();
  agent = undefined;
};

async function type(paneId: string, line: string): Promise<void> {
  await tmux.tmux('send-keys', '-t', paneId, '-l', line);
  await tmux.tmux('send-keys', '-t', paneId, 'Enter');
}

/** A pane whose `run` stage completed and whose `ship` stage waits for approval. */
async function finishedPane(session: string): Promise<string> {
  const paneId = await newPane(tmux, session, 'job', 'bash --norc --noprofile');
  await waitForStage(api, 'job', paneId, 'run', 'WAITING_TRIGGER', 60_000);
  await type(paneId, 'echo START-JOB');
  await waitForStage(api, 'job', paneId, 'run', 'RUNNING', 60_000);
  await type(paneId, 'echo DONE-MARKER');
  await waitForStage(api, 'job', paneId, 'run', 'COMPLETED', 60_000);
  await waitForStage(api, 'job', paneId, 'ship', 'WAITING_APPROVAL', 60_000);
  return paneId;
}

const pendingFor = async (paneId: string) => (await api.get('/api/approvals', ApprovalList)).body.approvals.filter((a: any) => a.paneId === paneId);

describe('pane identity across tmux restarts', () => {
  it('tmux restarted while the bridge was down: the new pane with the old id starts clean', async () => {
    await start();
    const old = await finishedPane('first');
    expect(await pendingFor(old)).toHaveLength(1);
    await stop();

    await tmux.tmux('kill-server');
    // A new server hands out ids from %0 again: a filler takes the holder's old id, then the old pane's id comes back.
    await tmux.tmux('new-session', '-d', '-s', 'filler', 'sleep 600');
    let reused = await newPane(tmux, 'second', 'job', 'bash --norc --noprofile');
    while (reused !== old && Number(reused.slice(1)) < Number(old.slice(1))) reused = await newPane(tmux, `second-${reused.slice(1)}`, 'job', 'bash --norc --noprofile');
    expect(reused).toBe(old);

    await start();
    await waitForStage(api, 'job', reused, 'run', 'WAITING_TRIGGER', 45_000);
    expect((await stageOf(api, 'job', reused, 'ship'))!.status).toBe('IDLE');
    // The old pane's approval was withdrawn, not left for the new pane to be approved into.
    await waitFor(async () => (await pendingFor(reused)).length === 0, 'the old approval to be withdrawn', 45_000);
    // And the new pane runs its own course.
    await type(reused, 'echo START-JOB');
    await waitForStage(api, 'job', reused, 'run', 'RUNNING', 60_000);
  });

  it('tmux restarted under a running bridge: the same', async () => {
    await tmux.tmux('kill-server');
    await stop();
    await start();
    const old = await finishedPane('live-first');
    // The bridge keeps running; tmux goes and its control client brings up a new server.
    await tmux.tmux('kill-server');
    // Once the control client is back (its holder session took %0 again), the next pane gets the old id.
    await waitFor(async () => tmux.tmux('has-session', '-t', '=_tmux-bridge').then(() => true, () => false), 'the control client to bring up a new tmux server', 60_000);
    const reused = await newPane(tmux, 'live-second', 'job', 'bash --norc --noprofile');
    expect(reused).toBe(old);
    await waitForStage(api, 'job', reused, 'run', 'WAITING_TRIGGER', 45_000);
    expect((await stageOf(api, 'job', reused, 'ship'))!.status).toBe('IDLE');
    await waitFor(async () => (await pendingFor(reused)).length === 0, 'the old approval to be withdrawn', 45_000);
  });
});
