import { describe, expect, it } from 'vitest';
import { useBridgeProcess } from '../helpers/bridge.ts';
import {
  DESKTOP,
  freePort,
  login,
  newPage,
  screenshot,
  terminalPanel,
  typeInTerminal,
  waitForTerminalState,
  waitForTerminalText,
  withBrowser,
} from '../helpers/browser.ts';
import { waitFor } from '../helpers/tmux.ts';
import { CliSession } from '../../schemas/index.ts';

// A fixed port, so the page's URLs stay valid across the restart.
const ctx = withBrowser(useBridgeProcess(async () => ['--port', String(await freePort())]));

describe('server restarts under an open browser tab', () => {
  it('SIGKILL and restart on the same port: the tab reconnects by itself and typing continues', async () => {
    const { body: session } = await ctx.server.api.post('/api/cli-sessions', {
      name: 'survivor',
      tool: 'custom',
      shell: 'bash --norc --noprofile -i',
      workingDir: ctx.tmux.dir,
    }, CliSession);
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    await login(page, ctx.server.url, ctx.server.token);
    await page.goto(new URL(`sessions/${session.sessionKey}`, ctx.server.url).toString());
    const panel = terminalPanel(page, session.sessionKey);
    await waitForTerminalState(panel, 'live');
    await typeInTerminal(panel, 'echo before-$((3*3))');
    await waitForTerminalText(panel, /^before-9$/m);

    await ctx.server.kill9();
    await waitForTerminalState(panel, 'reconnecting');
    await waitFor(async () => (await page.getByTestId('events-state').getAttribute('data-state')) === 'reconnecting', 'events feed reconnecting');
    expect(await panel.getByRole('button', { name: 'Retry now' }).isVisible()).toBe(true);
    await screenshot(page, 'terminal-reconnecting-desktop');
    // The session outlives the server.
    expect(await ctx.tmux.listPanes()).toContain(`survivor ${session.tmux.paneId}`);
    // Output while nobody streams it: it must show up after the restart (fresh screen from tmux).
    await ctx.tmux.tmux('send-keys', '-t', session.tmux.paneId, 'echo while-down-$((5*5))', 'Enter');

    await ctx.server.start();
    await waitForTerminalState(panel, 'live', 20_000);
    await waitFor(async () => (await page.getByTestId('events-state').getAttribute('data-state')) === 'live', 'events feed live again', 20_000);
    await waitForTerminalText(panel, /^while-down-25$/m);
    // Still the earlier output on screen, and no banner left.
    await waitForTerminalText(panel, /^before-9$/m);
    expect(await panel.getByRole('button', { name: 'Retry now' }).count()).toBe(0);

    // Typing goes to the same pane through the new server.
    await typeInTerminal(panel, 'echo after-$((4*4))');
    await waitForTerminalText(panel, /^after-16$/m);
    expect(await ctx.tmux.capture(session.tmux.paneId)).toContain('after-16');

    // The list refetched from the new server: still running, not duplicated.
    await waitFor(async () => (await page.locator(`.session-row[data-session-key="${session.sessionKey}"]`).count()) === 1, 'one row');
    expect(await page.locator(`.session-row[data-session-key="${session.sessionKey}"] [data-status]`).getAttribute('data-status')).toBe('running');
    await screenshot(page, 'terminal-after-restart-desktop');

    // A session created through the new server shows up live (the events feed works again).
    const { body: other } = await ctx.server.api.post('/api/cli-sessions', { name: 'after-restart', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
    await page.locator(`.session-row[data-session-key="${other.sessionKey}"]`).waitFor();
    await context.close();
  });
});
