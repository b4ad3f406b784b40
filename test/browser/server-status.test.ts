/**
 * The UI says when the server has a problem of its own: tmux not answering
 * (the control watchdog's state, issue 9 item 11), and a 429 (too many wrong
 * tokens from this address, item 4) which it waits out and retries by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../server/bridge.ts';
import { DESKTOP, closeQuietly, launchBrowser, login, newPage, screenshot } from '../helpers/browser.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';

let tmux: TestTmux;
let bridge: Bridge;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  tmux = new TestTmux();
  dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  bridge = await startBridge({ port: 0, socket: tmux.socketName, tmuxConfig: tmux.configFile, dataDir, pollIntervalMs: 200 }, { log: () => undefined, tmuxCommandTimeoutMs: 2000 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await closeQuietly(browser);
  await bridge?.close();
  await tmux?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('server status banner', () => {
  it('says tmux is not answering while it hangs, and goes away when it answers again', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    try {
      await login(page, bridge.url, bridge.token, '/');
      await page.getByRole('navigation').waitFor();
      expect(await page.getByTestId('tmux-status').count()).toBe(0);
      const serverPid = Number(await tmux.tmux('display-message', '-p', '#{pid}'));
      process.kill(serverPid, 'SIGSTOP');
      try {
        const banner = page.getByTestId('tmux-status');
        await waitFor(async () => (await banner.getAttribute('data-state').catch(() => null)) === 'reconnecting', 'the tmux banner', 60_000);
        expect(await banner.getAttribute('role')).toBe('alert');
        expect(await banner.textContent()).toMatch(/tmux is not answering .*reconnecting.*tmux did not answer for \d+ s/s);
        await screenshot(page, 'tmux-not-answering-desktop');
      } finally {
        process.kill(serverPid, 'SIGCONT');
      }
      await waitFor(async () => (await page.getByTestId('tmux-status').count()) === 0, 'the banner to go', 60_000);
    } finally {
      await context.close();
    }
  });

  it('explains a 429 and retries by itself after Retry-After', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    try {
      await login(page, bridge.url, bridge.token, '/');
      await page.getByRole('navigation').waitFor();
      // From now on, for a few seconds, the server refuses this address (as after 30 wrong tokens from it).
      const refuseUntil = Date.now() + 3000;
      let refused = 0;
      await page.route('**/api/**', async (route) => {
        if (Date.now() >= refuseUntil) return route.continue();
        refused++;
        await route.fulfill({
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '2' },
          body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many wrong tokens from this address; wait a minute (a valid token still works)' } }),
        });
      });
      await page.reload();
      const banner = page.getByTestId('rate-limited');
      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.getAttribute('role')).toBe('alert');
      expect(await banner.textContent()).toMatch(/too many wrong tokens.*Trying again by itself in \d+ s/s);
      await screenshot(page, 'rate-limited-desktop');
      // It retries by itself: once the server lets it through, the page loads and the banner goes.
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: 60_000 });
      await waitFor(async () => (await banner.count()) === 0, 'the 429 banner to go', 60_000);
      expect(refused).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});
