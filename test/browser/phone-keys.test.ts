import { describe, expect, it } from 'vitest';
import { login, newPage, PHONE, screenshot, terminalPanel, typeInTerminal, useBrowserBridge, waitForTerminalState, waitForTerminalText } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { CliSession } from '../../schemas/index.ts';

const ctx = useBrowserBridge();
const LIMIT = 45_000;

describe('a phone (390×844)', () => {
  it('extra keys send arrows and a sticky Ctrl-C; font buttons; approvals in one tap; installable', async () => {
    const { context, page } = await newPage(ctx.browser, PHONE);
    await context.grantPermissions(['notifications']);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'keys', tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
    expect(status).toBe(201);
    await page.goto(new URL(`sessions/${body.sessionKey}`, ctx.bridge.url).toString());
    const panel = terminalPanel(page, body.sessionKey);
    await waitForTerminalState(panel, 'live', LIMIT);
    const keys = panel.getByTestId('extra-keys');
    await keys.waitFor();
    // The row sits at the bottom of the screen, under the terminal.
    const row = (await keys.boundingBox())!;
    const screen = (await panel.locator('.term-frame').boundingBox())!;
    expect(row.y).toBeGreaterThanOrEqual(screen.y + screen.height - 1);
    expect(row.y + row.height).toBeLessThanOrEqual(PHONE.height + 1);

    // Arrows: cat -v shows what it receives.
    await typeInTerminal(panel, 'cat -v');
    await waitForTerminalText(panel, 'cat -v\n', 'cat running', LIMIT);
    await keys.locator('[data-key="up"]').tap();
    await keys.locator('[data-key="left"]').tap();
    await keys.locator('[data-key="|"]').tap();
    await page.keyboard.press('Enter');
    await waitForTerminalText(panel, '^[[A^[[D|', 'arrows and | reached the program', LIMIT);

    // Ctrl is sticky: tap it, then the keyboard's c sends ^C (cat ends with 130).
    const ctrl = keys.locator('[data-key="ctrl"]');
    await ctrl.tap();
    expect(await ctrl.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.type('c');
    await waitFor(async () => (await ctrl.getAttribute('aria-pressed')) === 'false', 'Ctrl released after one key', LIMIT);
    await typeInTerminal(panel, 'echo rc-$?');
    await waitForTerminalText(panel, 'rc-130', 'cat interrupted by the sticky Ctrl', LIMIT);
    await screenshot(page, 'terminal-extra-keys-phone');

    // Font size buttons: bigger text, fewer columns fit.
    const fontSize = () =>
      page.evaluate((k) => (window as unknown as { tmuxBridge: { tabs: { get(key: string): { view: { term: { options: { fontSize: number } } } } } } }).tmuxBridge.tabs.get(k).view.term.options.fontSize, body.sessionKey);
    const before = await fontSize();
    const cols = async () => (await ctx.bridge.api.get(`/api/cli-sessions/${body.sessionKey}`, CliSession)).body.cols as number;
    const wide = await cols();
    await keys.getByRole('button', { name: 'Larger text' }).tap();
    await keys.getByRole('button', { name: 'Larger text' }).tap();
    await waitFor(async () => (await fontSize()) === before + 2, 'font size grew', LIMIT);
    await waitFor(async () => (await cols()) < wide, 'fewer columns at the larger size', LIMIT);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('tb.terminal')))!).fontSize).toBe(before + 2);

    // A two-finger pinch on the terminal shrinks the text again.
    const frame = (await panel.locator('.xterm-screen').boundingBox())!;
    const cx = frame.x + frame.width / 2;
    const cy = frame.y + 120;
    const cdp = await context.newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', spread: number) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: type === 'touchEnd' ? [] : [{ x: cx - spread, y: cy, id: 1 }, { x: cx + spread, y: cy, id: 2 }],
      });
    await touch('touchStart', 120);
    for (const spread of [100, 80, 60]) await touch('touchMove', spread);
    await touch('touchEnd', 0);
    await waitFor(async () => (await fontSize()) < before + 2, 'pinch made the text smaller', LIMIT);

    // The approval center is one tap away; notifications can be turned on there.
    await page.getByTestId('approvals-shortcut').tap();
    await page.waitForURL(/\/approvals$/);
    const toggle = page.getByTestId('notify-toggle');
    await toggle.tap();
    await waitFor(async () => (await toggle.getAttribute('data-state')) === 'on', 'notifications on', LIMIT);

    // Installable: a manifest with icons the server hands out without a login.
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    const anonymous = await ctx.browser.newContext();
    const manifest = await anonymous.request.get(new URL(manifestHref!.replace(/^\//, ''), ctx.bridge.url).toString());
    expect(manifest.status()).toBe(200);
    const json = await manifest.json();
    expect(json.display).toBe('standalone');
    const sizes = json.icons.map((icon: { sizes: string }) => icon.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of json.icons as Array<{ src: string }>) {
      const response = await anonymous.request.get(new URL(icon.src, manifest.url()).toString());
      expect(response.status(), icon.src).toBe(200);
      expect(response.headers()['content-type']).toBe('image/png');
    }
    await anonymous.close();
    await context.close();
  });
});
