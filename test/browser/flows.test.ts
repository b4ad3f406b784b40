import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { closeQuietly, DESKTOP, hasHorizontalScroll, launchBrowser, login, newPage, PHONE, screenshot, terminalPanel, waitForTerminalText } from '../helpers/browser.ts';
import { writeFakeFlowTool } from '../helpers/fake-flow-tool.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { CliSession, ExecutionList, Flow, FlowRunDetail, FlowStarted, Queue } from '../../schemas/index.ts';

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
  it('in Chinese the editor words every validation issue from the catalog, and a refused save points at them', async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP, undefined, { locale: 'zh-CN' });
    page.setDefaultTimeout(45_000);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, '/flows/new');
      await page.getByRole('heading', { name: '新建流程', level: 1 }).waitFor();
      // An empty flow: no name, a node without an instruction.
      await page.locator('#flow-name').fill('');
      await page.locator('.flow-problems li', { hasText: '名称：必填' }).waitFor();
      await page.locator('[data-node-form="A"] .field-error', { hasText: '指令：必填' }).waitFor();
      await page.getByRole('button', { name: '保存', exact: true }).click();
      await page.locator('.form-error[role="alert"]', { hasText: '未保存：请先修正下面标出的问题。' }).waitFor();
      const english = (texts: string[]) => texts.flatMap((text) => text.match(/[A-Za-z]{3,}/g) ?? []).filter((word) => word !== 'nope');
      const shown = await page.locator('.flow-problems li, .node-form .field-error, p.form-error').allTextContents();
      expect(shown.length).toBeGreaterThanOrEqual(3);
      expect(english(shown), shown.join(' | ')).toEqual([]);
      await screenshot(page, 'flows-editor-invalid-zh-desktop');
      // A graph rule (its code, worded by the catalog): a node naming an output nobody makes.
      await page.locator('#flow-name').fill('流程');
      await nodeField(page, 'A', 'instruction').fill('echo 1');
      await page.getByTestId('flow-add-node').click();
      await nodeField(page, 'B', 'instruction').fill('echo {{nope}}');
      await page.locator('[data-node-form="B"] .field-error', { hasText: '既不是变量' }).waitFor();
      const graph = await page.locator('.node-form .field-error').allTextContents();
      // No English word is left: only the node's own words ({{nope}}) are Latin.
      expect(english(graph), graph.join(' | ')).toEqual([]);
    } finally {
      await closeQuietly(context);
    }
  });

  it('builds a two-node flow in the editor, runs it, watches it finish and opens node B\'s terminal', async () => {
    const { body: session } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'flow-target', shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir }, CliSession);
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
      // The monitor names B's session as people know it.
      await expect(page.locator('.run-node[data-node="B"] > p.small').textContent()).resolves.toContain('sent to session flow-target');
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

  it('routes to a session from the run monitor (a node\'s instruction), the terminal page (any text) and a queue item (its prompt)', async () => {
    const { body: target } = await ctx.bridge.api.post('/api/cli-sessions', { name: 'route-target', shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir }, CliSession);
    const key = target.sessionKey as string;
    /** The newest execution in the target session, once it ended. */
    const ended = (what: RegExp) =>
      waitFor(
        async () => {
          const list = (await ctx.bridge.api.get(`/api/executions?sessionKey=${key}`, ExecutionList)).body.executions as any[];
          return list.find((e) => e.status !== 'running' && what.test(e.outputTail ?? ''));
        },
        `an execution in route-target printed ${what}`,
        60_000,
        100,
      );
    const flow = await ctx.bridge.api.post('/api/orchestrator/flows', {
      name: 'Route source',
      variables: { n: '7' },
      nodes: [{ id: 'A', data: { instruction: 'say=from-node-{{n}}', tool: 'fakeagent', outputName: 'a' } }],
    }, Flow);
    const { body: started } = await ctx.bridge.api.post(`/api/orchestrator/flows/${flow.body.id}/execute`, {}, FlowStarted);
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    page.setDefaultTimeout(45_000);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, `/flows/runs/${started.runId}`);
      await page.locator('[data-testid="run-monitor"][data-status="completed"]').waitFor({ timeout: 60_000 });
      // A one-shot node has no pane bytes: its output link is the stdout/stderr record.
      await expect(page.getByTestId('output-link-A').getAttribute('href')).resolves.toBe(`/api/cli/executions/${(await ctx.bridge.api.get(`/api/orchestrator/runs/${started.runId}`, FlowRunDetail)).body.nodes.A!.executionId}/output`);

      // 1. The run monitor: node A's instruction as the run filled it in, with A's tool.
      await page.locator('.run-node[data-node="A"]').getByRole('button', { name: 'Route to session…' }).click();
      const dialog = page.locator('dialog.route-dialog');
      await dialog.locator('select[name="sessionKey"]').selectOption(key);
      await dialog.getByRole('button', { name: 'Send' }).click();
      await dialog.locator('.form-ok').waitFor();
      expect((await ended(/from-node-7/)).tool).toBe('fakeagent');
      await dialog.getByRole('button', { name: 'Close' }).click();

      // 2. The terminal page: any text into its own session.
      await page.goto(new URL(`/sessions/${key}`, ctx.bridge.url).toString());
      await page.getByTestId('toolbar-more').click();
      await page.getByTestId('route-to-session').click();
      await expect(dialog.locator('select[name="sessionKey"]').inputValue()).resolves.toBe(key);
      await dialog.locator('textarea[name="text"]').fill('echo from-terminal-$((6*7))');
      await dialog.getByRole('button', { name: 'Send' }).click();
      await dialog.locator('.form-ok').waitFor();
      await ended(/from-terminal-42/);
      await waitForTerminalText(terminalPanel(page, key), /^from-terminal-42\s*$/m, 'the routed text ran in the terminal', 45_000);
      await dialog.getByRole('button', { name: 'Close' }).click();

      // 3. A queue item: its prompt (with its tool) into the chosen session; the item itself stays as it was.
      const queue = await ctx.bridge.api.post('/api/queues', { name: 'route from here', items: [{ prompt: 'echo from-queue-$((40+3))', title: 'Routed item' }] }, Queue);
      expect(queue.status, JSON.stringify(queue.body)).toBe(201);
      await page.goto(new URL(`/queues?queue=${queue.body.id}`, ctx.bridge.url).toString());
      await page.getByTestId('route-T-1').click();
      await expect(dialog.locator('textarea[name="text"]').inputValue()).resolves.toBe('echo from-queue-$((40+3))');
      await dialog.locator('select[name="sessionKey"]').selectOption(key);
      await screenshot(page, 'flows-route-queue-item-desktop');
      await dialog.getByRole('button', { name: 'Send' }).click();
      await dialog.locator('.form-ok').waitFor();
      const routed = await ended(/from-queue-43/);
      expect(routed.queueItemId ?? null).toBeNull();
      const item = (await ctx.bridge.api.get(`/api/queues/${queue.body.id}`, Queue)).body.items[0]!;
      expect(item.status).not.toBe('executing');
      expect(item.executionId ?? null).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('a node with onError pause holds the run in the monitor; Resume there runs it again and the run finishes', async () => {
    const once = join(ctx.tmux.dir, 'flow-fail-once');
    const flow = await ctx.bridge.api.post('/api/orchestrator/flows', {
      name: 'Pause in the browser',
      nodes: [
        { id: 'F', data: { label: 'Flaky', instruction: `failonce=${once} say=recovered`, tool: 'fakeagent', onError: 'pause', outputName: 'f' } },
        { id: 'G', data: { instruction: 'say={{f}}-next', tool: 'fakeagent' } },
      ],
      edges: [{ source: 'F', target: 'G' }],
    }, Flow);
    const { body: started } = await ctx.bridge.api.post(`/api/orchestrator/flows/${flow.body.id}/execute`, {}, FlowStarted);
    const { context, page } = await newPage(ctx.browser, PHONE);
    page.setDefaultTimeout(45_000);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, `/flows/runs/${started.runId}`);
      await page.locator('[data-testid="run-monitor"][data-status="paused"]').waitFor({ timeout: 60_000 });
      await page.getByText('node "F" failed').waitFor();
      await expect(page.locator('.run-node[data-node="G"]').getAttribute('data-status')).resolves.toBe('pending');
      expect(await hasHorizontalScroll(page)).toBe(false);
      await screenshot(page, 'flows-paused-phone');
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('[data-testid="run-monitor"][data-status="completed"]').waitFor({ timeout: 60_000 });
      await expect(page.getByTestId('output-G').textContent()).resolves.toBe('recovered-next');
      await expect(page.locator('.run-node[data-node="F"]').textContent()).resolves.toContain('attempt 2');
    } finally {
      await context.close();
    }
  });

  it('Run on a flow with variables asks for this run\'s values, prefilled with the flow\'s', async () => {
    const flow = await ctx.bridge.api.post('/api/orchestrator/flows', {
      name: 'Variables per run',
      variables: { who: 'world' },
      nodes: [{ id: 'A', data: { instruction: 'say=hello-{{who}}', tool: 'fakeagent' } }],
    }, Flow);
    const { context, page } = await newPage(ctx.browser, DESKTOP);
    page.setDefaultTimeout(45_000);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, '/flows');
      await page.locator('.run-table [data-status]').first().waitFor();
      await screenshot(page, 'flows-list-many-desktop');
      await page.locator(`.flow-card[data-flow="${flow.body.id}"]`).getByRole('button', { name: 'Run', exact: true }).click();
      const dialog = page.locator('dialog.flow-run-dialog');
      await expect(dialog.locator('textarea[name="who"]').inputValue()).resolves.toBe('world');
      await dialog.locator('textarea[name="who"]').fill('tmux');
      await screenshot(page, 'flows-run-variables-desktop');
      await dialog.getByRole('button', { name: 'Run', exact: true }).click();
      await page.locator('[data-testid="run-monitor"][data-status="completed"]').waitFor({ timeout: 60_000 });
      await expect(page.getByTestId('output-A').textContent()).resolves.toBe('hello-tmux');
      // The flow kept its own value.
      expect((await ctx.bridge.api.get(`/api/orchestrator/flows/${flow.body.id}`, Flow)).body.variables).toEqual({ who: 'world' });
    } finally {
      await context.close();
    }
  });
});

