import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestBridge, type TestBridge } from './bridge.ts';
import { TestTmux, waitFor } from './tmux.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Debian's Chromium, headless, with everything that phones home turned off. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh context (its own cookies) and page; `isMobile`/touch for phone sizes.
 * The browser language is English unless `options.locale` says otherwise (the UI follows it).
 */
export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
  baseURL?: string,
  options: { locale?: string; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const phone = viewport.width < 600;
  const context = await browser.newContext({
    viewport,
    baseURL,
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    // The copy button's Clipboard API needs these in automation.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

/**
 * Logs in the way a user does: opens the login URL the server printed, which
 * lands on the dashboard (`/`); then opens `path` (the sessions page unless told).
 */
export async function login(page: Page, baseUrl: string, token: string, path = '/sessions'): Promise<void> {
  await page.goto(new URL(`login?token=${encodeURIComponent(token)}`, baseUrl).toString());
  await page.waitForURL((url) => url.pathname === '/');
  if (path !== '/') await page.goto(new URL(path.replace(/^\//, ''), baseUrl).toString());
}

/** A port nobody listens on right now (to restart a server on the same one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The terminal panel of a session (visible or not). */
export function terminalPanel(page: Page, sessionKey?: string): Locator {
  return sessionKey ? page.locator(`.terminal-panel[data-session-key="${sessionKey}"]`) : page.locator('.terminal-panel:not([hidden])');
}

/** The rows xterm rendered (DOM renderer), trailing blanks trimmed. */
export async function terminalRows(panel: Locator): Promise<string[]> {
  return panel.locator('.xterm-rows').evaluate((rows) =>
    Array.from(rows.children, (row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').replace(/\s+$/, '')),
  );
}

export async function terminalText(panel: Locator): Promise<string> {
  return (await terminalRows(panel)).join('\n');
}

export async function waitForTerminalText(panel: Locator, needle: string | RegExp, what = String(needle), timeoutMs = 15_000): Promise<string> {
  let last = '';
  try {
    return await waitFor(
      async () => {
        last = await terminalText(panel);
        return (typeof needle === 'string' ? last.includes(needle) : needle.test(last)) ? last : undefined;
      },
      `terminal text ${what}`,
      timeoutMs,
      50,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- terminal shows ---\n${last}`);
  }
}

/** The terminal socket's indicator (live / connecting / reconnecting / closed). */
export async function terminalState(panel: Locator): Promise<string | null> {
  return panel.locator('[data-testid="terminal-state"]').getAttribute('data-state');
}

export async function waitForTerminalState(panel: Locator, state: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await terminalState(panel)) === state, `terminal state ${state}`, timeoutMs, 50);
}

/** Types into the terminal as a user does: focus xterm, then key presses. */
export async function typeInTerminal(panel: Locator, text: string, enter = true): Promise<void> {
  await panel.locator('.xterm').click();
  const page = panel.page();
  await page.keyboard.type(text, { delay: 5 });
  if (enter) await page.keyboard.press('Enter');
}

/** True when the page scrolls sideways (it must not, at any size). */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth || document.body.scrollWidth > document.body.clientWidth);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Closes whatever was opened, ignoring what already failed (for afterAll). */
export async function closeQuietly(...items: Array<{ close(): Promise<unknown> } | undefined>): Promise<void> {
  for (const item of items) {
    try {
      await item?.close();
    } catch {
      // already gone
    }
  }
}

/**
 * Registers beforeAll/afterAll for a browser test file: a private tmux server,
 * an in-process bridge on it and Chromium, all stopped afterwards (also when a
 * test failed).
 */
export function useBrowserBridge(): { tmux: TestTmux; bridge: TestBridge; browser: Browser } {
  const ctx = {} as { tmux: TestTmux; bridge: TestBridge; browser: Browser };
  beforeAll(async () => {
    ctx.tmux = new TestTmux();
    ctx.bridge = await startTestBridge(ctx.tmux);
    ctx.browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeQuietly(ctx.browser, ctx.bridge);
    await ctx.tmux?.kill();
  });
  return ctx;
}

/**
 * Adds Chromium to a fixture (`useTestBridge()`, `useAgentBridge()`, `useBridgeProcess()`):
 * launched once the fixture's servers run, closed before they stop.
 */
export function withBrowser<T extends object>(fixture: T): T & { readonly browser: Browser } {
  const ctx = fixture as T & { browser: Browser };
  beforeAll(async () => {
    ctx.browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeQuietly(ctx.browser);
  });
  return ctx;
}
