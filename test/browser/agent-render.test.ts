/**
 * The board pages at scale and under event load, against FakeBoard (the API's
 * shapes without a tmux server): 200 pane tiles and 1,000 history rows render,
 * one pane's output re-renders one tile, a stage change shows without a reload
 * and without polling, and a dropped events socket reconnects and catches up.
 * Timings are printed for the record (targets live in `npm run bench`).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, closeQuietly, hasHorizontalScroll, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { sampleSession } from '../helpers/events.ts';
import { waitFor } from '../helpers/tmux.ts';
import { FakeBoard } from './agent-fake-board.ts';

let browser: Browser;
let board: FakeBoard;

beforeAll(async () => {
  // 2 pipelines × 2 hosts × 25 panes + 100 unwatched bridge panes = 200 panes.
  board = new FakeBoard({ panesPerPipeline: 25, extraPanes: 100, storedEvents: 1000 });
  await board.start();
  browser = await launchBrowser();
});

afterAll(async () => {
  await closeQuietly(browser, board);
});

/** Console errors and page errors, to assert none happened. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return errors;
}

/** No API request for half a second. */
async function settled(fake: FakeBoard): Promise<void> {
  let count = -1;
  await waitFor(
    async () => {
      const now = fake.apiRequests().length;
      const quiet = now === count;
      count = now;
      return quiet;
    },
    'no API requests for 500 ms',
    10_000,
    500,
  );
}

const live = (page: Page) => waitFor(async () => (await page.getByTestId('events-state').getAttribute('data-state')) === 'live', 'events feed live');

