import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge, makeApi } from '../helpers/bridge.ts';
import { closeQuietly, launchBrowser, login, newPage, screenshot, terminalPanel, terminalRows, waitForTerminalText } from '../helpers/browser.ts';
import { TestTmux } from '../helpers/tmux.ts';
import { waitFor } from '../helpers/wait.ts';
import { CliSession, ExecuteStarted, Execution, Flow, FlowRunDetail, FlowStarted, Ok, Queue, Snapshot } from '../../schemas/index.ts';

/** The smallest ring the server takes (1 MiB): the "left the buffer" case needs less flooding. */
const ctx = {} as { tmux: TestTmux; bridge: TestBridge; browser: Browser };
beforeAll(async () => {
  ctx.tmux = new TestTmux();
  ctx.bridge = await startTestBridge(ctx.tmux, { ringBytes: 1024 * 1024 });
  ctx.browser = await launchBrowser();
});
afterAll(async () => {
  await closeQuietly(ctx.browser, ctx.bridge);
  await ctx.tmux?.kill();
});

const api = makeApi(() => ctx.bridge);

async function execution(id: string): Promise<any> {
  const { status, body } = await api.get(`/api/executions/${id}`, Execution);
  expect(status).toBe(200);
  return body;
}

async function shellSession(name: string): Promise<string> {
  const { status, body } = await api.post('/api/cli-sessions', { name, shell: 'bash --noprofile --norc -i' }, CliSession);
  expect(status, JSON.stringify(body)).toBe(201);
  return body.sessionKey as string;
}

/** Runs `prompt` in the session through the execute path and waits for its real end. */
async function run(sessionKey: string, prompt: string): Promise<any> {
  const { status, body } = await api.post(`/api/cli-sessions/${sessionKey}/execute`, { prompt, tool: 'bash' }, ExecuteStarted);
  expect(status, JSON.stringify(body)).toBe(202);
  return waitFor(async () => {
    const e = await execution(body.executionId);
    return e.status === 'running' ? undefined : e;
  }, `execution ${body.executionId} to end`, 60_000, 100);
}

