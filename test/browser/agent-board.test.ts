/**
 * The agent board end to end: a real bridge with hosts.yaml and policy.yaml, a
 * real tmux pane whose printed lines drive the stages, and the pages in headless
 * Chromium. Covers the acceptance: a stage becomes WAITING_APPROVAL on the
 * dashboard without a reload, is approved in the approval center and runs, then
 * completes; a failed stage is retried; a pane's terminal opens from the monitor
 * and takes typing. Every page is saved at 1280×800 and 390×844 in test/artifacts/.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAgentBridge } from '../helpers/agent.ts';
import {
  DESKTOP,
  PHONE,
  hasHorizontalScroll,
  login,
  newPage,
  screenshot,
  terminalPanel,
  typeInTerminal,
  waitForTerminalState,
  waitForTerminalText,
  withBrowser,
} from '../helpers/browser.ts';
import { waitFor } from '../helpers/tmux.ts';
import { PaneList, PipelineView, StageCommandResult } from '../../schemas/index.ts';

let paneId: string;

const POLICY = `
principles:
  - "Nothing is built without a human's approval."
pipelines:
  - name: ci
    match: {any_of: [{window_name: "^ci$"}]}
    stages:
      - name: lint
        triggers: {any_of: [{log_regex: "^START$"}]}
        success_when: {any_of: [{log_regex: "^LINT OK$"}]}
      - name: build
        triggers: {any_of: [{after_stage_success: lint}]}
        require_approval: true
        success_when: {any_of: [{log_regex: "^BUILD OK$"}]}
      - name: test
        triggers: {any_of: [{after_stage_success: build}]}
        success_when: {any_of: [{log_regex: "^TESTS PASS$"}]}
        fail_when: {any_of: [{log_regex: "^TESTS FAIL$"}]}
        on_fail: [{escalate: CI_TESTS_RED}]
`;

// One host: the bridge's own tmux server (this test's private socket).
const ctx = withBrowser(
  useAgentBridge(({ tmux }) => ({
    hosts: `poll_interval_ms: 200\napproval_dir: {APPROVALS}\nnotify: stdout\nhosts:\n  - name: local\n    tmux:\n      socket: ${tmux.socketName}\n`,
    policy: POLICY,
  })),
);

beforeAll(async () => {
  // The watched pane: window "ci" matches the pipeline; a plain shell prints what the test says.
  await ctx.tmux.tmux('new-session', '-d', '-s', 'agent-ci', '-n', 'ci', '-x', '120', '-y', '30', 'bash --norc --noprofile -i');
  paneId = (await ctx.tmux.tmux('display', '-p', '-t', 'agent-ci', '#{pane_id}')).trim();
  await waitFor(async () => (await ctx.bridge.api.get('/api/pipelines/ci', PipelineView)).body.panes?.length === 1, 'the pane joins pipeline ci', 15_000, 100);
});

/** Prints a line in the watched pane (the typed command line never matches the anchored regexes). */
const say = (text: string) => ctx.tmux.tmux('send-keys', '-t', paneId, `echo '${text}'`, 'Enter');

const stageStatus = async (name: string) => {
  const { body } = await ctx.bridge.api.get('/api/pipelines/ci', PipelineView);
  return body.panes[0]!.stages.find((s: { name: string }) => s.name === name)?.status as string | undefined;
};

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/401 \(Unauthorized\)/.test(m.text()) && errors.push(m.text()));
  return errors;
}

const feedLive = (page: Page) => waitFor(async () => (await page.getByTestId('events-state').getAttribute('data-state')) === 'live', 'events feed live');
const stageRow = (page: Page, stage: string) => page.locator(`.pane-section[data-pane-id="${paneId}"] .stage-row[data-stage="${stage}"]`);
const rowStatus = (page: Page, stage: string) => stageRow(page, stage).getAttribute('data-status');

