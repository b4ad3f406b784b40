import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, login, newPage, terminalPanel, terminalRows, typeInTerminal, useBrowserBridge, waitForTerminalState, waitForTerminalText } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { CliSession } from '../../schemas/index.ts';

const ctx = useBrowserBridge();
const LIMIT = 45_000;

async function openSession(page: Page, name: string): Promise<{ key: string; panel: Locator }> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  await page.goto(new URL(`sessions/${body.sessionKey}`, ctx.bridge.url).toString());
  const panel = terminalPanel(page, body.sessionKey);
  await waitForTerminalState(panel, 'live', LIMIT);
  // The first keystroke makes this tab size the pane, and the resize redraws the screen from
  // tmux: take the size before the checks, so what they print arrives as a plain stream.
  await typeInTerminal(panel, 'echo sized-$((40+2))');
  await waitForTerminalText(panel, 'sized-42', 'the first command after taking the size', LIMIT);
  return { key: body.sessionKey, panel };
}

const readClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());
const writeClipboard = (page: Page, text: string) => page.evaluate((t) => navigator.clipboard.writeText(t), text);

/** The page's xterm of a session (window.tmuxBridge, see client/main.tsx). */
const termState = (page: Page, key: string) =>
  page.evaluate((k) => {
    type T = { getSelection(): string; buffer: { active: { viewportY: number; baseY: number } }; cols: number };
    const tabs = (window as unknown as { tmuxBridge: { tabs: { get(key: string): { view: { term: T } } } } }).tmuxBridge.tabs;
    const term = tabs.get(k).view.term;
    return { selection: term.getSelection(), viewportY: term.buffer.active.viewportY, baseY: term.buffer.active.baseY, cols: term.cols };
  }, key);

/** The centre of the n-th character of the row that shows `text`, in page coordinates. */
async function pointAt(page: Page, panel: Locator, key: string, text: string, charIndex: number): Promise<{ x: number; y: number }> {
  const rows = await terminalRows(panel);
  const row = rows.findIndex((r) => r.includes(text));
  expect(row, `a row shows ${text}`).toBeGreaterThanOrEqual(0);
  const box = (await panel.locator('.xterm-rows > div').nth(row).boundingBox())!;
  const screen = (await panel.locator('.xterm-screen').boundingBox())!;
  const cellWidth = screen.width / (await termState(page, key)).cols;
  const column = rows[row]!.indexOf(text) + charIndex;
  return { x: screen.x + cellWidth * (column + 0.5), y: box.y + box.height / 2 };
}