describe('a terminal opened at an execution (?offset=)', () => {
  it('a queue item\'s session link opens its terminal at the start of that item, replayed and then live', { timeout: 180_000 }, async () => {
    const created = await api.post('/api/queues', {
      name: 'offsets',
      maxConcurrentSessions: 1,
      execution_groups: [{ id: 'S1', type: 'sequential' }],
      items: [
        { prompt: 'echo FIRST-ITEM-OUT', tool: 'bash' },
        // More lines than a screen: the view must start at the item's first line, not its last.
        { prompt: 'echo SECOND-START; seq 1 150', tool: 'bash' },
      ],
    }, Queue);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const queueId = created.body.id as string;
    await api.post(`/api/queues/${queueId}/scheduler/start`, undefined, Queue);
    const queue = await waitFor(async () => {
      const { body } = await api.get(`/api/queues/${queueId}`, Queue);
      return body.items.every((i: any) => i.status === 'completed') ? body : undefined;
    }, 'both items completed', 90_000, 200);
    const second = queue.items.find((i: any) => i.item_id === 'T-2')!;
    expect(second.sessionKey).toBe(queue.items.find((i: any) => i.item_id === 'T-1')!.sessionKey);
    const exec = await execution(second.executionId!);
    expect(typeof exec.offsetStart).toBe('number');

    const { context, page } = await newPage(ctx.browser);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, `/queues?queue=${queueId}`);
      const link = page.locator('.queue-item[data-item-id="T-2"] .item-session');
      await waitFor(async () => (await link.getAttribute('href'))?.includes('?offset='), 'the link carries the offset', 30_000);
      expect(await link.getAttribute('href')).toBe(`/sessions/${second.sessionKey}?offset=${exec.offsetStart}`);
      await link.click();
      await page.waitForURL((url) => url.pathname === `/sessions/${second.sessionKey}` && url.searchParams.get('offset') === String(exec.offsetStart));
      const panel = terminalPanel(page, second.sessionKey!);
      await panel.locator('[data-testid="terminal-from"][data-found="true"]').waitFor({ timeout: 30_000 });
      await expect(panel.locator('[data-testid="terminal-from"]').innerText()).resolves.toContain('echo SECOND-START; seq 1 150');
      // The view starts at the item: its typed line at the top, its first output below, nothing of the item before it.
      const text = await waitForTerminalText(panel, /^SECOND-START$/m, 'the item\'s first line', 30_000);
      expect(text).not.toContain('FIRST-ITEM-OUT');
      // The typed line may wrap (a long path): it is in the first rows. A resize while the page
      // settles replays again (the screen is cleared and redrawn), so wait for the drawn result.
      const rows = await waitFor(async () => {
        const now = await terminalRows(panel);
        return now.slice(0, 3).join('').includes('run.sh') ? now : undefined;
      }, 'the item\'s typed line in the first rows', 30_000);
      expect(rows.map((r) => r.trim())).not.toContain('150');
      await screenshot(page, 'terminal-offset-desktop');

      // Live after the replay, and new output does not move the view off the item's start.
      await api.post(`/api/cli-sessions/${second.sessionKey}/send`, { text: 'echo LIVE-AFTER' }, Ok);
      await waitFor(async () => {
        const { body } = await api.get(`/api/cli-sessions/${second.sessionKey}/snapshot?lines=20`, Snapshot);
        return /^LIVE-AFTER$/m.test(body.text);
      }, 'the typed line ran', 30_000);
      expect((await terminalRows(panel)).slice(0, 3).join('')).toContain('run.sh');

      // Back to the normal view: the current screen, no banner.
      await panel.getByRole('button', { name: 'Show the current screen' }).click();
      await page.waitForURL((url) => url.pathname === `/sessions/${second.sessionKey}` && !url.searchParams.has('offset'));
      await panel.locator('[data-testid="terminal-from"]').waitFor({ state: 'detached' });
      await waitForTerminalText(panel, /^LIVE-AFTER$/m, 'the current screen', 30_000);
    } finally {
      await closeQuietly(context);
    }
  });

  it('a flow node\'s terminal link opens at the node\'s execution the same way', { timeout: 180_000 }, async () => {
    const key = await shellSession('flow-offset');
    await run(key, 'echo BEFORE-THE-NODE');
    const flow = await api.post('/api/orchestrator/flows', {
      name: 'Offset flow',
      nodes: [{ id: 'A', type: 'prompt-template', data: { label: 'A', instruction: 'echo NODE-A-RAN', tool: 'bash', delivery: 'sendToSession', targetSessionKey: key } }],
      edges: [],
    }, Flow);
    expect(flow.status, JSON.stringify(flow.body)).toBe(201);
    const started = await api.post(`/api/orchestrator/flows/${flow.body.id}/execute`, {}, FlowStarted);
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const node = await waitFor(async () => {
      const { body } = await api.get(`/api/orchestrator/runs/${runId}`, FlowRunDetail);
      return body.status === 'completed' ? body.nodes.A : undefined;
    }, 'the flow run completed', 90_000, 200);
    const { context, page } = await newPage(ctx.browser);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, `/flows/runs/${runId}`);
      const link = page.getByTestId('terminal-A');
      await expect(link.getAttribute('href')).resolves.toBe(`/sessions/${key}?offset=${node.offsetStart}`);
      await link.click();
      const panel = terminalPanel(page, key);
      await panel.locator('[data-testid="terminal-from"][data-found="true"]').waitFor({ timeout: 30_000 });
      const text = await waitForTerminalText(panel, /^NODE-A-RAN$/m, 'the node\'s output', 30_000);
      expect(text).not.toContain('BEFORE-THE-NODE');
    } finally {
      await closeQuietly(context);
    }
  });

  it('an execution whose start left the server\'s buffer shows its recorded output above the live terminal', { timeout: 180_000 }, async () => {
    const key = await shellSession('flooded');
    const old = await run(key, 'echo OLD-RUN-MARK');
    // 1.5 MB more than the 1 MiB ring holds.
    await run(key, "head -c 1500000 /dev/zero | tr '\\0' y | fold -w 100; echo FLOOD-DONE");
    const { body: snap } = await api.get(`/api/cli-sessions/${key}/snapshot?lines=5`, Snapshot);
    expect(snap.offset - old.offsetStart).toBeGreaterThan(1024 * 1024);

    const { context, page } = await newPage(ctx.browser);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, `/sessions/${key}?offset=${old.offsetStart}`);
      const panel = terminalPanel(page, key);
      await panel.locator('[data-testid="terminal-from"][data-found="false"]').waitFor({ timeout: 30_000 });
      const output = panel.getByTestId('terminal-from-output');
      await waitFor(async () => (await output.innerText()).includes('OLD-RUN-MARK'), 'the recorded output of the old execution', 30_000);
      // The live terminal below is the current screen.
      await waitForTerminalText(panel, 'FLOOD-DONE', 'the current screen below', 30_000);
      await screenshot(page, 'terminal-offset-missed-desktop');
    } finally {
      await closeQuietly(context);
    }
  });
});
