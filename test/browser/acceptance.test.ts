import { describe, expect, it } from 'vitest';
import {
  DESKTOP,
  login,
  newPage,
  screenshot,
  terminalPanel,
  terminalRows,
  terminalText,
  typeInTerminal,
  useBrowserBridge,
  waitForTerminalState,
  waitForTerminalText,
} from '../helpers/browser.ts';
import { waitFor } from '../helpers/tmux.ts';
import { CliSession, SessionList } from '../../schemas/index.ts';

const ctx = useBrowserBridge();

describe('the web client (acceptance)', () => {
  it('logs in with the token URL, creates a session, runs a command, and a second tab shows the same screen', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/401 \(Unauthorized\)/.test(m.text()) && errors.push(m.text()));

    // Without the cookie: the login screen, not a broken app.
    await page.goto(ctx.bridge.url);
    await page.getByRole('heading', { name: 'Not logged in' }).waitFor();
    await screenshot(page, 'login-desktop');

    await login(page, ctx.bridge.url, ctx.bridge.token);
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    await waitFor(async () => (await page.getByTestId('events-state').getAttribute('data-state')) === 'live', 'events feed live');
    await screenshot(page, 'sessions-empty-desktop');

    // The form: tool, name, directory.
    await page.getByRole('button', { name: 'New session' }).click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.waitFor();
    await dialog.getByLabel('Tool').selectOption('bash');
    await dialog.getByLabel('Name').fill('accept');
    await dialog.getByLabel('Working directory').fill(ctx.tmux.dir);
    await screenshot(page, 'new-session-desktop');
    await dialog.getByRole('button', { name: 'Create session' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The URL names the session; its tab is live.
    await page.waitForURL(/\/sessions\/s_[A-Za-z0-9]+$/);
    const key = new URL(page.url()).pathname.split('/').pop()!;
    const panel = terminalPanel(page, key);
    await waitForTerminalState(panel, 'live');
    expect(await page.locator(`.session-row[data-session-key="${key}"] .session-name`).textContent()).toBe('accept');
    expect(await page.locator(`.session-row[data-session-key="${key}"] [data-status]`).getAttribute('data-status')).toBe('running');

    // Keyboard users land in the terminal; F6 leaves it (Tab belongs to the program).
    const focused = () => page.evaluate(() => document.activeElement?.className ?? '');
    await waitFor(async () => (await focused()).includes('xterm-helper-textarea'), 'focus in the new terminal');
    await page.keyboard.press('F6');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Copy the attach command');

    // Typed with the keyboard into xterm, echoed by the real shell, rendered by xterm.
    await typeInTerminal(panel, 'echo hello-from-browser');
    const screen = await waitForTerminalText(panel, /^hello-from-browser$/m, 'the command output');
    expect(screen).toContain('echo hello-from-browser');
    const { body: session } = await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession);
    expect(await ctx.tmux.capture(session.tmux.paneId)).toContain('hello-from-browser');

    // The xterm is exactly the pane's size, and the pane was fitted to this window.
    const size = await panel.locator('.size').textContent();
    expect(size).toBe(`${session.cols}×${session.rows}`);
    expect(`${session.cols}x${session.rows}`).not.toBe('120x30'); // the default size was replaced by the fitted one
    const xtermRows = (await terminalRows(panel)).length;
    expect(xtermRows).toBe(session.rows);

    // The attach command, with a working copy button.
    expect(await panel.locator('.attach-command').textContent()).toBe(session.attachCommand);
    await panel.getByRole('button', { name: 'Copy the attach command' }).click();
    await waitFor(async () => (await panel.getByRole('button', { name: 'Copy the attach command' }).textContent()) === 'Copied', 'copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(session.attachCommand);
    await screenshot(page, 'terminal-desktop');

    // A second ctx.browser tab (same cookie) on the same session sees the same screen.
    const second = await context.newPage();
    await second.goto(new URL(`sessions/${key}`, ctx.bridge.url).toString());
    const panel2 = terminalPanel(second, key);
    await waitForTerminalState(panel2, 'live');
    await waitForTerminalText(panel2, /^hello-from-browser$/m, 'the output in the second tab');
    await waitFor(async () => JSON.stringify(await terminalRows(panel)) === JSON.stringify(await terminalRows(panel2)), 'identical screens', 10_000);

    // And it is live: output typed in the second tab appears in the first.
    await typeInTerminal(panel2, 'echo second-$((6*7))');
    await waitForTerminalText(panel2, /^second-42$/m);
    await waitForTerminalText(panel, /^second-42$/m);
    await waitFor(async () => JSON.stringify(await terminalRows(panel)) === JSON.stringify(await terminalRows(panel2)), 'identical screens again', 10_000);
    await screenshot(second, 'terminal-second-tab-desktop');

    // Dark theme: the toggle switches app and terminal.
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.waitForTimeout(200);
    await screenshot(page, 'terminal-dark-desktop');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();

    expect(errors).toEqual([]);
    await context.close();
  });

  it('a flood of output reaches its end: xterm parse callbacks ack, so the server never stalls', async () => {
    const { body: session } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'flood', tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    const hellos: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => typeof f.payload === 'string' && f.payload.includes('"hello"') && hellos.push(f.payload)));
    await login(page, ctx.bridge.url, ctx.bridge.token);
    await page.goto(new URL(`sessions/${session.sessionKey}`, ctx.bridge.url).toString());
    const panel = terminalPanel(page, session.sessionKey);
    await waitForTerminalState(panel, 'live');
    // Let the first fit settle (its resize redraws with a fresh screen), so the flood goes through the stream.
    await waitFor(() => hellos.length === 2, 'the fresh screen after the first fit');
    // ~2.3 MB: far beyond the 512 KB the server sends without acks.
    await typeInTerminal(panel, 'seq 1 350000; echo flood-$((40+2))-done');
    await waitForTerminalText(panel, /^flood-42-done$/m, 'the end of the flood', 30_000);
    expect(await terminalText(panel)).toContain('350000');
    // Still interactive afterwards.
    await typeInTerminal(panel, 'echo after-flood');
    await waitForTerminalText(panel, /^after-flood$/m);
    await context.close();
  });

  it('shows the server’s validation errors at their fields', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.bridge.url, ctx.bridge.token);
    await page.getByRole('button', { name: 'New session' }).click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Name').fill('bad.name');
    await dialog.getByLabel('Working directory').fill('/no/such/dir');
    await dialog.getByRole('button', { name: 'Create session' }).click();
    const nameError = dialog.locator('#new-name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toMatch(/letters, digits/);
    expect(await dialog.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByRole('alert').textContent()).toMatch(/correct the marked field/);
    // Focus goes to the first field to fix.
    await waitFor(() => page.evaluate(() => document.activeElement?.getAttribute('name') === 'name'), 'focus on the name field');

    // Fixed name, bad directory: the directory's own message.
    await dialog.getByLabel('Name').fill('good-name');
    await dialog.getByRole('button', { name: 'Create session' }).click();
    await waitFor(async () => (await dialog.locator('#new-workingDir-error').count()) === 1, 'directory error');
    expect(await dialog.locator('#new-workingDir-error').textContent()).toMatch(/not a directory/);
    expect(await dialog.locator('#new-name-error').count()).toBe(0);

    // custom without a command.
    await dialog.getByLabel('Tool').selectOption('custom');
    await dialog.getByLabel('Working directory').fill(ctx.tmux.dir);
    await dialog.getByRole('button', { name: 'Create session' }).click();
    await waitFor(async () => (await dialog.locator('#new-shell-error').count()) === 1, 'command error');
    await screenshot(page, 'new-session-errors-desktop');

    // Escape closes the dialog and nothing was created.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const { body } = await ctx.bridge.api.get('/api/cli-sessions', SessionList);
    expect(body.sessions.map((s: { name: string }) => s.name)).not.toContain('good-name');
    await context.close();
  });

  it('in Chinese the same field errors are worded from their codes, not the server\'s English', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP, undefined, { locale: 'zh-CN' });
    await login(page, ctx.bridge.url, ctx.bridge.token);
    await page.getByRole('button', { name: '新建会话' }).first().click();
    const dialog = page.getByRole('dialog', { name: '新建会话' });
    await dialog.getByLabel('名称').fill('bad.name');
    await dialog.getByRole('button', { name: '创建会话' }).click();
    const nameError = dialog.locator('#new-name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toBe('以字母、数字、_开头，之后只能使用字母、数字、空格、_ + @ -');
    await screenshot(page, 'new-session-errors-zh-desktop');
    await context.close();
  });
});