describe('the board at scale (fake server)', () => {
  it('renders 200 live pane tiles; one pane’s output re-renders only its tile', async () => {
    expect(board.panes.length).toBe(200);
    const { context, page } = await newPage(browser, DESKTOP, board.url);
    const errors = collectErrors(page);
    const started = Date.now();
    await page.goto(new URL('monitor', board.url).toString());
    await waitFor(async () => (await page.locator('.tile').count()) === 200, '200 tiles');
    console.log(`monitor: 200 tiles on screen ${Date.now() - started} ms after navigation`);
    await live(page);

    // Watch which tiles change while one pane prints.
    await page.evaluate(() => {
      const changed = new Set<string>();
      (window as unknown as { changedTiles: Set<string> }).changedTiles = changed;
      new MutationObserver((records) => {
        for (const r of records) {
          const tile = (r.target instanceof Element ? r.target : r.target.parentElement)?.closest('.tile');
          if (tile) changed.add(tile.getAttribute('data-pane-id') ?? '?');
        }
      }).observe(document.querySelector('.tiles')!, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    board.emit('PANE_TAIL', { host: 'local', paneId: '%3', sessionKey: 's_fake3', lines: ['one', 'two', 'tail-for-3'], at: new Date().toISOString() }, true);
    await page.locator('.tile[data-pane-id="%3"] .pane-lines', { hasText: 'tail-for-3' }).waitFor();
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => [...(window as unknown as { changedTiles: Set<string> }).changedTiles])).toEqual(['%3']);

    // Every pane prints at once, three times a second apart (the server's limit is 1/s per pane):
    // every tile shows its newest line, and long tasks stay short.
    await page.evaluate(() => {
      const long: number[] = [];
      (window as unknown as { longTasks: number[] }).longTasks = long;
      new PerformanceObserver((list) => list.getEntries().forEach((e) => long.push(e.duration))).observe({ type: 'longtask', buffered: false });
    });
    for (let round = 1; round <= 3; round++) {
      for (const pane of board.panes) {
        const lines = Array.from({ length: 20 }, (_, i) => `round ${round} ${pane.paneId} line ${i}`);
        board.emit('PANE_TAIL', { host: pane.host, paneId: pane.paneId, sessionKey: pane.sessionKey, lines, at: new Date().toISOString() }, true);
      }
      const t0 = Date.now();
      await waitFor(
        () => page.evaluate((r) => [...document.querySelectorAll('.tile .pane-lines')].every((el) => el.textContent?.includes(`round ${r} `)), round),
        `round ${round} in every tile`,
        5000,
        20,
      );
      console.log(`monitor: 200 tails (round ${round}) painted in ${Date.now() - t0} ms`);
      await page.waitForTimeout(1000);
    }
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(`monitor: long tasks during 600 tails: ${longTasks.length ? longTasks.map((d) => Math.round(d)).join(', ') + ' ms' : 'none'}`);
    await screenshot(page, 'board-monitor-200-desktop');

    // Search and filter narrow the grid.
    await page.getByLabel('Search').fill('deploy-25');
    await waitFor(async () => (await page.locator('.tile').count()) === 2, 'two deploy-25 panes (one per host)');
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Show').selectOption('watched');
    await waitFor(async () => (await page.locator('.tile').count()) === 100, 'the 100 watched panes');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('pages through 1,000 stored events, newest first, and shows new ones on top', async () => {
    const { context, page } = await newPage(browser, DESKTOP, board.url);
    const errors = collectErrors(page);
    const eventRequests = () => board.apiRequests().filter((r) => r.startsWith('GET /api/events'));
    const asked = eventRequests().length;
    await page.goto(new URL('history', board.url).toString());
    await live(page);
    await waitFor(async () => (await page.locator('.event-row').count()) === 100, 'the first page of 100');
    const firstId = Number(await page.locator('.event-row').first().getAttribute('data-event-id'));
    expect(firstId).toBe(board.events.at(-1)!.id);
    for (let pageNo = 2; pageNo <= 10; pageNo++) {
      await page.getByRole('button', { name: 'Load older events' }).click();
      await waitFor(async () => (await page.locator('.event-row').count()) === pageNo * 100, `${pageNo * 100} rows`);
    }
    // One request per page, newest first from the server, each continuing from the last one's `next`: no probing.
    const pages = eventRequests().slice(asked);
    expect(pages).toHaveLength(10);
    expect(pages[0]).toBe('GET /api/events?before=latest&limit=100');
    expect(pages[1]).toBe(`GET /api/events?before=${board.events.at(-100)!.id}&limit=100`);
    expect(await page.getByText('That is the oldest stored event.').count()).toBe(0);
    // Ids strictly decreasing: no gap, no duplicate between pages.
    const ids = await page.locator('.event-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-event-id'))));
    expect(ids.every((id, i) => i === 0 || id === ids[i - 1]! - 1)).toBe(true);
    // Scrolling the 1,000 rows: frame gaps measured in the page.
    const worstFrame = await page.evaluate(async () => {
      const main = document.getElementById('main')!;
      let last = performance.now();
      let worst = 0;
      for (let y = 0; y < main.scrollHeight; y += 600) {
        main.scrollTop = y;
        await new Promise(requestAnimationFrame);
        const t = performance.now();
        worst = Math.max(worst, t - last);
        last = t;
      }
      main.scrollTop = 0;
      return worst;
    });
    console.log(`history: 1,000 rows; worst frame while scrolling through them ${Math.round(worstFrame)} ms`);

    // A new stored event appears on top while the newest page is shown.
    board.setStage('ci', 'nas', '%30', 'lint', 'FAILED', { reason: 'fail_condition', escalateCode: 'LINT_RED' });
    await page.locator('.event-row').first().filter({ hasText: 'ci/lint on nas %30' }).waitFor();
    // Filters: stage changes of one pipeline on one host, filtered by the server (stored events alternate local/ci and nas/deploy).
    const rowTexts = () => page.locator('.event-row .event-text').evaluateAll((rows) => rows.map((r) => r.firstChild?.textContent ?? ''));
    const beforeFilters = eventRequests().length;
    await page.getByLabel('Type').selectOption('STAGE_UPDATED');
    await page.getByLabel('Pipeline').selectOption('ci');
    await page.getByLabel('Host').selectOption('local');
    await waitFor(async () => {
      const texts = await rowTexts();
      return texts.length === 100 && texts.every((t) => /^ci\/\w+ on local /.test(t));
    }, 'a full page of ci stage changes on local');
    const types = await page.locator('.event-row').evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-type')))]);
    expect(types).toEqual(['STAGE_UPDATED']);
    expect(eventRequests().slice(beforeFilters).at(-1)).toBe('GET /api/events?type=STAGE_UPDATED&host=local&pipeline=ci&before=latest&limit=100');
    await screenshot(page, 'board-history-filtered-desktop');

    // New events: the server says which match (one catch-up per burst); a deploy change stays out.
    board.setStage('deploy', 'local', '%53', 'apply', 'COMPLETED', { reason: 'success_when' });
    board.setStage('ci', 'local', '%3', 'build', 'FAILED', { reason: 'fail_condition', escalateCode: 'BUILD_RED' });
    await page.locator('.event-row').first().filter({ hasText: 'ci/build on local %3' }).waitFor();
    expect((await rowTexts()).every((t) => /^ci\/\w+ on local /.test(t))).toBe(true);
    expect(eventRequests().at(-1)).toMatch(/^GET \/api\/events\?type=STAGE_UPDATED&host=local&pipeline=ci&since=\d+&limit=1000$/);

    // A time range goes to the server as `from`; older pages keep every filter.
    await page.getByLabel('Time').selectOption('hour');
    const ranged = await waitFor(() => eventRequests().find((r) => r.includes('from=')), 'a request with from=');
    expect(ranged).toMatch(/^GET \/api\/events\?type=STAGE_UPDATED&host=local&pipeline=ci&from=[^&]+&before=latest&limit=100$/);
    const from = Date.parse(decodeURIComponent(/from=([^&]+)/.exec(ranged)![1]!));
    expect(Math.abs(Date.now() - 3_600_000 - from)).toBeLessThan(60_000);
    // 1,000 events 30 s apart: the last hour holds ~120, half of them ci on local, so one short page.
    await page.getByText('That is the start of the time range.').waitFor();
    const times = await page.locator('.event-row time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime') ?? '')));
    expect(times.every((t) => t >= from)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a stage change shows within a second with no polling; a dropped socket reconnects and catches up', async () => {
    const { context, page } = await newPage(browser, DESKTOP, board.url);
    const errors = collectErrors(page);
    await page.goto(board.url);
    await live(page);
    await page.locator('.pipeline-card[data-pipeline="ci"][data-host="local"]').waitFor();
    const waiting = () => page.locator('.totals [data-status="WAITING_APPROVAL"]').getAttribute('data-count');
    const before = Number(await waiting());
    // The first load may end with one follow-up fetch (the socket opened while it was in flight): let it land.
    await settled(board);
    const requestsBefore = board.apiRequests().length;

    const t0 = Date.now();
    board.requestApproval('ci', 'local', '%1', 'build');
    await waitFor(async () => Number(await waiting()) === before + 1, 'the waiting count', 5000, 10);
    await page.locator('.pending-row').first().waitFor({ timeout: 1000 });
    console.log(`dashboard: WAITING_APPROVAL shown ${Date.now() - t0} ms after the event`);

    // Idle for three seconds: the page asks the API nothing.
    await page.waitForTimeout(3000);
    expect(board.apiRequests().slice(requestsBefore)).toEqual([]);

    // The socket drops; a stage fails while nobody listens; the page reconnects with since= and refetches once.
    const lastId = board.events.at(-1)!.id!;
    board.dropSockets();
    await waitFor(async () => (await page.getByTestId('events-state').getAttribute('data-state')) !== 'live', 'feed not live');
    board.setStage('deploy', 'local', '%52', 'plan', 'FAILED', { reason: 'fail_condition', escalateCode: 'PLAN_RED' }, true);
    await live(page);
    await page.locator('.failure-row', { hasText: 'deploy / plan' }).waitFor();
    expect(board.requests).toContain(`WS /ws/events?since=${lastId}`);
    const after = board.apiRequests().slice(requestsBefore);
    expect(after.filter((r) => r === 'GET /api/overview')).toHaveLength(1);
    expect(after.filter((r) => r === 'GET /api/pipelines')).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a pane that gets its bridge session later shows its terminal link without a reload', async () => {
    // Pane %2 is watched before the bridge has a session for it: no terminal link yet.
    const pane = board.pipelines.get('ci')!.panes.find((p) => p.paneId === '%2')!;
    pane.sessionKey = null;
    const approval = board.requestApproval('ci', 'local', '%2', 'test');
    expect(approval.sessionKey).toBeNull();
    const { context, page } = await newPage(browser, DESKTOP, board.url);
    const errors = collectErrors(page);
    await page.goto(new URL('pipelines/ci', board.url).toString());
    await live(page);
    const section = page.locator('.pane-section[data-pane-id="%2"]');
    await section.locator('.no-terminal').waitFor();
    await settled(board);

    // The session appears: the pipeline view (and the approval) are fetched again, once, and carry it.
    pane.sessionKey = 's_late2';
    approval.sessionKey = 's_late2';
    const asked = board.apiRequests().length;
    board.emit('CLI_SESSION_CREATED', { sessionKey: 's_late2', session: sampleSession({ sessionKey: 's_late2', tmux: { socket: 'default', session: 'ci-2', window: '@1', paneId: '%2' } }) });
    await section.locator('.terminal-link[href="/sessions/s_late2"]').waitFor();
    await settled(board);
    expect(board.apiRequests().slice(asked).sort()).toEqual(['GET /api/approvals', 'GET /api/approvals?status=decided&limit=50', 'GET /api/pipelines']);
    await page.locator('.nav-link[data-page="approvals"]').click();
    await page.locator(`.approval-card[data-approval-id="${approval.id}"] .terminal-link[href="/sessions/s_late2"]`).waitFor();

    // A session for a pane that has its link already asks for nothing.
    const quiet = board.apiRequests().length;
    board.emit('CLI_SESSION_CREATED', { sessionKey: 's_other', session: sampleSession({ sessionKey: 's_other', tmux: { socket: 'default', session: 'x', window: '@1', paneId: '%1' } }) });
    await page.waitForTimeout(500);
    expect(board.apiRequests().slice(quiet)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone and the dark theme with this much data', async () => {
    const { context, page } = await newPage(browser, PHONE, board.url);
    await page.addInitScript(() => localStorage.setItem('tb.theme', 'dark'));
    for (const [path, name] of [
      ['', 'dashboard'],
      ['monitor', 'monitor'],
      ['pipelines/ci', 'pipeline'],
    ] as const) {
      await page.goto(new URL(path, board.url).toString());
      await page.locator('.page h1').waitFor();
      await page.waitForTimeout(300);
      expect(await hasHorizontalScroll(page), `${name}: horizontal scroll`).toBe(false);
      await screenshot(page, `board-scale-${name}-dark-phone`);
    }
    await context.close();
  });
});
