import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  DESKTOP,
  login,
  newPage,
  screenshot,
  terminalPanel,
  typeInTerminal,
  useBrowserBridge,
  waitForTerminalState,
  waitForTerminalText,
} from '../helpers/browser.ts';
import { waitFor } from '../helpers/tmux.ts';
import { CliSession } from '../../schemas/index.ts';

const ctx = useBrowserBridge();

async function createSession(name: string): Promise<{ sessionKey: string; tmux: { paneId: string } }> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body;
}

async function openSession(page: Page, key: string) {
  await page.goto(new URL(`sessions/${key}`, ctx.bridge.url).toString());
  const panel = terminalPanel(page, key);
  await waitForTerminalState(panel, 'live');
  return panel;
}

const rowStatus = (page: Page, key: string) => page.locator(`.session-row[data-session-key="${key}"] [data-status]`).getAttribute('data-status');

describe('session states in the browser', () => {
  it('closes a session only after confirmation (Escape cancels, Enter confirms)', async () => {
    const session = await createSession('to-close');
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    const panel = await openSession(page, session.sessionKey);

    await panel.getByRole('button', { name: 'Close session' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toContain('to-close');
    await screenshot(page, 'close-confirm-desktop');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await ctx.tmux.listPanes()).toContain(`to-close ${session.tmux.paneId}`);
    expect(await rowStatus(page, session.sessionKey)).toBe('running');

    // Keyboard only: focus the button, Enter opens the dialog, Enter confirms.
    await panel.getByRole('button', { name: 'Close session' }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });

    await waitForTerminalState(panel, 'closed');
    await panel.getByTestId('closed-banner').waitFor();
    await waitFor(async () => (await rowStatus(page, session.sessionKey)) === 'closed', 'list shows closed');
    await waitFor(async () => !(await ctx.tmux.listPanes()).some((p) => p.startsWith('to-close ')), 'ctx.tmux session gone');
    await screenshot(page, 'terminal-closed-desktop');

    // "Close tab" removes the tab and goes back to the list.
    expect(await panel.locator('.attach-command').count()).toBe(0);
    await panel.getByRole('button', { name: 'Close tab', exact: true }).click();
    await page.waitForURL(/\/sessions$/);
    expect(await terminalPanel(page, session.sessionKey).count()).toBe(0);
    await context.close();
  });

  it('shows an exited program with its code, then the session closed from outside', async () => {
    const session = await createSession('exits');
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    const panel = await openSession(page, session.sessionKey);
    await typeInTerminal(panel, 'echo bye; exit 3');
    await waitForTerminalText(panel, /^bye$/m);

    // ctx.tmux 3.3a sometimes marks a pane dead without ever filling #{pane_dead_status}
    // (reproducible with plain ctx.tmux and remain-on-exit): then there is no code to show.
    const banner = panel.getByTestId('exit-banner');
    await banner.waitFor();
    // The list follows from the CLI_SESSION_UPDATED event (no polling).
    await waitFor(async () => (await rowStatus(page, session.sessionKey)) === 'exited', 'list shows exited');
    const badge = page.locator(`.session-row[data-session-key="${session.sessionKey}"] .badge`);
    await page.waitForTimeout(1500); // room for the client's follow-up when the code came late
    const code = (await badge.textContent()) === 'exited (3)' ? ' (3)' : '';
    expect(await badge.textContent()).toBe(`exited${code}`);
    expect(/with code 3\./.test((await banner.textContent()) ?? '')).toBe(code !== '');
    // The socket stays live: the pane is still readable.
    expect(await panel.getByTestId('terminal-state').getAttribute('data-state')).toBe('live');
    await screenshot(page, 'terminal-exited-desktop');

    // Killed natively: the tab shows it closed and stops trying.
    await ctx.tmux.tmux('kill-session', '-t', '=exits');
    await waitForTerminalState(panel, 'closed');
    await waitFor(async () => (await rowStatus(page, session.sessionKey)) === 'closed', 'list shows closed');
    await waitFor(async () => (await badge.textContent()) === `closed${code}`, 'closed, keeping the exit code');

    // A reload: the tab comes back (this ctx.browser tab remembers it) and is closed at once.
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.reload();
    await waitForTerminalState(terminalPanel(page, session.sessionKey), 'closed');
    await page.waitForTimeout(1500);
    expect(sockets.filter((u) => u.includes('/ws/terminal/'))).toEqual([]);
    await context.close();
  });

  it('a session removed while the tab is open: closed without a reconnect loop', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    // An unknown key: the upgrade is refused (404); the client asks the API and stops.
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(new URL('sessions/s_doesnotexist', ctx.bridge.url).toString());
    const panel = terminalPanel(page, 's_doesnotexist');
    await waitForTerminalState(panel, 'closed');
    await page.waitForTimeout(2000);
    expect(sockets.filter((u) => u.includes('/ws/terminal/')).length).toBe(1);
    await context.close();
  });

  it('a session started natively appears live in the list, marked adopted, with its current command', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    await page.getByRole('button', { name: 'New session' }).waitFor();
    await ctx.tmux.tmux('new-session', '-d', '-s', 'native-one', '-x', '80', '-y', '24', 'sleep 600');
    const row = page.locator('.session-row', { hasText: 'native-one' });
    await row.waitFor();
    expect(await row.locator('.adopted').textContent()).toBe('adopted');
    expect(await row.locator('.command').textContent()).toBe('sleep');
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('running');
    await screenshot(page, 'sessions-adopted-desktop');
    await context.close();
  });

  it('without the cookie: the login screen, and a pasted token logs in', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await page.goto(new URL('sessions', ctx.bridge.url).toString());
    await page.getByRole('heading', { name: 'Not logged in' }).waitFor();
    expect(await page.getByTestId('events-state').getAttribute('data-state')).toBe('idle');
    await page.getByLabel('Access token or login URL').fill('wrong-token-123456');
    await page.getByLabel('Access token or login URL').press('Enter');
    await page.getByText('That login link is not valid').waitFor();

    await page.goto(new URL('sessions', ctx.bridge.url).toString());
    await page.getByLabel('Access token or login URL').fill(`${ctx.bridge.url}login?token=${encodeURIComponent(ctx.bridge.token)}`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/sessions$/);
    await page.getByRole('button', { name: 'New session' }).waitFor();
    await context.close();
  });
});
