/**
 * A remote host in the browser, through a real sshd on 127.0.0.1: the session list
 * groups sessions by host with the host's connection badge, the New session dialog
 * creates one on the host, its terminal is typed into, shows the ssh attach command,
 * says "host reconnecting" while the ssh connection is down, and after the reconnect how
 * many lines the pane printed meanwhile that were not received live. A polled host is
 * listed without sessions, saying why.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startAgentBridge, writeAgentFiles, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { closeQuietly, launchBrowser, login, newPage, screenshot, terminalPanel, typeInTerminal, waitForTerminalState, waitForTerminalText } from '../helpers/browser.ts';
import { TestSshd } from '../helpers/sshd.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { CliSession } from '../../schemas/index.ts';

let tmux: TestTmux;
let remote: TestTmux;
let sshd: TestSshd;
let files: AgentFiles;
let agent: AgentBridge | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  tmux = new TestTmux();
  remote = new TestTmux();
  await remote.tmux('new-session', '-d', '-s', 'idle', 'sleep 600');
  sshd = await new TestSshd().start();
  files = writeAgentFiles(
    `approval_dir: {APPROVALS}
hosts:
  - name: farm
    ssh:
${sshd.hostYaml('      ')}
    tmux: {socket: ${remote.socketName}}
  - name: locked
    ssh:
${sshd.hostYaml('      ', { key: sshd.wrongKey })}
    tmux: {socket: ${remote.socketName}}
  - name: oldtmux
    ssh:
${sshd.hostYaml('      ')}
      live: false
    tmux: {socket: ${remote.socketName}}
`,
    // One pipeline (matching nothing here) so the dashboard shows its hosts.
    `pipelines:
  - name: noop
    match: {any_of: [{window_name: "^never$"}]}
    stages:
      - name: one
        triggers: {any_of: [{log_regex: "^NEVER$"}]}
        success_when: {any_of: [{log_regex: "^NEVER-DONE$"}]}
`,
  );
  agent = await startAgentBridge(tmux, files);
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await closeQuietly(browser);
  await agent?.close();
  await tmux?.kill();
  // The host's server: a channel of the bridge's connection still arriving may start a new one.
  await remote?.kill({ watchMs: 2000 });
  await sshd?.stop();
  removeDir(files?.dir);
});

describe('a remote session in the browser', () => {
  it('is created on the host from the dialog, typed into, and says when the host reconnects', async () => {
    const { bridge } = agent!;
    const { context, page } = await newPage(browser!);
    try {
      await login(page, bridge.url, bridge.token);
      // The host's group, with its badge; the host's own pane is listed in it.
      const group = page.locator('.host-sessions[data-host="farm"]');
      await waitFor(async () => (await group.locator('[data-host-state]').getAttribute('data-host-state').catch(() => null)) === 'connected', 'farm connected in the list', 60_000);
      await group.locator('.session-row .session-name', { hasText: 'idle' }).waitFor({ timeout: 30_000 });
      // A polled host has no sessions, and the list says why (and where its panes are).
      const polled = page.locator('.host-sessions[data-host="oldtmux"]');
      await polled.getByTestId('polled-host-note').waitFor({ timeout: 30_000 });
      expect(await polled.locator('.session-row').count()).toBe(0);
      expect(await polled.getByTestId('polled-host-note').textContent()).toMatch(/No sessions here: this host is polled .*Its panes are on the Monitor page/);
      expect(await polled.getByRole('link', { name: 'Monitor' }).getAttribute('href')).toMatch(/\/monitor$/);

      await page.getByRole('button', { name: 'New session' }).click();
      const dialog = page.getByRole('dialog', { name: 'New session' });
      await dialog.waitFor();
      await dialog.getByLabel('Host').selectOption('farm');
      await dialog.getByLabel('Name').fill('webremote');
      await dialog.getByRole('button', { name: 'Create session' }).click();
      await dialog.waitFor({ state: 'detached', timeout: 30_000 });
      await page.waitForURL(/\/sessions\/s_[A-Za-z0-9]+$/);
      const key = new URL(page.url()).pathname.split('/').pop()!;
      const panel = terminalPanel(page, key);
      await waitForTerminalState(panel, 'live', 30_000);
      await group.locator(`.session-row[data-session-key="${key}"]`).waitFor();

      // Typed in the browser, run on the remote pane.
      await typeInTerminal(panel, 'echo from-browser-$((40+2))');
      await waitForTerminalText(panel, /^from-browser-42$/m, 'the remote output', 30_000);
      const { body: session } = await bridge.api.get(`/api/cli-sessions/${key}`, CliSession);
      expect(session.host).toBe('farm');
      // The host's output client is the bridge's, not a person's: the browser sizes the pane.
      expect(session.nativeClients).toBe(0);
      expect(await page.getByText('Sized by a native tmux client').count()).toBe(0);
      expect((await remote.tmux('display-message', '-p', '-t', session.tmux.paneId, '#{pane_width}x#{pane_height}')).trim()).toBe(`${session.cols}x${session.rows}`);
      expect(await panel.locator('.size').textContent()).toBe(`${session.cols}×${session.rows}`);
      expect((await remote.tmux('capture-pane', '-p', '-t', session.tmux.paneId))).toContain('from-browser-42');
      expect(await panel.locator('.attach-command').textContent()).toBe(session.attachCommand);
      expect(session.attachCommand).toMatch(/^ssh -t -p \d+ .*tmux -L \S+ attach -t =webremote'$/);

      await screenshot(page, 'remote-session-desktop');
      // The connection drops: the terminal says the host is reconnecting, then it is back.
      const watcher = bridge.bridge.agent.engine.hostWatchers().find((w) => w.name === 'farm') as any;
      // sshd paused: the connection cannot be made again until the pane has printed.
      process.kill(sshd.pid!, 'SIGSTOP');
      try {
        process.kill(watcher.options.remote.masterPid as number, 'SIGKILL');
        await panel.getByTestId('host-banner').waitFor({ timeout: 30_000 });
        await screenshot(page, 'remote-session-host-down');
        expect(await panel.getByTestId('host-banner').textContent()).toMatch(/Host farm is (reconnecting|connecting)/);
        // Meanwhile the pane prints on the host (typed there): 12 lines and the command line.
        await remote.tmux('send-keys', '-t', session.tmux.paneId, '-l', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo unseen-$i; done');
        await remote.tmux('send-keys', '-t', session.tmux.paneId, 'Enter');
        await waitFor(async () => (await remote.tmux('capture-pane', '-p', '-t', session.tmux.paneId)).includes('unseen-12'), 'the lines on the host', 30_000);
      } finally {
        process.kill(sshd.pid!, 'SIGCONT');
      }
      await panel.getByTestId('host-banner').waitFor({ state: 'detached', timeout: 60_000 });
      // The gap is said with its size, and the redrawn screen shows what was missed.
      const gap = panel.getByTestId('gap-banner');
      await gap.waitFor({ timeout: 60_000 });
      expect(await gap.textContent()).toMatch(/While host farm was unreachable \(.+\), the pane printed 13 lines that were not received live/);
      await waitForTerminalText(panel, /^unseen-12$/m, 'the missed lines in the redrawn screen', 30_000);
      await screenshot(page, 'remote-session-gap');
      await gap.getByRole('button', { name: 'Dismiss' }).click();
      await gap.waitFor({ state: 'detached', timeout: 10_000 });
      await typeInTerminal(panel, 'echo after-$((1+2))');
      await waitForTerminalText(panel, /^after-3$/m, 'output after the reconnect', 30_000);
    } finally {
      await context.close();
    }
  }, 240_000);

  it('shows each host state on the dashboard and the config page: connected, auth failed with the reason', async () => {
    const { bridge } = agent!;
    const { context, page } = await newPage(browser!);
    try {
      await login(page, bridge.url, bridge.token, '/');
      const state = (selector: string) => page.locator(selector).getAttribute('data-host-state').catch(() => null);
      await waitFor(async () => (await state('.host-group[data-host="farm"] [data-host-state]')) === 'connected', 'farm connected on the dashboard', 60_000);
      await waitFor(async () => (await state('.host-group[data-host="locked"] [data-host-state]')) === 'auth_failed', 'locked refused on the dashboard', 60_000);
      expect(await page.locator('.host-group[data-host="locked"] .host-reason').textContent()).toMatch(/authentication failed/);
      await page.goto(new URL('config', bridge.url).toString());
      await waitFor(async () => (await state('tr[data-host="locked"] [data-host-state]')) === 'auth_failed', 'locked refused on the config page', 30_000);
      expect(await page.locator('tr[data-host="locked"] .host-reason').textContent()).toMatch(/authentication failed .*authorized_keys/);
      expect(await state('tr[data-host="farm"] [data-host-state]')).toBe('connected');
      await screenshot(page, 'config-remote-hosts');
    } finally {
      await context.close();
    }
  }, 120_000);
});
