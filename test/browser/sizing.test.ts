import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { DESKTOP, closeQuietly, launchBrowser, login, newPage, screenshot, terminalPanel, terminalRows, waitForTerminalState } from '../helpers/browser.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { CliSession, SessionList } from '../../schemas/index.ts';

let tmux: TestTmux;
/** A second tmux server whose pane runs a real `tmux attach` (a native client). */
let outer: TestTmux;
let bridge: TestBridge;
let browser: Browser;

beforeAll(async () => {
  tmux = new TestTmux();
  outer = new TestTmux();
  bridge = await startTestBridge(tmux);
  browser = await launchBrowser();
});

afterAll(async () => {
  await closeQuietly(browser, bridge);
  await outer?.kill();
  await tmux?.kill();
});

async function createSession(name: string): Promise<{ sessionKey: string; tmux: { paneId: string } }> {
  const { status, body } = await bridge.api.post('/api/cli-sessions', { name, tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body;
}

const paneSize = (paneId: string) => tmux.tmux('display', '-p', '-t', paneId, '#{pane_width}x#{pane_height}');

/** What the page would ask for right now (the client's own fit computation). */
const fittedSize = (page: Page, key: string) =>
  page.evaluate((k) => {
    const services = (window as unknown as { tmuxBridge: { tabs: { get(key: string): { measure(): { cols: number; rows: number } | undefined } | undefined } } }).tmuxBridge;
    const size = services.tabs.get(k)?.measure();
    return size ? `${size.cols}x${size.rows}` : undefined;
  }, key);

/** Nothing changes for a while (a wish would land within the debounce plus a round trip). */
async function stays(check: () => Promise<string>, expected: string, ms = 1200): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    expect(await check()).toBe(expected);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sizing policy in the browser', () => {
  it('only the visible, active tab with a non-zero container resizes its pane', async () => {
    const a = await createSession('size-a');
    const b = await createSession('size-b');
    const { context, page } = await newPage(browser, DESKTOP);
    await login(page, bridge.url, bridge.token);

    // Open b, then a: both tabs have a socket, a is active.
    await page.goto(new URL(`sessions/${b.sessionKey}`, bridge.url).toString());
    await waitForTerminalState(terminalPanel(page, b.sessionKey), 'live');
    await page.locator(`.session-row[data-session-key="${a.sessionKey}"] .session-link`).click();
    await waitForTerminalState(terminalPanel(page, a.sessionKey), 'live');
    const fitA = (await fittedSize(page, a.sessionKey))!;
    await waitFor(async () => (await paneSize(a.tmux.paneId)) === fitA, `a fitted to ${fitA}`);
    const sizeB = await paneSize(b.tmux.paneId);

    // A smaller window: the active tab follows, the inactive one does not.
    await page.setViewportSize({ width: 1000, height: 600 });
    await waitFor(async () => (await paneSize(a.tmux.paneId)) !== fitA, 'a resized');
    const fitA2 = (await fittedSize(page, a.sessionKey))!;
    await waitFor(async () => (await paneSize(a.tmux.paneId)) === fitA2, `a fitted to ${fitA2}`);
    expect(await paneSize(b.tmux.paneId)).toBe(sizeB);
    // xterm is exactly the pane's size.
    expect((await terminalRows(terminalPanel(page, a.sessionKey))).length).toBe(Number(fitA2.split('x')[1]));

    // Hidden page (another browser tab in front): no wish, whatever happens to the window.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.setViewportSize({ width: 800, height: 500 });
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await stays(() => paneSize(a.tmux.paneId), fitA2);
    // Visible again: it catches up.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const fitA3 = (await fittedSize(page, a.sessionKey))!;
    expect(fitA3).not.toBe(fitA2);
    await waitFor(async () => (await paneSize(a.tmux.paneId)) === fitA3, `a fitted to ${fitA3}`);

    // A zero-size container never asks (e.g. collapsed by the layout).
    await page.addStyleTag({ content: '.term-frame { flex: none !important; height: 0 !important; }' });
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    expect(await fittedSize(page, a.sessionKey)).toBeUndefined();
    await stays(() => paneSize(a.tmux.paneId), fitA3);
    expect(await paneSize(b.tmux.paneId)).toBe(sizeB);
    await context.close();
  });

  it('a native tmux client keeps its size; the browser follows it and says so', async () => {
    const s = await createSession('shared');
    const { context, page } = await newPage(browser, DESKTOP);
    await login(page, bridge.url, bridge.token);
    await page.goto(new URL(`sessions/${s.sessionKey}`, bridge.url).toString());
    const panel = terminalPanel(page, s.sessionKey);
    await waitForTerminalState(panel, 'live');
    const fit = (await fittedSize(page, s.sessionKey))!;
    await waitFor(async () => (await paneSize(s.tmux.paneId)) === fit, 'browser size first');

    // A real tmux client in a 100x30 terminal attaches.
    await outer.tmux('new-session', '-d', '-s', 'term', '-x', '100', '-y', '30', `env -u TMUX tmux -L ${tmux.socketName} attach -t =shared`);
    await waitFor(async () => (await paneSize(s.tmux.paneId)) === '100x29', 'native size applied');
    const hint = panel.getByTestId('native-size-hint');
    await hint.waitFor();
    expect(await hint.textContent()).toContain('100×29');
    expect(await panel.locator('.size').textContent()).toBe('100×29');
    await waitFor(async () => (await terminalRows(panel)).length === 29, 'xterm has the pane’s 29 rows');

    // The browser window changes: the pane keeps the native size.
    await page.setViewportSize({ width: 1100, height: 700 });
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await stays(() => paneSize(s.tmux.paneId), '100x29');
    expect(await panel.locator('.size').textContent()).toBe('100×29');
    await screenshot(page, 'terminal-native-client-desktop');

    // Typing from the native side shows in the browser.
    await outer.tmux('send-keys', '-t', 'term', 'echo native-$((2+3))', 'Enter');
    await waitFor(async () => (await terminalRows(panel)).includes('native-5'), 'native output in the browser');

    // The native client leaves: the browser's next wish sizes the pane again.
    await outer.tmux('kill-session', '-t', 'term');
    // (Each focus restarts the client's 120 ms debounce: give every try time to land.)
    await waitFor(
      async () => {
        await page.evaluate(() => window.dispatchEvent(new Event('focus')));
        await new Promise((r) => setTimeout(r, 400));
        return (await paneSize(s.tmux.paneId)) === (await fittedSize(page, s.sessionKey));
      },
      'browser size again',
      15_000,
    );
    await waitFor(async () => (await panel.getByTestId('native-size-hint').count()) === 0, 'hint gone');
    await context.close();
  });

  it('viewing an adopted 80×24 session leaves it 80×24; Fit or typing takes the size', async () => {
    await tmux.tmux('new-session', '-d', '-s', 'adopt-80', '-x', '80', '-y', '24', 'bash --norc --noprofile -i');
    const paneId = (await tmux.tmux('display', '-p', '-t', 'adopt-80', '#{pane_id}')).trim();
    const key = await waitFor(async () => {
      const { body } = await bridge.api.get('/api/cli-sessions', SessionList);
      const found = (body.sessions ?? body).find?.((s: { name: string; adopted: boolean }) => s.name === 'adopt-80' && s.adopted);
      return found?.sessionKey as string | undefined;
    }, 'the native session adopted');
    const { context, page } = await newPage(browser, DESKTOP);
    await login(page, bridge.url, bridge.token);
    await page.goto(new URL(`sessions/${key}`, bridge.url).toString());
    const panel = terminalPanel(page, key);
    await waitForTerminalState(panel, 'live');
    const fit = (await fittedSize(page, key))!;
    expect(fit).not.toBe('80x24');
    // Viewing, focusing the window, resizing it: the pane keeps its size, and the UI says who decides.
    await stays(() => paneSize(paneId), '80x24');
    await page.setViewportSize({ width: 1200, height: 760 });
    await stays(() => paneSize(paneId), '80x24');
    expect(await panel.getByTestId('terminal-size').getAttribute('data-owner')).toBe('other');
    expect(await panel.getByTestId('terminal-size').textContent()).toBe('80×24');
    await screenshot(page, 'sizing-adopted-viewed-desktop');

    // "Fit" takes the size.
    await panel.getByTestId('fit-button').click();
    const fit2 = (await fittedSize(page, key))!;
    await waitFor(async () => (await paneSize(paneId)) === fit2, `fitted to ${fit2}`);
    await waitFor(async () => (await panel.getByTestId('terminal-size').getAttribute('data-owner')) === 'this', 'this window decides');
    expect(await panel.getByTestId('fit-button').count()).toBe(0);

    // Typing in a second view of it takes the size too.
    const second = await newPage(browser, { width: 900, height: 600 });
    await login(second.page, bridge.url, bridge.token);
    await second.page.goto(new URL(`sessions/${key}`, bridge.url).toString());
    const panel2 = terminalPanel(second.page, key);
    await waitForTerminalState(panel2, 'live');
    await stays(() => paneSize(paneId), fit2);
    expect(await panel2.getByTestId('terminal-size').getAttribute('data-owner')).toBe('other');
    await panel2.locator('.xterm').click();
    await second.page.keyboard.type('echo typed');
    const fit3 = (await fittedSize(second.page, key))!;
    await waitFor(async () => (await paneSize(paneId)) === fit3, `typing took the size (${fit3})`);
    await second.context.close();
    await context.close();
  });
});
