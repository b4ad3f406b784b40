import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, terminalPanel, useBrowserBridge, waitForTerminalState } from '../helpers/browser.ts';
import { openGate, useFakeTools } from '../helpers/fake-tools.ts';
import { waitFor } from '../helpers/tmux.ts';
import { card, columnIds, drag, openBoard } from './issues-page.ts';
import { BoardSettings, ExecutionList, Issue, IssueHistory, SessionList } from '../../schemas/index.ts';
import { makeApi } from '../helpers/bridge.ts';

// The server finds tools on its own PATH: the fake claude first. Registered before
// useBrowserBridge's hooks, so PATH is set before the bridge starts.
const fakes = useFakeTools(['claude']);
const ctx = useBrowserBridge();

const api = makeApi(() => ctx.bridge);
const issue = async (id: string) => (await api.get(`/api/issues/${id}`, Issue)).body;
const runsOf = async (id: string) => (await api.get(`/api/executions?issueId=${id}`, ExecutionList)).body.executions as any[];

async function createIssue(title: string): Promise<string> {
  const res = await api.post('/api/issues', { title, body: 'What to do.' }, Issue);
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('an agent resolves an issue from the board (real tmux, fake claude)', () => {
  it('Execute from the drawer runs the tool in the issue’s session; the card goes to resolved and Runs shows the run', async () => {
    const id = await createIssue('Fix by hand');
    const { page, close } = await openBoard(ctx.browser, ctx.bridge);
    await card(page, id).click();
    const drawer = page.locator('.issue-drawer');
    await drawer.getByRole('tab', { name: /Terminal/ }).click();

    // A shell session for the issue, as a new user makes one (the form's defaults but the directory).
    await drawer.locator('input[name="workingDir"]').fill(ctx.tmux.dir);
    await drawer.getByRole('button', { name: 'Create session' }).click();
    const panel = terminalPanel(page);
    await waitForTerminalState(panel, 'live', 30_000);
    // The native attach command is there to read, not squeezed out of the narrow drawer.
    expect(await panel.locator('.attach-command').textContent()).toContain('tmux');
    expect((await panel.locator('.attach-command').boundingBox())!.width).toBeGreaterThan(150);

    await drawer.locator('.send-box textarea').fill('make the tests pass gate=drawer');
    await drawer.locator('select[name="executeTool"]').selectOption('claude');
    await drawer.getByRole('button', { name: 'Execute', exact: true }).click();
    const run = await waitFor(async () => (await runsOf(id))[0], 'the execution', 30_000);
    expect(run).toMatchObject({ tool: 'claude', prompt: 'make the tests pass gate=drawer', issueId: id, status: 'running' });

    // While it runs: the card went to In progress and says so; Runs shows it live.
    await waitFor(async () => (await columnIds(page, 'in_progress')).includes(id), 'card in In progress', 30_000);
    await card(page, id).locator('.session-state[data-state="executing"]').waitFor({ timeout: 30_000 });
    await drawer.getByRole('tab', { name: 'Runs' }).click();
    const shown = drawer.locator(`.run[data-execution-id="${run.executionId}"]`);
    await shown.locator('.run-status', { hasText: 'running' }).waitFor({ timeout: 30_000 });

    openGate(fakes.dir, 'drawer');
    await waitFor(async () => (await columnIds(page, 'resolved')).includes(id), 'card in Resolved', 60_000);
    await waitFor(async () => (await shown.getAttribute('data-status')) === 'completed', 'run completed in Runs', 30_000);
    expect(await shown.locator('.run-status').textContent()).toBe('completed');
    expect(await shown.locator('.run-exit').textContent()).toBe('exit 0');
    expect(await shown.locator('.run-prompt').textContent()).toBe('make the tests pass gate=drawer');
    // The full output, once it ended: the tool's answer.
    await shown.getByRole('button', { name: /output/i }).click();
    await shown.locator('.run-output', { hasText: 'ANSWER: make the tests pass gate=drawer' }).waitFor({ timeout: 15_000 });
    // Plain text: no escape sequences, no execution markers.
    expect(await shown.locator('.run-output').textContent()).not.toMatch(/\x1b|\x07|7717;tb:/);
    await screenshot(page, 'issues-drawer-runs-desktop');

    expect(await issue(id)).toMatchObject({ status: 'resolved', lastRun: { executionId: run.executionId, status: 'completed', exitCode: 0 } });
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', exitCode: 0 });
    const history = (await api.get(`/api/issues/${id}/history`, IssueHistory)).body.history.filter((h: any) => h.field === 'status');
    expect(history.map((h: any) => [h.from, h.to, h.by])).toEqual([
      ['open', 'in_progress', 'scheduler'],
      ['in_progress', 'resolved', 'scheduler'],
    ]);
    await close();
  }, 240_000);

  it('with auto-start on (set in Board settings), a mouse drag to In progress starts one execution; a second drag while it runs starts nothing', async () => {
    const { page, close } = await openBoard(ctx.browser, ctx.bridge);
    await page.getByRole('button', { name: 'Board settings' }).click();
    const dialog = page.locator('.board-settings-dialog');
    await dialog.locator('input[name="enabled"]').check();
    await dialog.locator('select[name="tool"]').selectOption('claude');
    await dialog.locator('input[name="workingDir"]').fill(ctx.tmux.dir);
    await dialog.locator('textarea[name="promptTemplate"]').fill('Fix {{id}}: {{title}}');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await api.get('/api/board/settings', BoardSettings)).body.autoStartOnInProgress).toMatchObject({ enabled: true, tool: 'claude', workingDir: ctx.tmux.dir, promptTemplate: 'Fix {{id}}: {{title}}' });

    const id = await createIssue('Retry uploads gate=auto');
    await card(page, id).waitFor();
    const column = (status: string) => page.locator(`.column-list[data-status="${status}"]`);
    await drag(page, card(page, id), column('in_progress'));
    await waitFor(async () => (await issue(id)).status === 'in_progress', 'moved by the drag', 30_000);
    const run = await waitFor(async () => (await runsOf(id))[0], 'the auto-started execution', 30_000);
    expect(run).toMatchObject({ tool: 'claude', prompt: `Fix ${id}: Retry uploads gate=auto`, issueId: id, status: 'running' });
    await card(page, id).locator('.session-state[data-state="executing"]').waitFor({ timeout: 30_000 });

    // Out and back in while it runs (the gate holds it): nothing more starts.
    await drag(page, card(page, id), column('queued'));
    await waitFor(async () => (await issue(id)).status === 'queued', 'dragged out', 30_000);
    await drag(page, card(page, id), column('in_progress'));
    await waitFor(async () => (await issue(id)).status === 'in_progress', 'dragged back', 30_000);
    const during = await runsOf(id);
    expect(during.map((r) => [r.executionId, r.status])).toEqual([[run.executionId, 'running']]);

    openGate(fakes.dir, 'auto');
    await waitFor(async () => (await columnIds(page, 'resolved')).includes(id), 'card in Resolved', 60_000);
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ executionId: run.executionId, status: 'completed', exitCode: 0 });
    expect(await issue(id)).toMatchObject({ status: 'resolved', lastRun: { executionId: run.executionId, status: 'completed' } });
    // One session for the issue: the one auto-start made.
    expect((await api.get(`/api/cli-sessions?issueId=${id}`, SessionList)).body.sessions).toHaveLength(1);
    await screenshot(page, 'issues-board-autostart-desktop');
    await close();
  }, 240_000);
});