describe('clipboard like a desktop terminal', () => {
  it('copies on select, pastes with Ctrl+Shift+V (bracketed when asked), right click menu, ? help', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    const { key, panel } = await openSession(page, 'clip');

    // Copy on select (on by default): double-click selects a word, releasing the mouse copies it.
    await typeInTerminal(panel, "printf 'copy-%s\\n' me-123");
    await waitForTerminalText(panel, /^copy-me-123$/m, 'printed word', LIMIT);
    await writeClipboard(page, 'before');
    const word = await pointAt(page, panel, key, 'copy-me-123', 2);
    await page.mouse.dblclick(word.x, word.y);
    await waitFor(async () => (await readClipboard(page)) === 'copy-me-123', 'selection on the clipboard', LIMIT);
    await panel.locator('[data-testid="terminal-notice"][data-notice="copied"]').waitFor();

    // Ctrl+Shift+V pastes; with bracketed paste on (\e[?2004h) the program sees the brackets.
    await typeInTerminal(panel, "printf '\\e[?2004h'; cat -v");
    await waitForTerminalText(panel, "cat -v\n", 'cat running', LIMIT);
    await writeClipboard(page, 'pasted-text');
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await waitForTerminalText(panel, '^[[200~pasted-text^[[201~', 'bracketed paste', LIMIT);
    await page.keyboard.press('Control+C');
    await typeInTerminal(panel, "printf '\\e[?2004l'; echo done-$((6*7))");
    await waitForTerminalText(panel, 'done-42', 'shell back', LIMIT);

    // Ctrl+Shift+C copies the selection (copy on select off, so only the key copies).
    await page.evaluate(() => localStorage.setItem('tb.terminal', JSON.stringify({ copyOnSelect: false })));
    await page.reload();
    await waitForTerminalState(panel, 'live', LIMIT);
    await waitForTerminalText(panel, 'done-42', 'history after reload', LIMIT);
    await writeClipboard(page, 'untouched');
    const done = await pointAt(page, panel, key, 'done-42', 1);
    await page.mouse.dblclick(done.x, done.y);
    await page.waitForTimeout(500);
    expect(await readClipboard(page), 'copy on select is off').toBe('untouched');
    await page.keyboard.press('Control+Shift+C');
    await waitFor(async () => (await readClipboard(page)) === 'done-42', 'Ctrl+Shift+C copied', LIMIT);

    // Right click: the terminal's menu; its Paste types the clipboard.
    await writeClipboard(page, 'echo menu-$((2+3))');
    await panel.locator('.xterm-screen').click({ button: 'right' });
    const menu = page.getByTestId('terminal-menu');
    await menu.waitFor();
    await menu.getByRole('menuitem', { name: /Paste/ }).click();
    await expect.poll(() => menu.count()).toBe(0);
    await waitForTerminalText(panel, 'echo menu-$((2+3))', 'menu paste typed', LIMIT);
    await page.keyboard.press('Enter');
    await waitForTerminalText(panel, 'menu-5', 'menu paste ran', LIMIT);

    // `?` outside the terminal opens the keys help; inside, `?` goes to the program.
    await page.locator('.terminal-name').click();
    await page.keyboard.press('?');
    const help = page.getByTestId('keys-help');
    await help.waitFor();
    expect(await help.textContent()).toContain('Ctrl+Shift+C');
    expect(await help.textContent()).toContain('Ctrl+Shift+V');
    expect(await help.textContent()).toContain('F6');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
    await context.close();
  });

  it('OSC 52 from a program reaches the clipboard only when allowed', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    const { panel } = await openSession(page, 'osc');
    await writeClipboard(page, 'mine');
    // b3NjLXRleHQ= is base64 for "osc-text".
    const osc = "printf '\\e]52;c;b3NjLXRleHQ=\\a'; echo sent-$((1+1))";

    await typeInTerminal(panel, osc);
    await waitForTerminalText(panel, 'sent-2', 'osc sent', LIMIT);
    await panel.locator('[data-testid="terminal-notice"][data-notice="oscBlocked"]').waitFor({ timeout: LIMIT });
    expect(await readClipboard(page), 'OSC 52 is off by default').toBe('mine');

    await panel.getByTestId('toolbar-more').click();
    await panel.getByTestId('settings-button').click();
    const dialog = page.locator('dialog.term-settings');
    await dialog.waitFor();
    await dialog.locator('input[name="osc52"]').check();
    // No hardware WebGL in headless Chromium (--disable-gpu): the DOM renderer draws.
    expect(await dialog.getByTestId('renderer').getAttribute('data-renderer')).toBe('dom');
    await dialog.getByRole('button', { name: 'Done' }).click();

    await typeInTerminal(panel, osc.replace('sent-', 'again-'));
    await waitFor(async () => (await readClipboard(page)) === 'osc-text', 'OSC 52 text on the clipboard', LIMIT);
    await context.close();
  });

  it('finds a line in the scrollback; the leave key is configurable', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    const { key, panel } = await openSession(page, 'find');
    await typeInTerminal(panel, "printf 'needle-%s\\n' abc; seq 1 150");
    // The shell's prompt after the last number: nothing more is on its way to the terminal.
    await waitForTerminalText(panel, /^150\n.*[$#] *$/m, 'seq done and the prompt back', LIMIT);
    const before = await termState(page, key);
    expect((await terminalRows(panel)).join('\n')).not.toContain('needle-abc');

    await page.keyboard.press('Control+Shift+F');
    const bar = page.getByTestId('find-bar');
    await bar.getByRole('searchbox').fill('needle-abc');
    // Typing searches at once; should anything have cleared the selection since (a busy
    // machine redrawing the terminal), Enter searches again, as a user would press it.
    await waitFor(
      async () => {
        if ((await termState(page, key)).selection === 'needle-abc') return true;
        await bar.getByRole('searchbox').press('Enter');
        return false;
      },
      'match selected',
      LIMIT,
      250,
    );
    const after = await termState(page, key);
    expect(after.viewportY).toBeLessThan(before.baseY);
    // The match is in the rows the viewport now shows (read from xterm's buffer: the DOM rows follow a frame later).
    const shown = await page.evaluate((k) => {
      type Line = { translateToString(trim: boolean): string };
      type T = { rows: number; buffer: { active: { viewportY: number; getLine(y: number): Line | undefined } } };
      const term = (window as unknown as { tmuxBridge: { tabs: { get(key: string): { view: { term: T } } } } }).tmuxBridge.tabs.get(k).view.term;
      const out: string[] = [];
      for (let y = term.buffer.active.viewportY; y < term.buffer.active.viewportY + term.rows; y++) out.push(term.buffer.active.getLine(y)?.translateToString(true) ?? '');
      return out.join('\n');
    }, key);
    expect(shown).toContain('needle-abc');
    await bar.getByRole('searchbox').press('Escape');
    await expect.poll(() => bar.count()).toBe(0);

    // F7 instead of F6: F7 leaves the terminal, F6 goes to the program.
    await panel.getByTestId('toolbar-more').click();
    await panel.getByTestId('settings-button').click();
    const dialog = page.locator('dialog.term-settings');
    await dialog.locator('select[name="leaveKey"]').selectOption('F7');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await panel.locator('.xterm').click();
    await page.keyboard.press('F6');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea'))).toBe(true);
    await page.keyboard.press('F7');
    await waitFor(() => page.evaluate(() => document.activeElement?.hasAttribute('data-focus-from-terminal')), 'focus left the terminal', LIMIT);
    await context.close();
  });
});
