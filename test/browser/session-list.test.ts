/**
 * The session list stays useful with many sessions: closed ones are hidden unless
 * shown (the one on screen stays), and "clear closed" hides the ones closed so far,
 * across a reload.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, hasHorizontalScroll, login, newPage, screenshot, terminalPanel, useBrowserBridge, waitForTerminalState } from '../helpers/browser.ts';
import { waitFor } from '../helpers/tmux.ts';
import { CliSession } from '../../schemas/index.ts';

const ctx = useBrowserBridge();

async function createSession(name: string): Promise<string> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body.sessionKey;
}

describe('session list: closed sessions', () => {
  it('hides closed sessions by default, shows them on demand, and clears them for good', async () => {
    const open = await createSession('list-open');
    const gone = await createSession('list-gone');
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${gone}/close`, undefined, CliSession)).status).toBe(200);
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    const row = (key: string) => page.locator(`.session-row[data-session-key="${key}"]`);
    await row(open).waitFor();
    expect(await row(gone).count()).toBe(0);

    const toggle = page.getByRole('checkbox', { name: 'Show closed (1)' });
    await toggle.check();
    await row(gone).waitFor();
    expect(await row(gone).getAttribute('class')).toContain('status-closed');
    await screenshot(page, 'sessions-closed-shown-desktop');

    await page.getByRole('button', { name: 'Clear closed' }).click();
    await row(gone).waitFor({ state: 'detached' });
    expect(await page.locator('.closed-filter').count()).toBe(0);
    await page.reload();
    await row(open).waitFor();
    await page.waitForTimeout(500);
    expect(await row(gone).count()).toBe(0);

    // A session closed later is offered again; the one on screen stays listed when closed.
    await page.goto(new URL(`sessions/${open}`, ctx.bridge.url).toString());
    await row(open).waitFor();
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${open}/close`, undefined, CliSession)).status).toBe(200);
    await waitFor(async () => (await row(open).getAttribute('class'))?.includes('status-closed'), 'the row on screen shows closed', 60_000);
    expect(await page.locator('.closed-filter').count()).toBe(0);
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
