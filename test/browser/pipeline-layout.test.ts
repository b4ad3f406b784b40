/**
 * The pipeline page at 1280×800 keeps every stage's buttons inside its card: a stage
 * waiting for approval (Decide, Retry, Reset) and one with a long unbroken reason.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, closeQuietly, hasHorizontalScroll, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { FakeBoard } from './agent-fake-board.ts';

let browser: Browser;
let board: FakeBoard;

beforeAll(async () => {
  board = new FakeBoard({ panesPerPipeline: 1, extraPanes: 0, storedEvents: 0 });
  await board.start();
  browser = await launchBrowser();
});

afterAll(async () => {
  await closeQuietly(browser, board);
});

describe('pipeline page layout', () => {
  it('shows every Reset button whole at 1280×800', async () => {
    const pane = board.pipelines.get('ci')!.panes[0]!;
    board.requestApproval('ci', pane.host, pane.paneId, 'build');
    board.setStage('ci', pane.host, pane.paneId, 'test', 'FAILED', { reason: `fail_when log_regex ${'x'.repeat(120)}`, escalateCode: 'CI_TESTS_RED' });
    const { context, page } = await newPage(browser, DESKTOP, board.url);
    await page.goto(new URL('pipelines/ci', board.url).toString());
    await page.locator('.decide-link').waitFor();
    const resets = page.getByRole('button', { name: /^Reset / });
    const count = await resets.count();
    expect(count).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'board-pipeline-actions-desktop');
    for (let i = 0; i < count; i++) {
      await resets.nth(i).scrollIntoViewIfNeeded();
      const button = (await resets.nth(i).boundingBox())!;
      const card = (await resets.nth(i).locator('xpath=ancestor::table[1]').boundingBox())!;
      expect(button.x + button.width).toBeLessThanOrEqual(card.x + card.width + 0.5);
      expect(button.x + button.width).toBeLessThanOrEqual(DESKTOP.width);
      // Not covered by a neighbour: the button itself is what a click there hits.
      const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest('button')?.textContent ?? null, [button.x + button.width - 4, button.y + button.height / 2]);
      expect(hit, `button ${i}`).toBe('Reset');
    }
    expect(await hasHorizontalScroll(page)).toBe(false);
    await context.close();
  });
});
