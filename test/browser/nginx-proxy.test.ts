import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSession, Issue } from '../../schemas/index.ts';
import { makeApi, startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { closeQuietly, freePort, launchBrowser, newPage, screenshot, terminalPanel, typeInTerminal, waitForTerminalText } from '../helpers/browser.ts';
import { TestNginx } from '../helpers/nginx.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';

/**
 * The deployment path of docs/deploy.md on one machine: Debian's nginx with the
 * location block of deploy/nginx-tmux-bridge.conf, tmux-bridge on loopback under
 * /tmux/ with --trust-proxy, and Chromium talking only to nginx.
 */
const ctx = {} as { tmux: TestTmux; bridge: TestBridge; nginx: TestNginx; browser: Browser; publicUrl: string };

beforeAll(async () => {
  ctx.tmux = new TestTmux();
  const nginxPort = await freePort();
  ctx.publicUrl = `http://127.0.0.1:${nginxPort}/tmux/`;
  ctx.bridge = await startTestBridge(ctx.tmux, { basePath: '/tmux/', trustProxy: true, publicUrl: ctx.publicUrl });
  ctx.nginx = new TestNginx(nginxPort, ctx.bridge.bridge.port);
  await ctx.nginx.start();
  ctx.browser = await launchBrowser();
});

afterAll(async () => {
  await closeQuietly(ctx.browser);
  await ctx.nginx?.stop();
  await closeQuietly(ctx.bridge);
  await ctx.tmux?.kill();
});

const viaProxy = makeApi(() => ({ url: ctx.publicUrl, token: ctx.bridge.token }));

describe('behind nginx under /tmux/', () => {
  it('logs in, drives a terminal over the proxied WebSocket and shows the board', async () => {
    expect(ctx.bridge.bridge.loginUrl.startsWith(`${ctx.publicUrl}login?token=`)).toBe(true);
    const health = await fetch(`${ctx.publicUrl}healthz`);
    expect(health.status).toBe(200);

    const { context, page } = await newPage(ctx.browser);
    try {
      // The printed login URL, through nginx: lands on the dashboard under the base path.
      await page.goto(ctx.bridge.bridge.loginUrl);
      await page.waitForURL((url) => url.pathname === '/tmux/');
      const cookies = await context.cookies(ctx.publicUrl);
      expect(cookies.find((c) => c.path === '/tmux')?.httpOnly).toBe(true);
      expect(await page.locator('a.brand').getAttribute('href')).toBe('/tmux/');

      // A terminal: created through the proxied API, typed into through the proxied WebSocket.
      const created = await viaProxy.post('/api/cli-sessions', { name: 'behind-nginx', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir, tool: 'bash' }, CliSession);
      expect(created.status).toBe(201);
      const key = created.body.sessionKey as string;
      await page.goto(`${ctx.publicUrl}sessions/${key}`);
      const panel = terminalPanel(page, key);
      await panel.locator('.xterm-rows').waitFor();
      await typeInTerminal(panel, 'echo via-nginx-$((6*7))');
      await waitForTerminalText(panel, 'via-nginx-42');
      expect(await ctx.tmux.capture(created.body.tmux.paneId)).toContain('via-nginx-42');
      await screenshot(page, 'nginx-terminal');

      // The board: an issue made through the proxy shows up on the board page under /tmux/issues.
      const issue = await viaProxy.post('/api/issues', { title: 'Reached through nginx' }, Issue);
      expect(issue.status).toBe(201);
      await page.goto(`${ctx.publicUrl}issues`);
      await page.locator('[data-testid="issue-board"]').waitFor();
      await page.locator(`.issue-card[data-issue-id="${issue.body.id}"]`).waitFor();
      expect(await page.locator(`.issue-card[data-issue-id="${issue.body.id}"]`).textContent()).toContain('Reached through nginx');
      await screenshot(page, 'nginx-board');

      // In-app navigation keeps the prefix (history API under the base path).
      await page.locator('a.brand').click();
      await waitFor(() => new URL(page.url()).pathname === '/tmux/', 'dashboard after clicking the brand link');
    } finally {
      await closeQuietly(context);
    }
  });
});
