/** What the issue board's browser tests do to the page: open it, find cards and columns, drag with the mouse. */
import type { Browser, Locator, Page } from 'playwright-core';
import { DESKTOP, closeQuietly, login, newPage } from '../helpers/browser.ts';
import type { TestBridge } from '../helpers/bridge.ts';

export const card = (page: Page, id: string) => page.locator(`.issue-card[data-issue-id="${id}"]`);

export const columnIds = (page: Page, status: string) =>
  page.locator(`.column-list[data-status="${status}"] > .issue-card`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.issueId));

/** A real mouse drag: press, move in steps (SortableJS follows mouse events), release over the target. */
export async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + 30, { steps: 12 });
  await page.mouse.move(b.x + b.width / 2, b.y + 32, { steps: 2 });
  await page.mouse.up();
}

/** Logs in and opens the board. */
export async function openBoard(browser: Browser, bridge: TestBridge, viewport: { width: number; height: number } = DESKTOP): Promise<{ page: Page; close: () => Promise<void> }> {
  const { context, page } = await newPage(browser, viewport);
  await login(page, bridge.url, bridge.token, '/issues');
  await page.locator('[data-testid="issue-board"]').waitFor();
  return { page, close: () => closeQuietly(context) };
}
