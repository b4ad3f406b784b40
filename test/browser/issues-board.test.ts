import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, hasHorizontalScroll, screenshot, terminalPanel, typeInTerminal, useBrowserBridge, waitForTerminalState, waitForTerminalText } from '../helpers/browser.ts';
import { waitFor } from '../helpers/tmux.ts';
import { card, columnIds, drag, openBoard as openBoardIn } from './issues-page.ts';
import { Issue, IssueHistory, IssueList, SessionList } from '../../schemas/index.ts';

const ctx = useBrowserBridge();

async function createIssue(body: Record<string, unknown>): Promise<any> {
  const res = await ctx.bridge.api.post('/api/issues', body, Issue);
  expect(res.status).toBe(201);
  return res.body;
}

const statusOf = async (id: string) => (await ctx.bridge.api.get(`/api/issues/${id}`, Issue)).body.status as string;
const openBoard = (viewport?: { width: number; height: number }) => openBoardIn(ctx.browser, ctx.bridge, viewport);

describe('issue board in the browser', () => {
  it('drags a card across columns with the mouse: persisted after reload, live in a second page', async () => {
    const a = await createIssue({ title: 'Drag me across', priority: 'high', labels: ['ui'] });
    const b = await createIssue({ title: 'Already queued', status: 'queued' });
    const first = await openBoard();
    const second = await openBoard();
    const { page } = first;
    await card(page, a.id).waitFor();
    await card(second.page, a.id).waitFor();

    await drag(page, card(page, a.id), page.locator('.column-list[data-status="queued"]'));
    await waitFor(async () => (await statusOf(a.id)) === 'queued', 'moved on the server', 30_000);
    // The other browser sees it without reloading (events, no polling).
    await waitFor(async () => (await columnIds(second.page, 'queued')).includes(a.id), 'live in the second page', 30_000);
    expect(await columnIds(page, 'queued')).toContain(b.id);
    expect((await columnIds(page, 'open')).includes(a.id)).toBe(false);

    await page.reload();
    await card(page, a.id).waitFor();
    expect(await columnIds(page, 'queued')).toContain(a.id);
    const history = (await ctx.bridge.api.get(`/api/issues/${a.id}/history`, IssueHistory)).body.history;
    expect(history.find((h: any) => h.field === 'status')).toMatchObject({ from: 'open', to: 'queued', by: 'web' });
    await first.close();
    await second.close();
  }, 180_000);

  it('moves a card with the keyboard: Alt+arrows and the Move to… menu', async () => {
    const c = await createIssue({ title: 'Keyboard mover' });
    const { page, close } = await openBoard();
    await card(page, c.id).focus();
    await page.keyboard.press('Alt+ArrowRight');
    await waitFor(async () => (await statusOf(c.id)) === 'queued', 'moved right', 30_000);
    // Focus stays on the card, so the next key moves it again.
    await waitFor(async () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.issueId), 'focus kept', 30_000);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.issueId)).toBe(c.id);
    await page.keyboard.press('Alt+ArrowRight');
    await waitFor(async () => (await statusOf(c.id)) === 'in_progress', 'moved right again', 30_000);
    // The store has it before the page re-renders the card in its new column and gives it focus back.
    await waitFor(
      async () => (await page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest('[data-status]')?.getAttribute('data-status'))) === 'in_progress' || undefined,
      'the focused card in its new column',
      30_000,
    );
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.issueId)).toBe(c.id);
    await page.keyboard.press('m');
    const menu = page.getByRole('menu', { name: `Move ${c.id} to` });
    await menu.waitFor({ timeout: 30_000 });
    await menu.getByRole('menuitem', { name: 'Resolved' }).click();
    await waitFor(async () => (await statusOf(c.id)) === 'resolved', 'moved by the menu', 30_000);
    await page.reload();
    await card(page, c.id).waitFor();
    expect(await columnIds(page, 'resolved')).toContain(c.id);
    await close();
  }, 180_000);

  it('opens the drawer from a card (the URL holds it), edits details, creates a session and types into it', async () => {
    const d = await createIssue({ title: 'Needs a terminal', body: '# Plan\n\n- step **one**\n\n<img src=x onerror="window.__xss=1">' });
    const { page, close } = await openBoard();
    await card(page, d.id).click();
    await page.waitForURL((url) => url.searchParams.get('issue') === d.id);
    const drawer = page.locator('.issue-drawer');
    await drawer.getByRole('heading', { name: 'Needs a terminal' }).waitFor();
    expect(await drawer.locator('[data-testid="issue-body"] h1').textContent()).toBe('Plan');
    expect(await drawer.locator('[data-testid="issue-body"] strong').textContent()).toBe('one');
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    expect(await drawer.locator('[data-testid="issue-body"] img[onerror]').count()).toBe(0);

    await drawer.locator('input[name="labels"]').fill('backend, urgent-fix');
    await drawer.locator('select[name="priority"]').selectOption('urgent');
    await drawer.getByRole('button', { name: 'Save' }).click();
    await waitFor(async () => (await ctx.bridge.api.get(`/api/issues/${d.id}`, Issue)).body.priority === 'urgent', 'saved', 30_000);
    expect((await ctx.bridge.api.get(`/api/issues/${d.id}`, Issue)).body.labels).toEqual(['backend', 'urgent-fix']);
    await drawer.locator('.issue-history li').filter({ hasText: 'priority' }).first().waitFor();
    await screenshot(page, 'issues-drawer-details-desktop');

    await drawer.getByRole('tab', { name: /Terminal/ }).click();
    await page.waitForURL((url) => url.searchParams.get('tab') === 'terminal');
    await drawer.locator('select[name="tool"]').selectOption('custom');
    await drawer.locator('input[name="shell"]').fill('bash --noprofile --norc -i');
    await drawer.locator('input[name="workingDir"]').fill(ctx.tmux.dir);
    expect(await drawer.locator('input[name="resumeKey"]').inputValue()).toBe(`issue-${d.id}`);
    await drawer.getByRole('button', { name: 'Create session' }).click();
    const panel = terminalPanel(page);
    await waitForTerminalState(panel, 'live');
    await typeInTerminal(panel, 'echo issue-$((6*7))');
    await waitForTerminalText(panel, 'issue-42');
    const sessions = (await ctx.bridge.api.get(`/api/cli-sessions?issueId=${d.id}`, SessionList)).body.sessions;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.resumeKey).toBe(`issue-${d.id}`);
    expect(await panel.locator('code, .attach-command').first().textContent()).toContain('tmux');

    // Send without a newline, then with one.
    await drawer.locator('.send-box textarea').fill('echo sent-');
    await drawer.locator('.send-box input[type="checkbox"]').uncheck();
    await drawer.getByRole('button', { name: 'Send', exact: true }).click();
    await drawer.locator('.send-box textarea').fill('$((2+3))');
    await drawer.locator('.send-box input[type="checkbox"]').check();
    await drawer.getByRole('button', { name: 'Send', exact: true }).click();
    await waitForTerminalText(panel, 'sent-5');

    // The card shows the session's live state.
    await waitFor(async () => (await card(page, d.id).locator('.session-state').count()) > 0, 'session state on the card', 30_000);
    await screenshot(page, 'issues-drawer-terminal-desktop');

    // A reload (or a shared link) reopens the same drawer tab.
    await page.reload();
    await drawer.getByRole('tab', { name: /Terminal/, selected: true }).waitFor();
    await waitForTerminalText(terminalPanel(page), 'sent-5');
    await close();
  }, 180_000);

  it('looks right at desktop and phone sizes, light and dark (screenshots)', async () => {
    const labels = [['bug'], ['ui', 'docs'], [], ['backend']];
    for (let i = 0; i < 8; i++) {
      await createIssue({ title: `Screenshot issue ${i + 1}${i === 2 ? ' with a rather long title that wraps onto a second line' : ''}`, priority: ['low', 'medium', 'high', 'urgent'][i % 4], labels: labels[i % 4], status: ['open', 'queued', 'in_progress', 'resolved', 'completed'][i % 5] });
    }
    const someId = (await ctx.bridge.api.get('/api/issues?status=open', IssueList)).body.issues[0]!.id;
    for (const scheme of ['light', 'dark'] as const) {
      for (const [size, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const { page, close } = await openBoard(viewport);
        await page.emulateMedia({ colorScheme: scheme });
        await page.locator('.issue-card').first().waitFor();
        expect(await hasHorizontalScroll(page)).toBe(false);
        await screenshot(page, `issues-board-${size}-${scheme}`);
        await page.goto(new URL(`issues?issue=${someId}`, ctx.bridge.url).toString());
        await page.locator('.issue-drawer h2').waitFor();
        expect(await hasHorizontalScroll(page)).toBe(false);
        await screenshot(page, `issues-drawer-${size}-${scheme}`);
        await close();
      }
    }
  }, 180_000);
});
