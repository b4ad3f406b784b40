import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DESKTOP, closeQuietly, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { FakeIssueServer } from './issues-fake-board.ts';

const server = new FakeIssueServer(1000);
let browser: Browser;

beforeAll(async () => {
  await server.start();
  browser = await launchBrowser();
});

afterAll(async () => {
  await closeQuietly(browser);
  await server.close();
});

/**
 * How many times slower than an idle core this page runs now: the median of five timings of a fixed
 * loop that takes about 30 ms on an idle 2020s core (never below 1).
 */
async function slowness(page: Page): Promise<number> {
  const times = await page.evaluate(() => {
    const out: number[] = [];
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      let x = 0;
      for (let i = 0; i < 20_000_000; i++) x = (x + i * 7) % 1_000_003;
      out.push(performance.now() - t0 + (x < 0 ? 1 : 0));
    }
    return out.sort((a, b) => a - b);
  });
  const median = times[2]!;
  console.log(`issue board: calibration loop ${times.map(Math.round).join(', ')} ms`);
  return Math.max(1, median / 30);
}

const longTasks = (page: Page) => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.splice(0));

describe('the board with 1,000 issues (fake server)', () => {
  it('renders every card and drags one without a long task over 100 ms', async () => {
    const { context, page } = await newPage(browser, DESKTOP, server.url);
    // Long tasks from the very first script on.
    await page.addInitScript(() => {
      const long: number[] = [];
      (window as unknown as { longTasks: number[] }).longTasks = long;
      new PerformanceObserver((list) => list.getEntries().forEach((e) => long.push(e.duration))).observe({ type: 'longtask', buffered: true });
    });
    const t0 = Date.now();
    await page.goto(new URL('issues', server.url).toString());
    await waitFor(async () => (await page.locator('.issue-card').count()) === 1000, 'all 1,000 cards', 30_000, 50);
    const renderMs = Date.now() - t0;
    const firstRender = await longTasks(page);
    console.log(`issue board: 1,000 cards in ${renderMs} ms; long tasks: ${firstRender.length ? firstRender.map(Math.round).join(', ') + ' ms' : 'none'}`);
    await screenshot(page, 'issues-board-1000-desktop');

    // Drag the third card of Queued to the top of In progress.
    const queued = server.column('queued');
    const target = server.column('in_progress')[0]!;
    const moving = queued[2]!;
    const from = (await page.locator(`.issue-card[data-issue-id="${moving.id}"]`).boundingBox())!;
    const to = (await page.locator(`.issue-card[data-issue-id="${target.id}"]`).boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 4 });
    await page.mouse.move(to.x + to.width / 2, to.y + 8, { steps: 15 });
    await page.mouse.up();
    await waitFor(() => server.issues.get(moving.id)!.status === 'in_progress', 'moved on the server', 10_000);
    // The page shows the server's order.
    const shownOrder = () => page.locator('.column-list[data-status="in_progress"] > .issue-card').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.issueId));
    await waitFor(async () => JSON.stringify(await shownOrder()) === JSON.stringify(server.column('in_progress').map((i) => i.id)), 'the page shows the server order');
    expect(server.column('in_progress').slice(0, 3).map((i) => i.id)).toContain(moving.id);
    const drag = await longTasks(page);
    console.log(`issue board: long tasks during the drag: ${drag.length ? drag.map(Math.round).join(', ') + ' ms' : 'none'}`);
    // 100 ms on a machine of its own; on a shared, busy one the limit grows with how slow a fixed piece of work runs right now.
    const limit = 100 * (await slowness(page));
    console.log(`issue board: long-task limit ${Math.round(limit)} ms`);
    expect(firstRender.filter((d) => d > limit)).toEqual([]);
    expect(drag.filter((d) => d > limit)).toEqual([]);
    // No polling: the only issue request is the first list and the move.
    expect(server.requests.filter((r) => r.includes('/api/issues'))).toEqual(['GET /api/issues', `POST /api/issues/${moving.id}/move`]);
    await context.close();
  });
});
