import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  hasHorizontalScroll,
  login,
  newPage,
  PHONE,
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

/** The page fits the phone's width: nothing scrolls sideways, nothing sticks out. */
async function expectFits(page: Page, what: string): Promise<void> {
  expect(await hasHorizontalScroll(page), `${what}: horizontal page scroll`).toBe(false);
  const overflowing = await page.evaluate((width) => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('.topbar *, .sidebar *, .tab-strip, .terminal-toolbar, .terminal-toolbar *, .modal'))) {
      const rect = el.getBoundingClientRect();
      if (rect.width > 0 && rect.right > width + 1 && !el.closest('.tab-strip, .attach-command')) out.push(`${el.tagName}.${el.className}`);
    }
    return out;
  }, PHONE.width);
  expect(overflowing, `${what}: elements past the right edge`).toEqual([]);
  // Controls side by side must not overlap each other.
  const overlaps = await page.evaluate(() => {
    const boxes = Array.from(document.querySelectorAll<HTMLElement>('.terminal-panel:not([hidden]) .terminal-toolbar :is(button, .attach-command, .conn, .badge, .terminal-name), .topbar :is(a, button, .conn)'))
      .map((el) => ({ name: `${el.tagName}.${el.className}:${el.textContent?.slice(0, 20)}`, r: el.getBoundingClientRect() }))
      .filter((b) => b.r.width > 0 && b.r.height > 0);
    const out: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!.r;
        const b = boxes[j]!.r;
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`${boxes[i]!.name} × ${boxes[j]!.name}`);
      }
    return out;
  });
  expect(overlaps, `${what}: overlapping controls`).toEqual([]);
}

describe('a phone-sized viewport (390×844)', () => {
  it('renders every page without horizontal page scroll and keeps the terminal usable', async () => {
    const { context, page } = await newPage(ctx.browser, PHONE);
    await page.goto(ctx.bridge.url);
    await page.getByRole('heading', { name: 'Not logged in' }).waitFor();
    await expectFits(page, 'login');
    await screenshot(page, 'login-phone');

    await login(page, ctx.bridge.url, ctx.bridge.token);
    await page.getByRole('button', { name: 'New session' }).waitFor();
    await expectFits(page, 'empty list');
    await screenshot(page, 'sessions-empty-phone');

    await page.getByRole('button', { name: 'New session' }).click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Name').fill('phone');
    await dialog.getByLabel('Working directory').fill(ctx.tmux.dir);
    await dialog.getByLabel('Tool').selectOption('custom');
    await dialog.getByLabel('Command').fill('bash --norc --noprofile -i');
    await expectFits(page, 'new session dialog');
    await screenshot(page, 'new-session-phone');
    await dialog.getByRole('button', { name: 'Create session' }).click();

    // The terminal takes the screen; the list is one tap away.
    await page.waitForURL(/\/sessions\/s_/);
    const key = new URL(page.url()).pathname.split('/').pop()!;
    const panel = terminalPanel(page, key);
    await waitForTerminalState(panel, 'live');
    expect(await page.locator('.sidebar').isVisible()).toBe(false);
    const { body: session } = await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession);
    await waitFor(async () => (await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession)).body.cols < 60, 'pane fitted to the phone');
    await typeInTerminal(panel, 'echo small-$((7*6))');
    await waitForTerminalText(panel, /^small-42$/m);
    await expectFits(page, 'terminal');
    // The xterm itself fits the width: no sideways scrolling inside the terminal either.
    const xtermWidth = await panel.locator('.xterm-screen').evaluate((el) => el.getBoundingClientRect().right);
    expect(xtermWidth).toBeLessThanOrEqual(PHONE.width);
    expect(session.attachCommand).toContain('attach');
    await screenshot(page, 'terminal-phone');

    // On a phone the toolbar keeps one row: closing is in its More menu.
    await panel.getByTestId('toolbar-more').click();
    await panel.getByRole('menuitem', { name: 'Close session' }).click();
    await page.getByRole('dialog').waitFor();
    await expectFits(page, 'close dialog');
    await screenshot(page, 'close-confirm-phone');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Back to the list: the session is there with its status.
    await page.getByRole('link', { name: '← Sessions' }).click();
    await page.waitForURL(/\/sessions$/);
    await page.locator(`.session-row[data-session-key="${key}"]`).waitFor();
    expect(await page.locator('.workspace').isVisible()).toBe(false);
    await expectFits(page, 'list');
    await screenshot(page, 'sessions-list-phone');

    // Dark theme at phone size too.
    await page.getByRole('button', { name: /Switch to dark theme/ }).click();
    await screenshot(page, 'sessions-list-dark-phone');
    await context.close();
  });
});
