import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, closeQuietly, hasHorizontalScroll, login, newPage, screenshot, terminalPanel, useBrowserBridge, waitForTerminalText } from '../helpers/browser.ts';
import { useFakeTools } from '../helpers/fake-tools.ts';
import { waitFor } from '../helpers/wait.ts';
import { CliSession, ExecuteStarted, Execution } from '../../schemas/index.ts';

// The server finds tools on its own PATH: the fake claude first, and no qwen anywhere.
useFakeTools(['claude']);
const ctx = useBrowserBridge();

async function shellSession(name: string): Promise<string> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body.sessionKey as string;
}

/** The terminal page of a session with its Executions panel open. */
async function openSession(page: Page, key: string) {
  await login(page, ctx.bridge.url, ctx.bridge.token, `/sessions/${key}`);
  const panel = terminalPanel(page, key);
  await panel.locator('.xterm').waitFor();
  // A wide toolbar has the toggle on its row; a phone's is in its More menu.
  if (await panel.getByTestId('executions-toggle').isVisible()) await panel.getByTestId('executions-toggle').click();
  else {
    await panel.getByTestId('toolbar-more').click();
    await panel.getByTestId('more-executions').click();
  }
  const runs = panel.getByTestId('session-executions');
  await runs.waitFor();
  return { panel, runs };
}

/** Requests the page makes to list or read executions (a live list needs none while a run goes on). */
function countExecutionReads(page: Page): { readonly count: number; reset(): void } {
  let count = 0;
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (request.method() === 'GET' && (url.pathname.startsWith('/api/executions') || url.pathname.startsWith('/api/cli/executions'))) count++;
  });
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

describe('executions from the terminal page', () => {
  it('runs a tool from the Execute box: running while it works, then failed with its exit code, live from events', { timeout: 180_000 }, async () => {
    const key = await shellSession('exec-ui');
    const { context, page } = await newPage(ctx.browser);
    try {
      const reads = countExecutionReads(page);
      const { panel, runs } = await openSession(page, key);
      // The tool list comes from GET /api/tools: the fake claude is installed, qwen is not.
      const tool = runs.getByTestId('execute-tool');
      await waitFor(async () => (await tool.locator('option').allTextContents()).some((o) => o === 'claude'), 'claude in the tool list', 30_000);
      expect(await tool.locator('option').allTextContents()).toContain('qwen (not installed)');

      await runs.locator('textarea[name="prompt"]').fill('browser work sleep=3 exit=3');
      await tool.selectOption('claude');
      await runs.locator('input[name="timeoutS"]').fill('120');
      reads.reset();
      await runs.getByTestId('execute-submit').click();

      const run = runs.locator('.exec-run').first();
      await waitFor(async () => (await run.getAttribute('data-status')) === 'running', 'the run to show as running', 30_000);
      const id = (await run.getAttribute('data-execution-id'))!;
      expect(id).toMatch(/^x_/);
      // The toolbar says it runs, with the elapsed time.
      await expect(panel.getByTestId('execution-running').textContent()).resolves.toMatch(/Executing/);
      // Still running while the fake tool sleeps (it ends 3 s after it started).
      const server = (await ctx.bridge.api.get(`/api/executions/${id}`, Execution)).body;
      if (Date.now() - Date.parse(server.startedAt) < 2500) {
        expect(server.status).toBe('running');
        expect(await run.getAttribute('data-status')).toBe('running');
      }
      await screenshot(page, 'executions-running');

      await waitFor(async () => (await run.getAttribute('data-status')) !== 'running', 'the run to end', 60_000);
      expect(await run.getAttribute('data-status')).toBe('failed');
      expect(await run.getByTestId('exec-status').textContent()).toBe('failed');
      expect(await run.getByTestId('exec-exit').textContent()).toBe('exit 3');
      expect(await run.getByTestId('exec-completion').textContent()).toBe('exit status');
      // What the page shows is what the server knows.
      const done = (await ctx.bridge.api.get(`/api/executions/${id}`, Execution)).body;
      expect(done).toMatchObject({ status: 'failed', exitCode: 3, completion: 'sentinel', tool: 'claude' });
      // The end came by EXECUTION_UPDATED: the page did not poll the executions API meanwhile.
      expect(reads.count).toBe(0);
      await expect(panel.getByTestId('execution-running').count()).resolves.toBe(0);
      // The pane shows the fake's answer too: it really ran there.
      await waitForTerminalText(panel, 'ANSWER: browser work sleep=3 exit=3', 'the answer in the pane', 30_000);

      // Its output: exactly the pane's bytes between the offsets, as text.
      await run.getByTestId('exec-output').click();
      const output = run.getByTestId('exec-output-text');
      await output.waitFor();
      expect(await output.textContent()).toContain('ANSWER: browser work sleep=3 exit=3');
      expect(await output.getAttribute('data-offsets')).toBe(`${done.offsetStart}-${done.offsetEnd}`);
      // A link to the terminal from where the execution started.
      expect(await run.getByTestId('exec-at-start').getAttribute('href')).toBe(`/sessions/${key}?offset=${done.offsetStart}`);
      await screenshot(page, 'executions-ended');
    } finally {
      await closeQuietly(context);
    }
  });

  it('says clearly when the session is busy (409) and when a tool is not installed (400)', { timeout: 180_000 }, async () => {
    const key = await shellSession('exec-errors');
    const { context, page } = await newPage(ctx.browser);
    try {
      const { runs } = await openSession(page, key);
      const prompt = runs.locator('textarea[name="prompt"]');
      await prompt.fill('sleep 30');
      await runs.getByTestId('execute-submit').click();
      const run = runs.locator('.exec-run').first();
      await waitFor(async () => (await run.getAttribute('data-status')) === 'running', 'the first run to run', 30_000);

      await prompt.fill('echo second');
      await runs.getByTestId('execute-submit').click();
      const error = runs.getByTestId('execute-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/^Busy: .*/);
      // The refused prompt stays in the box, to send once the session is free.
      expect(await prompt.inputValue()).toBe('echo second');

      // Cancel from the list: Ctrl-C, and the run ends cancelled.
      await run.getByTestId('exec-cancel').click();
      await waitFor(async () => (await run.getAttribute('data-status')) === 'cancelled', 'the run to be cancelled', 60_000);

      await runs.getByTestId('execute-tool').selectOption('qwen');
      await runs.getByTestId('execute-submit').click();
      await waitFor(async () => /^Tool not installed: /.test((await error.textContent().catch(() => '')) ?? ''), 'the tool_not_found message', 30_000);
      expect(await error.textContent()).toContain('qwen');
      await screenshot(page, 'executions-errors');
    } finally {
      await closeQuietly(context);
    }
  });

  it('fits a phone: the Execute box and the list without sideways scrolling', { timeout: 120_000 }, async () => {
    const key = await shellSession('exec-phone');
    const started = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'echo a-rather-long-line-of-output-that-goes-on-and-on-and-on-and-on-and-on-and-on; exit 2' }, ExecuteStarted);
    expect(started.status).toBe(202);
    const { context, page } = await newPage(ctx.browser, PHONE);
    try {
      const { runs } = await openSession(page, key);
      const run = runs.locator(`.exec-run[data-execution-id="${started.body.executionId}"]`);
      await waitFor(async () => (await run.getAttribute('data-status')) === 'failed', 'the run to end failed', 60_000);
      expect(await run.getByTestId('exec-exit').textContent()).toBe('exit 2');
      await runs.locator('details.execute-more summary').click();
      expect(await hasHorizontalScroll(page)).toBe(false);
      // Every toolbar action is on screen: on a phone the row's own ones are in its More menu.
      await page.getByTestId('toolbar-more').click();
      for (const id of ['toolbar-more', 'more-executions', 'route-to-session']) {
        const box = (await page.getByTestId(id).boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      }
      await page.keyboard.press('Escape');
      await screenshot(page, 'executions-phone');
      await page.goto(new URL('executions', ctx.bridge.url).toString());
      await page.getByTestId('execute-form').waitFor();
      expect(await hasHorizontalScroll(page)).toBe(false);
      await screenshot(page, 'executions-stateless-phone');
    } finally {
      await closeQuietly(context);
    }
  });
});

