/**
 * The pipeline page at 1280×800 keeps every stage's buttons inside its card: a stage
 * waiting for approval (Decide, Retry, Reset) and one with a long unbroken reason.
 * In Chinese too, desktop and phone: each button on one line, and a reason the
 * engine coded is worded by the catalog, not left in the server's English.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, closeQuietly, hasHorizontalScroll, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { stageReasonText } from '../../schemas/index.ts';
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

  const WORDS = {
    'zh-CN': { failed: '满足失败条件', retrying: '失败条件满足：log_regex "ERR"，所在行 "ERR 1"；第 2/3 次重试' },
    en: { failed: 'fail_condition', retrying: stageReasonText.retrying('log_regex "ERR"', 'ERR 1', 2, 3) },
  } as const;
  for (const [viewport, size, locale] of [
    [DESKTOP, 'desktop', 'zh-CN'],
    [PHONE, 'phone', 'zh-CN'],
    [PHONE, 'phone', 'en'],
  ] as const) {
    it(`${locale} ${size}: buttons on one line, coded reasons in the page's language`, async () => {
      const pane = board.pipelines.get('ci')!.panes[0]!;
      board.requestApproval('ci', pane.host, pane.paneId, 'build');
      board.setStage('ci', pane.host, pane.paneId, 'test', 'FAILED', { reason: 'fail_condition', escalateCode: 'CI_TESTS_RED' });
      board.setStage('ci', pane.host, pane.paneId, 'lint', 'RUNNING', { reason: stageReasonText.retrying('log_regex "ERR"', 'ERR 1', 2, 3) });
      const { context, page } = await newPage(browser, viewport, board.url, { locale });
      try {
        await page.goto(new URL('pipelines/ci', board.url).toString());
        await page.locator('.decide-link').waitFor();
        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        const reason = (name: string) => page.locator(`.stage-row[data-stage="${name}"] .stage-reason .reason`).first().textContent();
        expect(await reason('test')).toBe(WORDS[locale].failed);
        expect(await reason('lint')).toBe(WORDS[locale].retrying);
        await screenshot(page, `board-pipeline-actions-${locale === 'en' ? 'en' : 'zh'}-${size}`);
        // Each action (Decide, Retry, Reset) is one line high: none wraps its words.
        const heights = await page.locator('.stage-actions > *').evaluateAll((els) =>
          els.map((el) => {
            const style = getComputedStyle(el);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.3;
            const content = el.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
            return { text: (el.textContent ?? '').trim(), lines: Math.round(content / line) };
          }),
        );
        expect(heights.length).toBeGreaterThanOrEqual(3);
        expect(heights.filter((h) => h.lines > 1)).toEqual([]);
        // And the buttons of one row share a line (they do not stack) at desktop width.
        if (size === 'desktop') {
          const tops = await page.locator('.stage-row[data-status="WAITING_APPROVAL"] .stage-actions > *').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
          expect(new Set(tops).size, `tops ${tops.join(',')}`).toBe(1);
        }
        expect(await hasHorizontalScroll(page)).toBe(false);
      } finally {
        await context.close();
      }
    });
  }
});