describe('the agent board against a real engine', () => {
  it('waiting approval live on the dashboard, approved in the approval center, retried after a failure, terminal from the monitor', async () => {
    const { page } = await newPage(ctx.browser, DESKTOP);
    const errors = collectErrors(page);
    // Every API request the pages make (path and query), to check what they no longer need.
    const requests: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) requests.push(`${url.pathname}${url.search}`);
    });
    const requestsSince = (n: number) => requests.slice(n);
    const { body: paneList } = await ctx.bridge.api.get('/api/panes', PaneList);
    const sessionKey: string = paneList.panes.find((p: { paneId: string }) => p.paneId === paneId)!.sessionKey!;
    expect(sessionKey).toMatch(/^a_/);
    await login(page, ctx.bridge.url, ctx.bridge.token, '/');
    await feedLive(page);
    const card = page.locator('.pipeline-card[data-pipeline="ci"][data-host="local"]');
    await card.waitFor();
    const count = (status: string) => card.locator(`[data-status="${status}"]`).getAttribute('data-count');
    expect(await count('WAITING_APPROVAL')).toBe('0');
    // The page must not reload: a marker on window survives only in the same document.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    await say('START');
    await waitFor(async () => (await stageStatus('lint')) === 'RUNNING', 'lint running');
    await waitFor(async () => (await count('RUNNING')) === '1', 'RUNNING counted on the dashboard', 5000, 10);
    await say('LINT OK');
    await waitFor(async () => (await stageStatus('build')) === 'WAITING_APPROVAL', 'build waits for approval');
    const t0 = Date.now();
    await waitFor(async () => (await count('WAITING_APPROVAL')) === '1', 'WAITING_APPROVAL on the dashboard', 5000, 10);
    await page.locator('.pending-row', { hasText: 'ci / build' }).waitFor({ timeout: 1000 });
    console.log(`dashboard showed WAITING_APPROVAL ${Date.now() - t0} ms after the API had it`);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.locator('.nav-link[data-page="approvals"] .nav-badge').textContent()).toBe('1');
    await screenshot(page, 'board-dashboard-desktop');

    // The approval center: the request with its file, a note, approved with the keyboard.
    const atApprovals = requests.length;
    await page.locator('.nav-link[data-page="approvals"]').click();
    const request = page.locator('.approval-card', { hasText: 'build' });
    await request.waitFor();
    expect(await request.locator('.path').textContent()).toMatch(/approvals\/local\/pct\d+__build\.txt$/);
    // The pane by its names and its terminal, from the approval itself (no pane list fetched).
    expect(await request.locator('.facts').textContent()).toContain('agent-ci:ci');
    expect(await request.locator('.terminal-link').getAttribute('href')).toBe(`/sessions/${sessionKey}`);
    expect(requestsSince(atApprovals).filter((r) => r.startsWith('/api/panes'))).toEqual([]);
    expect(await request.locator('.waiting').textContent()).toMatch(/waiting \d+ s/);
    await screenshot(page, 'board-approvals-desktop');
    await request.getByLabel(/Note/).fill('looks good');
    await page.keyboard.press('Tab'); // past the note, to Reject
    await page.keyboard.press('Tab'); // to Approve
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Approve');
    await page.keyboard.press('Enter');
    await request.waitFor({ state: 'detached' });
    const decided = page.locator('.decided-table tr[data-decision="approved"]', { hasText: 'ci / build' });
    await decided.waitFor();
    expect(await decided.textContent()).toContain('web');
    expect(await decided.textContent()).toContain('looks good');
    await screenshot(page, 'board-approvals-decided-desktop');

    // The pipeline: build RUNNING, then COMPLETED; test fails with its escalate code.
    const atPipeline = requests.length;
    await page.goto(new URL('pipelines/ci', ctx.bridge.url).toString());
    await waitFor(async () => (await rowStatus(page, 'build')) === 'RUNNING', 'build RUNNING on the pipeline page');
    await say('BUILD OK');
    await waitFor(async () => (await rowStatus(page, 'build')) === 'COMPLETED', 'build COMPLETED', 5000, 20);
    await waitFor(async () => (await rowStatus(page, 'test')) === 'RUNNING', 'test RUNNING');
    await say('TESTS FAIL');
    await waitFor(async () => (await rowStatus(page, 'test')) === 'FAILED', 'test FAILED', 5000, 20);
    expect(await stageRow(page, 'test').locator('.escalate').textContent()).toBe('CI_TESTS_RED');
    await page.locator('.pane-section .pane-lines', { hasText: 'TESTS FAIL' }).waitFor();
    await screenshot(page, 'board-pipeline-failed-desktop');

    // The dashboard lists the failure with its escalate code.
    await page.locator('.nav-link[data-page="dashboard"]').click();
    const failure = page.locator('.failure-row', { hasText: 'ci / test' });
    await failure.waitFor();
    expect(await failure.locator('.escalate').textContent()).toBe('CI_TESTS_RED');
    await screenshot(page, 'board-dashboard-failure-desktop');

    // Retry the failed stage from the pipeline page: RUNNING again, then COMPLETED.
    await failure.getByRole('link', { name: 'ci / test' }).click();
    await page.waitForURL(/\/pipelines\/ci$/);
    await stageRow(page, 'test').getByRole('button', { name: /^Retry stage test/ }).click();
    await waitFor(async () => (await rowStatus(page, 'test')) === 'RUNNING', 'test RUNNING after retry', 5000, 20);
    await say('TESTS PASS');
    await waitFor(async () => (await rowStatus(page, 'test')) === 'COMPLETED', 'test COMPLETED', 5000, 20);
    await page.locator('.pane-section .pane-lines', { hasText: 'TESTS PASS' }).waitFor();
    // Durations come from the stages' own startedAt/finishedAt; the terminal link from the pane's sessionKey:
    // neither the pane list nor the stage history is fetched for them.
    const { body: ciView } = await ctx.bridge.api.get('/api/pipelines/ci', PipelineView);
    const viewOf = (name: string) => ciView.panes[0]!.stages.find((s: { name: string }) => s.name === name);
    for (const name of ['lint', 'build', 'test']) {
      const { startedAt, finishedAt } = viewOf(name)!;
      const seconds = Math.floor((Date.parse(finishedAt!) - Date.parse(startedAt!)) / 1000);
      expect(await stageRow(page, name).locator('td[data-label="Duration"]').textContent()).toBe(`${seconds} s`);
    }
    expect(await page.locator(`.pane-section[data-pane-id="${paneId}"] .terminal-link`).getAttribute('href')).toBe(`/sessions/${sessionKey}`);
    expect(requestsSince(atPipeline).filter((r) => r.startsWith('/api/panes') || r.startsWith('/api/stage-history'))).toEqual([]);
    // A stage's transitions open under it, fetched for that stage when opened.
    await stageRow(page, 'test').getByRole('button', { name: 'test', exact: true }).click();
    const transitions = page.locator('.stage-history-row .transitions');
    await transitions.waitFor();
    await waitFor(async () => (await transitions.textContent())?.includes('Failed → Running — retry requested by web'), 'the retry in the transitions');
    expect(await transitions.locator('li').first().textContent()).toContain('Running → Completed');
    expect(requestsSince(atPipeline).filter((r) => r.startsWith('/api/stage-history'))).toEqual([
      `/api/stage-history?pipeline=ci&host=local&paneId=${encodeURIComponent(paneId)}&stage=test&limit=20`,
    ]);
    await screenshot(page, 'board-pipeline-desktop');

    // The pane monitor: the tile is live; a click opens its terminal, which takes typing.
    await page.locator('.nav-link[data-page="monitor"]').click();
    const tile = page.locator(`.tile[data-pane-id="${paneId}"]`);
    await tile.locator('.pane-lines', { hasText: 'TESTS PASS' }).waitFor();
    await say('MONITOR LIVE');
    await tile.locator('.pane-lines', { hasText: 'MONITOR LIVE' }).waitFor({ timeout: 3000 });
    await screenshot(page, 'board-monitor-desktop');
    expect(await tile.getAttribute('data-session-key')).toBe(sessionKey);
    await tile.locator('.pane-lines').click();
    await page.waitForURL(new RegExp(`/sessions/${sessionKey}$`));
    const panel = terminalPanel(page, sessionKey);
    await waitForTerminalState(panel, 'live');
    await typeInTerminal(panel, 'echo typed-$((20+22))');
    await waitForTerminalText(panel, /^typed-42$/m);
    expect(await ctx.tmux.capture(paneId)).toContain('typed-42');
    await screenshot(page, 'board-terminal-desktop');

    // History: the decision is stored with who and how; host and pipeline filter on the server.
    await page.locator('.nav-link[data-page="history"]').click();
    await page.locator('.event-row').first().waitFor();
    await page.getByLabel('Type').selectOption('APPROVAL_DECIDED');
    await page.getByLabel('Host').selectOption('local');
    await page.getByLabel('Pipeline').selectOption('ci');
    const decision = page.locator('.event-row[data-type="APPROVAL_DECIDED"]').first();
    await decision.waitFor();
    expect(await decision.textContent()).toContain('ci/build on local');
    expect(await decision.textContent()).toContain('approved via web');
    await waitFor(() => requests.includes('/api/events?type=APPROVAL_DECIDED&host=local&pipeline=ci&before=latest&limit=100'), 'the filtered request');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('.event-row[data-type="STAGE_UPDATED"]').first().waitFor();
    await screenshot(page, 'board-history-desktop');
    await page.getByRole('tab', { name: 'Notifications' }).click();
    await page.locator('.notification-list .event-row').first().waitFor();
    await screenshot(page, 'board-notifications-desktop');

    // Config: the loaded files as structure.
    await page.locator('.nav-link[data-page="config"]').click();
    await page.getByTestId('config-ok').waitFor();
    expect(await page.locator('.data-table tr[data-host="local"]').textContent()).toContain(ctx.tmux.socketName);
    const ci = page.locator('.config-pipeline[data-pipeline="ci"]');
    expect(await ci.textContent()).toContain('CI_TESTS_RED');
    // The whole policy in words: match, triggers, success and failure conditions, on_fail.
    expect(await ci.locator('.config-match').textContent()).toBe('Applies towindow name matches ^ci$');
    const stageFacts = async (stage: string) => (await ci.locator(`.config-stage[data-stage="${stage}"]`).textContent()) ?? '';
    expect(await stageFacts('lint')).toContain('Starts whena line matches ^START$');
    expect(await stageFacts('lint')).toContain('Succeeds whena line matches ^LINT OK$');
    expect(await stageFacts('build')).toContain('Starts whenstage lint completed — then waits for approval');
    expect(await stageFacts('test')).toContain('Fails whena line matches ^TESTS FAIL$');
    expect(await stageFacts('test')).toContain('On failurefail and escalate CI_TESTS_RED');
    await screenshot(page, 'board-config-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a dropped events socket reconnects and catches up with what happened meanwhile', async () => {
    // Back to a stage waiting for approval, then drop the socket while the pane moves on.
    await ctx.bridge.api.post('/api/pipelines/ci/stages/lint/reset', { host: 'local', paneId }, StageCommandResult);
    await waitFor(async () => (await stageStatus('lint')) === 'WAITING_TRIGGER', 'lint reset');
    const { page, context } = await newPage(ctx.browser, DESKTOP);
    const errors = collectErrors(page);
    await login(page, ctx.bridge.url, ctx.bridge.token, '/pipelines/ci');
    await feedLive(page);
    await waitFor(async () => (await rowStatus(page, 'lint')) === 'WAITING_TRIGGER', 'lint waiting on the page');
    await context.setOffline(true);
    // Close the socket as a network failure would; offline, the reconnect attempts fail.
    await page.evaluate(() => (window as unknown as { tmuxBridge: { feed: { socket?: WebSocket } } }).tmuxBridge.feed.socket?.close());
    await waitFor(async () => (await page.getByTestId('events-state').getAttribute('data-state')) === 'reconnecting', 'feed reconnecting');
    await say('START');
    await waitFor(async () => (await stageStatus('lint')) === 'RUNNING', 'lint running (server)');
    await page.waitForTimeout(300);
    expect(await rowStatus(page, 'lint')).toBe('WAITING_TRIGGER');
    await context.setOffline(false);
    await feedLive(page);
    await waitFor(async () => (await rowStatus(page, 'lint')) === 'RUNNING', 'lint RUNNING after the reconnect', 5000, 20);
    expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|WebSocket/.test(e))).toEqual([]);
    await context.close();
  });

  it('every page fits a phone (390×844), light and dark', async () => {
    const { page, context } = await newPage(ctx.browser, PHONE);
    await login(page, ctx.bridge.url, ctx.bridge.token, '/');
    await feedLive(page);
    // Something waiting for approval, so the phone pages show a decision too.
    await say('LINT OK');
    await waitFor(async () => (await stageStatus('build')) === 'WAITING_APPROVAL', 'build waits again');
    const pages = [
      ['', 'dashboard', '.pipeline-card'],
      ['pipelines', 'pipelines', '.pipeline-card'],
      ['pipelines/ci', 'pipeline', '.stage-row'],
      ['approvals', 'approvals', '.approval-card'],
      ['monitor', 'monitor', '.tile'],
      ['history', 'history', '.event-row'],
      ['config', 'config', '.config-pipeline'],
      ['sessions', 'terminals', '.session-row'],
    ] as const;
    for (const theme of ['light', 'dark'] as const) {
      if (theme === 'dark') await page.getByRole('button', { name: 'Switch to dark theme' }).click();
      for (const [path, name, ready] of pages) {
        await page.goto(new URL(path, ctx.bridge.url).toString());
        await page.locator(ready).first().waitFor();
        await page.waitForTimeout(150);
        expect(await hasHorizontalScroll(page), `${name}: horizontal scroll`).toBe(false);
        await screenshot(page, `board-${name}-${theme === 'dark' ? 'dark-' : ''}phone`);
      }
    }
    // The menu: every page one tap away, and Escape closes it.
    await page.getByRole('button', { name: /^Menu/ }).click();
    await page.locator('.nav.open').waitFor();
    await screenshot(page, 'board-menu-dark-phone');
    await page.keyboard.press('Escape');
    await page.locator('.nav.open').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await context.close();
  });

  it('the board pages in the dark theme at desktop size', async () => {
    const { page, context } = await newPage(ctx.browser, DESKTOP);
    await page.addInitScript(() => localStorage.setItem('tb.theme', 'dark'));
    await login(page, ctx.bridge.url, ctx.bridge.token, '/');
    for (const [path, name, ready] of [
      ['', 'dashboard', '.pipeline-card'],
      ['pipelines/ci', 'pipeline', '.stage-row'],
      ['approvals', 'approvals', '.approval-card'],
      ['monitor', 'monitor', '.tile'],
      ['history', 'history', '.event-row'],
      ['config', 'config', '.config-pipeline'],
    ] as const) {
      await page.goto(new URL(path, ctx.bridge.url).toString());
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(150);
      await screenshot(page, `board-${name}-dark-desktop`);
    }
    await context.close();
  });

  it('a rejected policy edit and a reload show on the config and pipeline pages without a reload', async () => {
    const { page, context } = await newPage(ctx.browser, DESKTOP);
    const errors = collectErrors(page);
    await login(page, ctx.bridge.url, ctx.bridge.token, '/config');
    await feedLive(page);
    await page.getByTestId('config-ok').waitFor();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    // A broken edit: the page shows the error with file and line; the old policy keeps running.
    writeFileSync(ctx.files.policyPath, POLICY.replace('require_approval: true', 'require_approval: maybe'));
    const problem = page.getByTestId('config-error');
    await problem.waitFor({ timeout: 10_000 });
    expect(await problem.textContent()).toMatch(/policy\.yaml:\d+:\d+: .*require_approval/);
    await screenshot(page, 'board-config-error-desktop');
    // A valid edit with a second pipeline: the error goes, the new pipeline appears.
    writeFileSync(ctx.files.policyPath, `${POLICY}  - name: docs\n    match: {any_of: [{window_name: "^docs$"}]}\n    stages:\n      - name: build\n`);
    await page.getByTestId('config-ok').waitFor({ timeout: 10_000 });
    await page.locator('.config-pipeline[data-pipeline="docs"]').waitFor();
    await page.locator('.nav-link[data-page="pipelines"]').click();
    await page.locator('.pipeline-card[data-pipeline="docs"]').waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    writeFileSync(ctx.files.policyPath, POLICY);
    await page.locator('.pipeline-card[data-pipeline="docs"]').waitFor({ state: 'detached', timeout: 10_000 });
    expect(errors).toEqual([]);
    await context.close();
  });
});
