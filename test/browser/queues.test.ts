import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, closeQuietly, hasHorizontalScroll, login, newPage, screenshot, useBrowserBridge } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { Queue, QueueItem } from '../../schemas/index.ts';

const ctx = useBrowserBridge();

async function createQueue(name: string): Promise<any> {
  const res = await ctx.bridge.api.post('/api/queues', {
    name,
    maxConcurrentSessions: 2,
    execution_groups: [
      { id: 'P1', type: 'parallel' },
      { id: 'S1', type: 'sequential' },
    ],
    items: [
      { prompt: 'sleep 0.5; echo one', title: 'Build the parser' },
      { prompt: 'sleep 0.5; echo two', title: 'Write the docs' },
      { prompt: 'echo three', title: 'Release', execution_group: 'S1', depends_on: ['T-1', 'T-2'] },
      { prompt: 'echo four', execution_group: 'S1' },
    ],
  }, Queue);
  expect(res.status).toBe(201);
  return res.body;
}

const ids = (page: Page, group: string) => page.locator(`.group-list[data-group="${group}"] > .queue-item`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId));
const serverOrder = async (id: string, group: string) =>
  ((await ctx.bridge.api.get(`/api/queues/${id}`, Queue)).body.items as any[])
    .filter((i) => i.execution_group === group)
    .sort((a, b) => a.execution_order - b.execution_order)
    .map((i) => i.item_id);

/** A real mouse drag (SortableJS follows mouse events): press, move in steps, release over the target. */
async function drag(page: Page, from: Locator, to: Locator, below = false): Promise<void> {
  const a = (await from.locator('.item-head').boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + 20, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + 30, a.y + a.height / 2 + 10, { steps: 4 });
  const y = below ? b.y + b.height - 6 : b.y + 6;
  // Over the target's middle first (Sortable notices the other list), then to the edge to drop before or after it.
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 20 });
  await page.mouse.move(b.x + b.width / 2, y, { steps: 6 });
  await page.mouse.move(b.x + b.width / 2, y + 1, { steps: 2 });
  await page.mouse.up();
}

async function open(queueId: string, viewport: { width: number; height: number } = DESKTOP) {
  const { context, page } = await newPage(ctx.browser, viewport);
  await login(page, ctx.bridge.url, ctx.bridge.token, `/queues?queue=${queueId}`);
  await page.locator('.queue-view').waitFor();
  return { page, close: () => closeQuietly(context) };
}

