/**
 * The terminal page's toolbar stays one row, at desktop and phone sizes, with a
 * long session name: the name is cut with an ellipsis (its full text in the
 * tooltip) and the less-used actions sit in the "More" menu.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { closeQuietly, DESKTOP, hasHorizontalScroll, login, newPage, PHONE, screenshot, terminalPanel, useBrowserBridge, waitForTerminalState } from '../helpers/browser.ts';
import { CliSession } from '../../schemas/index.ts';

const ctx = useBrowserBridge();
const LONG_NAME = 'a-very-long-session-name-for-the-nightly-integration-run-0042';

async function createSession(name: string): Promise<string> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body.sessionKey;
}

/** The boxes of everything shown in the toolbar; one row means every box overlaps the name's line. */
async function toolbarRows(toolbar: Locator): Promise<{ height: number; rowHeight: number; items: Array<{ what: string; top: number; bottom: number; left: number; right: number }>; overflows: boolean }> {
  return toolbar.evaluate((bar) => {
    const items: Array<{ what: string; top: number; bottom: number; left: number; right: number }> = [];
    for (const el of bar.querySelectorAll<HTMLElement>('h2, button, .badge, .conn, .size, .attach-command')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || el.closest('[role="menu"]')) continue;
      items.push({ what: `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? '').slice(0, 20)}"`, top: box.top, bottom: box.bottom, left: box.left, right: box.right });
    }
    // One row is as tall as its tallest item.
    const tallest = Math.max(...items.map((item) => item.bottom - item.top));
    const style = getComputedStyle(bar);
    return {
      height: bar.getBoundingClientRect().height,
      rowHeight: tallest + parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth),
      items,
      overflows: bar.scrollWidth > bar.clientWidth + 1,
    };
  });
}

async function expectOneRow(page: Page, panel: Locator, label: string): Promise<void> {
  const toolbar = panel.locator('.terminal-toolbar');
  const rows = await toolbarRows(toolbar);
  const name = panel.locator('.terminal-name');
  const nameBox = (await name.boundingBox())!;
  for (const item of rows.items) {
    // Every item shares the name's line: it starts above the name's bottom and ends below its top.
    expect(item.top < nameBox.y + nameBox.height && item.bottom > nameBox.y, `${label}: ${item.what} is on another row`).toBe(true);
    expect(item.right, `${label}: ${item.what} runs off the toolbar`).toBeLessThanOrEqual(page.viewportSize()!.width);
  }
  for (const [i, a] of rows.items.entries())
    for (const b of rows.items.slice(i + 1)) expect(a.right <= b.left + 1 || b.right <= a.left + 1, `${label}: ${a.what} overlaps ${b.what}`).toBe(true);
  expect(rows.height, `${label}: toolbar height`).toBeLessThanOrEqual(rows.rowHeight + 2);
  expect(rows.overflows, `${label}: toolbar scrolls sideways`).toBe(false);
  expect(await hasHorizontalScroll(page), `${label}: page scrolls sideways`).toBe(false);
  // The name is cut, not lost: the whole of it is in the tooltip; on a desktop the attach command gives way before it does.
  expect(await name.getAttribute('title')).toBe(LONG_NAME);
  if (page.viewportSize()!.width >= DESKTOP.width) expect(nameBox.width, `${label}: room left for the name`).toBeGreaterThan(200);
}

describe('terminal toolbar', () => {
  it('stays one row with a 60-character session name, desktop and phone; the rest is in the More menu', async () => {
    const key = await createSession(LONG_NAME);
    for (const [viewport, size] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      const { context, page } = await newPage(ctx.browser, viewport);
      try {
        await login(page, ctx.bridge.url, ctx.bridge.token, `/sessions/${key}`);
        const panel = terminalPanel(page, key);
        await waitForTerminalState(panel, 'live');
        await page.waitForTimeout(200);
        await screenshot(page, `terminal-toolbar-long-name-${size}`);
        await expectOneRow(page, panel, size);

        // What left the row is one tap away.
        await panel.getByTestId('toolbar-more').click();
        const menu = panel.getByRole('menu');
        await menu.waitFor();
        await screenshot(page, `terminal-toolbar-more-${size}`);
        await menu.getByRole('menuitem', { name: 'Rename' }).click();
        await page.getByRole('dialog').waitFor();
        await page.keyboard.press('Escape');
        await page.getByRole('dialog').waitFor({ state: 'detached' });
        await expectOneRow(page, panel, `${size}, after the menu`);

        // F6 leaves the terminal for a control that is shown: Copy on a wide toolbar, More on a phone's.
        await panel.locator('.xterm').click();
        await page.keyboard.press('F6');
        const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.getAttribute('aria-label'));
        expect(focused).toBe(size === 'phone' ? 'toolbar-more' : 'Copy the attach command');
      } finally {
        await closeQuietly(context);
      }
    }
  });
});
