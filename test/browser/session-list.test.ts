/**
 * The session list stays useful with many sessions: closed ones are hidden unless
 * shown (the one on screen stays), and "clear closed" removes them on the server,
 * so every open browser drops them live and a reload does not bring them back.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, hasHorizontalScroll, login, newPage, screenshot, terminalPanel, useBrowserBridge, waitForTerminalState } from '../helpers/browser.ts';
import { useFakeTools } from '../helpers/fake-tools.ts';
import { waitFor } from '../helpers/tmux.ts';
import { ClosedCleared, CliSession, ExecuteStarted, Execution, Issue, SessionList } from '../../schemas/index.ts';

// The fake claude first on the server's PATH (registered before the bridge starts).
useFakeTools(['claude']);
const ctx = useBrowserBridge();

async function createSession(name: string): Promise<string> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body.sessionKey;
}

describe('session list: closed sessions', () => {
  it('hides closed sessions by default, shows them on demand, and clearing them removes them in every browser', async () => {
    const open = await createSession('list-open');
    const gone = await createSession('list-gone');
    const gone2 = await createSession('list-gone-2');
    for (const key of [gone, gone2]) expect((await ctx.bridge.api.post(`/api/cli-sessions/${key}/close`, undefined, CliSession)).status).toBe(200);
    // Two browsers (their own cookies and storage): a desktop and, say, a phone.
    const first = await newPage(ctx.browser, DESKTOP);
    const second = await newPage(ctx.browser, DESKTOP);
    const row = (page: typeof first.page, key: string) => page.locator(`.session-row[data-session-key="${key}"]`);
    for (const { page } of [first, second]) {
      await login(page, ctx.bridge.url, ctx.bridge.token);
      await row(page, open).waitFor();
      expect(await row(page, gone).count()).toBe(0);
      await page.getByRole('checkbox', { name: 'Show closed (2)' }).check();
      await row(page, gone).waitFor();
      await row(page, gone2).waitFor();
    }
    expect(await row(first.page, gone).getAttribute('class')).toContain('status-closed');
    await screenshot(first.page, 'sessions-closed-shown-desktop');
    // The second page must drop the rows live, not by loading again.
    await second.page.evaluate(() => ((window as unknown as { stillSamePage: boolean }).stillSamePage = true));

    // A failure is shown, and nothing is dropped.
    await first.page.route('**/api/cli-sessions/clear-closed', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'store_unavailable', message: 'the store cannot write now' } }) }),
    );
    await first.page.getByRole('button', { name: 'Clear closed' }).click();
    const alert = first.page.locator('.closed-filter [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('the store cannot write now');
    await screenshot(first.page, 'sessions-clear-closed-failed-desktop');
    expect(await row(first.page, gone).count()).toBe(1);
    await first.page.unroute('**/api/cli-sessions/clear-closed');

    await first.page.getByRole('button', { name: 'Clear closed' }).click();
    for (const { page } of [first, second]) {
      await row(page, gone).waitFor({ state: 'detached', timeout: 60_000 });
      await row(page, gone2).waitFor({ state: 'detached', timeout: 60_000 });
      await page.locator('.closed-filter').waitFor({ state: 'detached', timeout: 60_000 });
      expect(await row(page, open).count()).toBe(1);
    }
    expect(await second.page.evaluate(() => (window as unknown as { stillSamePage?: boolean }).stillSamePage)).toBe(true);
    // On the server: gone for everyone.
    const listed = (await ctx.bridge.api.get('/api/cli-sessions', SessionList)).body.sessions.map((s) => s.sessionKey);
    expect(listed).toContain(open);
    expect(listed).not.toContain(gone);
    expect(listed).not.toContain(gone2);
    await second.page.reload();
    await row(second.page, open).waitFor();
    await second.page.waitForTimeout(500);
    expect(await row(second.page, gone).count()).toBe(0);
    await second.context.close();

    // A session closed later is offered again; the one on screen stays listed when closed.
    const { page } = first;
    await page.goto(new URL(`sessions/${open}`, ctx.bridge.url).toString());
    await row(page, open).waitFor();
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${open}/close`, undefined, CliSession)).status).toBe(200);
    await waitFor(async () => (await row(page, open).getAttribute('class'))?.includes('status-closed'), 'the row on screen shows closed', 60_000);
    expect(await page.locator('.closed-filter').count()).toBe(0);
    await first.context.close();
  });

  it('an issue and an execution whose session was cleared still open: the drawer, its runs and their output, the session\'s page', async () => {
    const issue = (await ctx.bridge.api.post('/api/issues', { title: 'cleared session' }, Issue)).body;
    const { body: session } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'issue-cleared', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir, issueId: issue.id }, CliSession);
    const started = await ctx.bridge.api.post(`/api/cli-sessions/${session.sessionKey}/execute`, { tool: 'claude', prompt: 'work exit=0' }, ExecuteStarted);
    expect(started.status).toBe(202);
    const runId = started.body.executionId;
    await waitFor(async () => (await ctx.bridge.api.get(`/api/executions/${runId}`, Execution)).body.status !== 'running', 'the run to end', 60_000, 100);
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${session.sessionKey}/close`, undefined, CliSession)).status).toBe(200);
    expect((await ctx.bridge.api.post('/api/cli-sessions/clear-closed', {}, ClosedCleared)).body.removed).toBeGreaterThanOrEqual(1);

    const { context, page } = await newPage(ctx.browser, DESKTOP);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await login(page, ctx.bridge.url, ctx.bridge.token, `/issues?issue=${issue.id}&tab=terminal`);
    const drawer = page.locator('.issue-drawer');
    await drawer.waitFor();
    // No tab for the removed session: the form to create one instead.
    await drawer.getByRole('button', { name: 'Create session' }).waitFor();
    expect(await drawer.locator(`[data-session-key="${session.sessionKey}"]`).count()).toBe(0);
    await drawer.getByRole('tab', { name: 'Runs' }).click();
    const run = drawer.locator(`.run[data-execution-id="${runId}"]`);
    await run.waitFor();
    expect(await run.getAttribute('data-status')).toBe('completed');
    await run.getByRole('button', { name: 'Full output' }).click();
    await run.locator('pre.run-output').waitFor();
    expect(await run.locator('.form-error').count()).toBe(0);
    // Where its runs point (the session's terminal) is a session that is no more: the page says closed, it does not break.
    await page.goto(new URL(`sessions/${session.sessionKey}`, ctx.bridge.url).toString());
    await waitForTerminalState(terminalPanel(page, session.sessionKey), 'closed', 60_000);
    await screenshot(page, 'session-removed-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('renames a session from its terminal; a taken name is refused with the server\'s reason', async () => {
    const key = await createSession('to-rename');
    await createSession('name-in-use');
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    await page.goto(new URL(`sessions/${key}`, ctx.bridge.url).toString());
    const panel = terminalPanel(page, key);
    await waitForTerminalState(panel, 'live');
    await panel.getByTestId('toolbar-more').click();
    await panel.getByTestId('rename-session').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('rename-input').fill('name-in-use');
    await page.keyboard.press('Enter');
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').textContent()).toContain('already exists');
    await dialog.getByTestId('rename-input').fill('renamed here');
    await screenshot(page, 'session-rename-desktop');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await waitFor(async () => (await page.locator(`.session-row[data-session-key="${key}"] .session-name`).textContent()) === 'renamed here', 'the list shows the new name', 30_000);
    expect((await ctx.tmux.tmux('list-sessions', '-F', '#{session_name}')).split('\n')).toContain('renamed here');
    await context.close();
  });

  it('many tabs: the strip scrolls, keeps the active tab in view, and the overflow menu opens any of them', async () => {
    const keys: string[] = [];
    for (let i = 1; i <= 10; i++) keys.push(await createSession(`many-tabs-${String(i).padStart(2, '0')}`));
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    for (const key of keys) {
      await page.locator(`.session-row[data-session-key="${key}"] a`).click();
      await waitFor(async () => (await page.locator('.tab').count()) >= keys.indexOf(key) + 1, 'the tab opens', 30_000);
    }
    const strip = page.locator('.tab-list');
    const inView = async (locator: ReturnType<typeof page.locator>) => {
      const box = (await locator.boundingBox())!;
      const area = (await strip.boundingBox())!;
      return box.x >= area.x - 1 && box.x + box.width <= area.x + area.width + 1;
    };
    expect(await strip.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    // Tabs keep their width (names readable) instead of being squeezed.
    const widths = await page.locator('.tab').evaluateAll((tabs) => tabs.map((tab) => tab.getBoundingClientRect().width));
    expect(Math.min(...widths)).toBeGreaterThan(100);
    expect(await inView(page.locator('.tab.active'))).toBe(true);
    expect(await page.locator('.tab.active .tab-name').textContent()).toBe('many-tabs-10');

    await page.getByTestId('tabs-overflow').click();
    const menu = page.locator('.tab-overflow-menu');
    expect(await menu.locator('a').allTextContents()).toEqual(keys.map((_, i) => `many-tabs-${String(i + 1).padStart(2, '0')}`));
    await screenshot(page, 'tabs-overflow-desktop');
    await menu.getByText('many-tabs-01').click();
    await page.waitForURL(new RegExp(`/sessions/${keys[0]}$`));
    await menu.waitFor({ state: 'detached' });
    await waitFor(async () => (await page.locator('.tab.active .tab-name').textContent()) === 'many-tabs-01', 'the first tab is active');
    await waitFor(() => inView(page.locator('.tab.active')), 'the first tab scrolled into view');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await context.close();
  });
});
