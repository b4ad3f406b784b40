import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { closeQuietly, DESKTOP, hasHorizontalScroll, launchBrowser, login, newPage, PHONE, screenshot, terminalPanel, waitForTerminalText } from '../helpers/browser.ts';
import { writeFakeFlowTool } from '../helpers/fake-flow-tool.ts';
import { TestTmux } from '../helpers/tmux.ts';

const fake = writeFakeFlowTool();
const ctx = {} as { tmux: TestTmux; bridge: TestBridge; browser: Browser };

beforeAll(async () => {
  ctx.tmux = new TestTmux();
  const dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  writeFileSync(join(dataDir, 'tools.yaml'), fake.toolsYaml);
  ctx.bridge = await startTestBridge(ctx.tmux, { dataDir });
  ctx.browser = await launchBrowser();
});

afterAll(async () => {
  await closeQuietly(ctx.browser, ctx.bridge);
  await ctx.tmux?.kill();
  rmSync(fake.dir, { recursive: true, force: true });
});

const nodeField = (page: Page, nodeId: string, name: string) => page.locator(`[data-node-form="${nodeId}"] [name="${name}"]`);

describe('flows in the browser', { timeout: 240_000 }, () => {
  it('builds a two-node flow in the editor, runs it, watches it finish and opens node B\'s terminal', async () => {
    const { body: session } = await ctx.bridge.api('POST', '/api/cli-sessions', { name: 'flow-target', shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir });
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    page.setDefaultTimeout(45_000);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, '/flows');
      await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();
      await page.getByText('No flows yet').waitFor();
      await page.locator('nav [data-page="flows"]').waitFor();
      await page.getByTestId('flow-new').click();
      await page.getByRole('heading', { name: 'New flow' }).waitFor();

      await page.locator('#flow-name').fill('Browser flow');
      await nodeField(page, 'A', 'tool').fill('fakeagent');
      await nodeField(page, 'A', 'instruction').fill('say=X=42');
      // The graph is drawn (dagre loads on demand) with node A.
      await page.locator('[data-testid="flow-graph"] [data-node="A"]').waitFor();

      await page.getByTestId('flow-add-node').click();
      await nodeField(page, 'B', 'instruction').fill('echo {{A_out}}');
      // Not upstream yet: the editor names the node and the fix before saving.
      await page.locator('[data-node-form="B"] .field-error', { hasText: 'add an edge from "A" to "B"' }).waitFor();
      await expect(page.getByTestId('flow-run').isDisabled()).resolves.toBe(true);
      await nodeField(page, 'B', 'after-A').check();
      await nodeField(page, 'B', 'delivery').selectOption('sendToSession');
      await nodeField(page, 'B', 'targetSessionKey').selectOption(session.sessionKey);
      await page.locator('[data-testid="flow-graph"] .flow-edge').waitFor({ state: 'attached' });
      await expect(page.locator('[data-node-form] .field-error').count()).resolves.toBe(0);
      await screenshot(page, 'flows-editor-desktop');

      await page.getByTestId('flow-run').click();
      const monitor = page.getByTestId('run-monitor');
      await monitor.waitFor();
      await page.locator('[data-testid="run-monitor"][data-status="completed"]').waitFor({ timeout: 60_000 });
      await expect(page.locator('.run-node[data-node="A"]').getAttribute('data-status')).resolves.toBe('completed');
      await expect(page.locator('.run-node[data-node="B"]').getAttribute('data-status')).resolves.toBe('completed');
      const out = await page.getByTestId('output-B').textContent();
      expect(out!.split('\n').map((l) => l.trim())).toContain('X=42');
      await page.locator('[data-testid="flow-graph"] [data-node="B"][data-status="completed"]').waitFor();
      await screenshot(page, 'flows-run-desktop');

      // Dark theme of the same page.
      await page.getByRole('button', { name: 'Switch to dark theme' }).click();
      await page.locator('html[data-theme="dark"]').waitFor();
      await screenshot(page, 'flows-run-desktop-dark');
      await page.getByRole('button', { name: 'Switch to light theme' }).click();

      const runUrl = page.url();
      await page.getByTestId('terminal-B').click();
      await page.waitForURL((url) => url.pathname === `/sessions/${session.sessionKey}`);
      const panel = terminalPanel(page, session.sessionKey);
      await waitForTerminalText(panel, /^X=42\s*$/m, 'X=42 in node B\'s terminal', 45_000);
      await screenshot(page, 'flows-terminal-desktop');

      // The list and the history show the flow and its run.
      await page.goto(new URL('/flows', ctx.bridge.url).toString());
      await page.locator('.flow-card', { hasText: 'Browser flow' }).waitFor();
      await page.locator('.run-table [data-status="completed"]').waitFor();
      await screenshot(page, 'flows-list-desktop');

      // Phone, light and dark: list, editor and run monitor fit the width.
      const { context: phoneContext, page: phone } = await newPage(ctx.browser, PHONE);
      phone.setDefaultTimeout(45_000);
      try {
        await login(phone, ctx.bridge.url, ctx.bridge.token, new URL(runUrl).pathname);
        await phone.locator('[data-testid="run-monitor"][data-status="completed"]').waitFor();
        await phone.locator('[data-testid="flow-graph"] [data-node="B"]').waitFor();
        expect(await hasHorizontalScroll(phone)).toBe(false);
        await screenshot(phone, 'flows-run-phone');
        await phone.getByRole('button', { name: /Menu/ }).click();
        await phone.getByRole('button', { name: 'Switch to dark theme' }).click();
        await phone.keyboard.press('Escape');
        await phone.locator('html[data-theme="dark"]').waitFor();
        await screenshot(phone, 'flows-run-phone-dark');
        await phone.goto(new URL('/flows', ctx.bridge.url).toString());
        await phone.locator('.flow-card').first().waitFor();
        expect(await hasHorizontalScroll(phone)).toBe(false);
        await screenshot(phone, 'flows-list-phone-dark');
        await phone.locator('.flow-card h2 a').first().click();
        await phone.locator('[data-node-form="B"]').waitFor();
        await phone.locator('[data-testid="flow-graph"] [data-node="B"]').waitFor();
        expect(await hasHorizontalScroll(phone)).toBe(false);
        await screenshot(phone, 'flows-editor-phone-dark');
      } finally {
        await phoneContext.close();
      }
    } finally {
      await context.close();
    }
  });
});
