/**
 * The UI says when the server has a problem of its own: tmux not answering
 * (the control watchdog's state, issue 9 item 11).
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
});
