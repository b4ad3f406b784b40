/**
 * Browser notifications for what needs a human, against FakeBoard (the board API
 * without a tmux server). The browser's Notification is replaced by a recorder
 * (headless Chromium shows none), with the page in the background.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeQuietly, DESKTOP, launchBrowser, newPage } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { FakeBoard } from './agent-fake-board.ts';

let browser: Browser;
let board: FakeBoard;

beforeAll(async () => {
  board = new FakeBoard();
  await board.start();
  browser = await launchBrowser();
});

afterAll(async () => {
  await closeQuietly(browser, board);
});

type Note = { title: string; body?: string; tag?: string };

describe('browser notifications', () => {
  it('off until the user turns them on; then an approval request and a failed stage notify while the page is in the background', async () => {
    const { context, page } = await newPage(browser, DESKTOP, board.url);
    await page.addInitScript(() => {
      const w = window as unknown as { __notes: unknown[]; __front: boolean; Notification: unknown };
      w.__notes = [];
      w.__front = false;
      class Recorder {
        static permission = 'default';
        static requestPermission() {
          Recorder.permission = 'granted';
          return Promise.resolve('granted');
        }
        onclick: (() => void) | null = null;
        constructor(title: string, options: { body?: string; tag?: string }) {
          w.__notes.push({ title, body: options.body, tag: options.tag });
        }
        close() {}
      }
      w.Notification = Recorder;
      document.hasFocus = () => w.__front;
    });
    const notes = () => page.evaluate(() => (window as unknown as { __notes: Note[] }).__notes);
    await page.goto(new URL('approvals', board.url).toString());
    await waitFor(async () => (await page.getByTestId('events-state').getAttribute('data-state')) === 'live', 'events feed live', 30_000);

    // Not turned on: nothing, even in the background.
    board.requestApproval('ci', 'local', '%1', 'build');
    await page.locator('.approval-card').first().waitFor();
    expect(await notes()).toEqual([]);

    const toggle = page.getByTestId('notify-toggle');
    await toggle.click();
    await waitFor(async () => (await toggle.getAttribute('data-state')) === 'on', 'notifications on', 30_000);

    const approval = board.requestApproval('ci', 'local', '%2', 'build');
    await waitFor(async () => (await notes()).length === 1, 'a notification for the approval', 30_000);
    expect((await notes())[0]).toMatchObject({ tag: `approval-${approval.id}` });
    expect((await notes())[0]!.title).toContain('ci');

    board.setStage('ci', 'local', '%1', 'test', 'FAILED', { reason: 'exit 2' });
    await waitFor(async () => (await notes()).length === 2, 'a notification for the failed stage', 30_000);
    expect((await notes())[1]).toMatchObject({ body: 'exit 2' });
    expect((await notes())[1]!.title).toContain('test');

    // In front of the user: the page shows it, no notification.
    await page.evaluate(() => ((window as unknown as { __front: boolean }).__front = true));
    board.requestApproval('ci', 'local', '%2', 'test');
    await page.locator('.approval-card').nth(2).waitFor();
    await page.waitForTimeout(500);
    expect(await notes()).toHaveLength(2);
    await context.close();
  });
});