describe('queues page in the browser', () => {
  it('drag reorders within a group and moves between groups, persisted; keyboard moves too', { timeout: 120_000 }, async () => {
    const q = await createQueue('drag');
    const { page, close } = await open(q.id);
    try {
      await page.locator('.queue-item[data-item-id="T-4"]').waitFor();
      expect(await ids(page, 'S1')).toEqual(['T-3', 'T-4']);
      // Reorder: T-4 above T-3.
      await drag(page, page.locator('.queue-item[data-item-id="T-4"]'), page.locator('.queue-item[data-item-id="T-3"]'));
      await waitFor(async () => JSON.stringify(await serverOrder(q.id, 'S1')) === '["T-4","T-3"]', 'reorder stored', 10_000);
      await waitFor(async () => JSON.stringify(await ids(page, 'S1')) === '["T-4","T-3"]', 'reorder shown', 5000);
      // Move between groups: T-2 from P1 to the top of S1 (at the end it would come after T-3, which depends on it: a cycle the server refuses).
      await drag(page, page.locator('.queue-item[data-item-id="T-2"]'), page.locator('.queue-item[data-item-id="T-4"]'));
      await waitFor(async () => JSON.stringify(await serverOrder(q.id, 'S1')) === '["T-2","T-4","T-3"]', 'move stored', 10_000);
      expect(await serverOrder(q.id, 'P1')).toEqual(['T-1']);
      // Keyboard: the "previous group" button brings T-2 back to P1.
      await page.locator('.queue-item[data-item-id="T-2"] button[aria-label="Move T-2 to the previous group"]').click();
      await waitFor(async () => JSON.stringify(await serverOrder(q.id, 'P1')) === '["T-1","T-2"]', 'keyboard move stored', 10_000);
      await page.reload();
      await page.locator('.queue-item[data-item-id="T-2"]').waitFor();
      expect(await ids(page, 'P1')).toEqual(['T-1', 'T-2']);
      expect(await ids(page, 'S1')).toEqual(['T-4', 'T-3']);
      // The dependency shows as a label.
      await expect(page.locator('.queue-item[data-item-id="T-3"] .item-waits').innerText()).resolves.toContain('waits for T-1 (ready)');
    } finally {
      await close();
    }
  });

  it('dependency arrows join each item to what it waits for, across groups, on desktop and phone', { timeout: 120_000 }, async () => {
    const q = await createQueue('arrows');
    for (const viewport of [DESKTOP, PHONE]) {
      const { page, close } = await open(q.id, viewport);
      try {
        const arrows = page.locator('[data-testid="dep-arrows"] path.dep-arrow');
        await waitFor(async () => (await arrows.count()) === 2, 'two arrows (T-1 → T-3, T-2 → T-3)', 15_000);
        // Each arrow starts at the card waited for and ends at the card that waits (within a few pixels of its edge).
        for (const from of ['T-1', 'T-2']) {
          const ends = await page.evaluate(
            ([f, to]) => {
              const path = document.querySelector<SVGPathElement>(`path.dep-arrow[data-from="${f}"][data-to="${to}"]`)!;
              const m = path.getScreenCTM()!;
              const at = (p: DOMPoint) => new DOMPoint(p.x, p.y).matrixTransform(m);
              const a = at(path.getPointAtLength(0));
              const b = at(path.getPointAtLength(path.getTotalLength()));
              const box = (id: string) => document.querySelector(`.queue-item[data-item-id="${id}"]`)!.getBoundingClientRect().toJSON();
              return { a: { x: a.x, y: a.y }, b: { x: b.x, y: b.y }, from: box(f), to: box(to) };
            },
            [from, 'T-3'] as [string, string],
          );
          const near = (p: { x: number; y: number }, r: { left: number; right: number; top: number; bottom: number }) =>
            p.x >= r.left - 6 && p.x <= r.right + 6 && p.y >= r.top && p.y <= r.bottom;
          expect(near(ends.a, ends.from), `${from} arrow starts at ${from}: ${JSON.stringify(ends)}`).toBe(true);
          expect(near(ends.b, ends.to), `${from} arrow ends at T-3: ${JSON.stringify(ends)}`).toBe(true);
        }
        // Waiting dependencies are drawn as such; pointing at T-3 brings its arrows forward.
        await expect(arrows.first().getAttribute('class')).resolves.toContain('tone-waiting');
        await page.locator('.queue-item[data-item-id="T-3"] .item-title').hover();
        await waitFor(async () => (await page.locator('path.dep-arrow.is-hot').count()) === 2, 'T-3 arrows highlighted', 5000);
        expect(await hasHorizontalScroll(page)).toBe(false);
        await screenshot(page, `queues-arrows-${viewport === PHONE ? 'phone' : 'desktop'}`);
      } finally {
        await close();
      }
    }
  });

  it('start the scheduler and watch the items go green, live', { timeout: 180_000 }, async () => {
    const q = await createQueue('live');
    const { page, close } = await open(q.id);
    try {
      await page.getByRole('button', { name: 'Start', exact: true }).click();
      await waitFor(async () => (await page.locator('.scheduler-state').getAttribute('data-state')) === 'running' || (await page.locator('.scheduler-state').getAttribute('data-state')) === 'idle', 'scheduler shown running', 30_000);
      await waitFor(async () => (await page.locator('.queue-item[data-status="completed"]').count()) === 4, 'all four items green', 90_000, 100);
      const bg = await page.locator('.queue-item[data-item-id="T-1"]').evaluate((el) => getComputedStyle(el).borderLeftColor);
      expect(bg).toBe('rgb(26, 127, 55)');
      // The scheduler settles to idle just after the last item's update reaches the page.
      await waitFor(async () => (await page.locator('.scheduler-state').getAttribute('data-state')) === 'idle', 'scheduler shown idle', 30_000, 100);
      await expect(page.locator('.queue-item[data-item-id="T-1"] .item-session').innerText()).resolves.toContain('live-T-1');
      await expect(page.locator('.queue-item[data-item-id="T-1"] .item-duration').innerText()).resolves.toMatch(/took/);
      await screenshot(page, 'queues-completed-desktop');
    } finally {
      await close();
    }
  });

  it('looks right at desktop and phone sizes, light and dark (screenshots)', { timeout: 240_000 }, async () => {
    const q = await createQueue('looks');
    await ctx.bridge.api.patch(`/api/queues/${q.id}/items/T-1`, { prompt: 'exit 3' }, QueueItem);
    await ctx.bridge.api.post(`/api/queues/${q.id}/scheduler/start`, undefined, Queue);
    await waitFor(async () => (await ctx.bridge.api.get(`/api/queues/${q.id}`, Queue)).body.items.find((i: any) => i.item_id === 'T-3')!.status === 'blocked', 'T-3 blocked', 60_000, 100);
    for (const scheme of ['light', 'dark'] as const) {
      for (const [size, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const { page, close } = await open(q.id, viewport);
        try {
          await page.emulateMedia({ colorScheme: scheme });
          await page.locator('.queue-item[data-item-id="T-3"][data-status="blocked"]').waitFor();
          await expect(page.locator('.queue-item[data-item-id="T-3"] .item-blocked').innerText()).resolves.toContain('waits for T-1 which failed');
          expect(await hasHorizontalScroll(page)).toBe(false);
          await screenshot(page, `queues-${size}-${scheme}`);
        } finally {
          await close();
        }
      }
    }
  });
});