describe('stateless runs page', () => {
  it('starts a run without a terminal and shows its stdout and stderr live, then its exit code', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage(ctx.browser);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, '/executions');
      const form = page.getByTestId('execute-form');
      await form.waitFor();
      await form.locator('textarea[name="prompt"]').fill('echo to-stdout; echo to-stderr >&2; sleep 1; exit 4');
      await form.getByTestId('execute-tool').selectOption('bash');
      await form.locator('details.execute-more summary').click();
      await form.locator('input[name="workingDir"]').fill(ctx.tmux.dir);
      await form.getByTestId('execute-submit').click();

      const run = page.getByTestId('stateless-runs').locator('.exec-run').first();
      await run.waitFor();
      const output = run.getByTestId('exec-output-text');
      await waitFor(async () => ((await output.textContent().catch(() => '')) ?? '').includes('to-stderr'), 'live output', 30_000);
      expect(await output.locator('.out-stderr').first().textContent()).toContain('to-stderr');
      await waitFor(async () => (await run.getAttribute('data-status')) === 'failed', 'the run to end', 60_000);
      expect(await run.getByTestId('exec-exit').textContent()).toBe('exit 4');
      expect(await run.getByTestId('exec-completion').textContent()).toBe('process exit');
      expect(await output.textContent()).toContain('to-stdout');
      const id = (await run.getAttribute('data-execution-id'))!;
      expect((await ctx.bridge.api.get(`/api/executions/${id}`, Execution)).body).toMatchObject({ sessionKey: null, status: 'failed', exitCode: 4 });

      // A reload lists it again with its kept output.
      await page.reload();
      const again = page.locator(`.exec-run[data-execution-id="${id}"]`);
      await again.getByTestId('exec-output').click();
      await waitFor(async () => ((await again.getByTestId('exec-output-text').textContent().catch(() => '')) ?? '').includes('to-stderr'), 'kept output', 30_000);
      await screenshot(page, 'executions-stateless');
    } finally {
      await closeQuietly(context);
    }
  });
});
