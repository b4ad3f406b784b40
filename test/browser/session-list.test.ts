/**
 * The session list stays useful with many sessions: closed ones are hidden unless
 * shown (the one on screen stays), and "clear closed" hides the ones closed so far,
 * across a reload.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, login, newPage, screenshot, terminalPanel, useBrowserBridge, waitForTerminalState } from '../helpers/browser.ts';
import { waitFor } from '../helpers/tmux.ts';

const ctx = useBrowserBridge();

async function createSession(name: string): Promise<string> {
  const { status, body } = await ctx.bridge.api('POST', '/api/cli-sessions', { name, tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir });
  expect(status).toBe(201);
  return body.sessionKey;
}

describe('session list: closed sessions', () => {
  it('hides closed sessions by default, shows them on demand, and clears them for good', async () => {
    const open = await createSession('list-open');
    const gone = await createSession('list-gone');
    expect((await ctx.bridge.api('POST', `/api/cli-sessions/${gone}/close`)).status).toBe(200);
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
    expect((await ctx.bridge.api('POST', `/api/cli-sessions/${open}/close`)).status).toBe(200);
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
});
