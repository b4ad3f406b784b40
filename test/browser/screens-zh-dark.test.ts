/**
 * Every page in Simplified Chinese (dark and light) and in English (dark; English light
 * is in the acceptance and phone tests), at desktop and phone sizes, with something on
 * each (a pipeline waiting for approval, an issue, a queue, a session with a long name):
 * nothing scrolls sideways, no control sticks out of the window or overlaps another, and
 * each page is saved in test/artifacts/ (`<zh|en>-<dark|light>-<page>-<size>.png`) to be
 * looked at. hosts.yaml has a misspelt key, so the Config page shows a warning; a broken
 * policy.yaml edit shows its error there and in the history, in Chinese
 * (`zh-dark-config-error-desktop.png`). In Chinese no English word is left on any page
 * but names, commands and config keys.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAgentBridge } from '../helpers/agent.ts';
import { closeQuietly, DESKTOP, hasHorizontalScroll, login, newPage, PHONE, screenshot, withBrowser } from '../helpers/browser.ts';
import { waitFor } from '../helpers/tmux.ts';
import { CliSession, Issue, PipelineView, Queue } from '../../schemas/index.ts';

const POLICY = `
pipelines:
  - name: ci
    match: {any_of: [{window_name: "^ci$"}]}
    stages:
      - name: lint
        triggers: {any_of: [{log_regex: "^START$"}]}
        success_when: {any_of: [{log_regex: "^LINT OK$"}]}
      - name: build
        triggers: {any_of: [{after_stage_success: lint}]}
        require_approval: true
        success_when: {any_of: [{log_regex: "^BUILD OK$"}]}
`;

const ctx = withBrowser(
  useAgentBridge(({ tmux }) => ({
    hosts: `poll_interval_ms: 200\napproval_dir: {APPROVALS}\nnotify: stdout\nnotfy: wecom\nhosts:\n  - name: local\n    tmux:\n      socket: ${tmux.socketName}\n`,
    policy: POLICY,
  })),
);

let sessionKey = '';

beforeAll(async () => {
  await ctx.tmux.tmux('new-session', '-d', '-s', 'agent-ci', '-n', 'ci', '-x', '120', '-y', '30', 'bash --norc --noprofile -i');
  const paneId = (await ctx.tmux.tmux('display', '-p', '-t', 'agent-ci', '#{pane_id}')).trim();
  await waitFor(async () => (await ctx.bridge.api.get('/api/pipelines/ci', PipelineView)).body.panes?.length === 1, 'the pane joins pipeline ci', 30_000, 100);
  const say = (text: string) => ctx.tmux.tmux('send-keys', '-t', paneId, `echo '${text}'`, 'Enter');
  await say('START');
  await say('LINT OK');
  await waitFor(
    async () => (await ctx.bridge.api.get('/api/pipelines/ci', PipelineView)).body.panes[0]!.stages.some((s: { status: string }) => s.status === 'WAITING_APPROVAL'),
    'build waits for approval',
    60_000,
  );
  const session = await ctx.bridge.api.post('/api/cli-sessions', { name: 'nightly-integration-db-migration-and-rollback-check-round-2', tool: 'custom', shell: 'bash --norc --noprofile -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  sessionKey = session.body.sessionKey;
  expect((await ctx.bridge.api.post('/api/issues', { title: '登录页在手机上显示不全，需要调整布局', body: '复现步骤：用手机打开登录页。' }, Issue)).status).toBe(201);
  const queue = await ctx.bridge.api.post('/api/queues', {
    name: '发布前检查',
    items: [
      { prompt: 'echo 一', title: '检查数据库迁移脚本' },
      { prompt: 'echo 二', title: '更新中文文档与更新日志' },
    ],
  }, Queue);
  expect(queue.status, JSON.stringify(queue.body)).toBe(201);
});

/** Controls that stick out of the window or overlap each other (the page itself must not scroll sideways). */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    const controls = Array.from(document.querySelectorAll<HTMLElement>('button, a, input, select, .badge, h1, h2'))
      // Rows that scroll sideways on purpose (tabs, board columns, phone keys), menus, and what a closed <details> hides.
      .filter((el) => !el.closest('.tab-strip, .term-frame, .modal, [role="menu"], .board, .extra-keys, .xterm, .flow-canvas') && !el.closest('details:not([open]) > :not(summary)'))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0);
    const name = (el: HTMLElement) => `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? '').trim().slice(0, 16)}"`;
    for (const { el, r } of controls) if (r.right > width + 1) out.push(`${name(el)} past the right edge`);
    for (let i = 0; i < controls.length; i++)
      for (let j = i + 1; j < controls.length; j++) {
        const a = controls[i]!;
        const b = controls[j]!;
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        if (a.r.left < b.r.right - 1 && b.r.left < a.r.right - 1 && a.r.top < b.r.bottom - 1 && b.r.top < a.r.bottom - 1) out.push(`${name(a.el)} overlaps ${name(b.el)}`);
      }
    return out;
  });
}

/**
 * Words of three or more Latin letters a Chinese reader sees on the page (text, labels,
 * tooltips, placeholders), outside code, commands and the terminal itself: English the
 * catalog missed. The test's own data, product and program names and config keys are allowed.
 */
const ALLOWED = new Set(
  (
    'tmux bridge English Ctrl Alt Esc Tab Enter Escape Shift Shell bash custom claude codex gemini qwen opencode nativeResume promptConcat ' +
    'policy hosts yaml stdout stderr POST api cli execute http https ISS ' +
    'log regex after stage success require approval actions start fail when variable name value ' +
    'local agent lint build START LINT BUILD nightly integration migration rollback check round'
  ).split(' '),
);

async function englishOnPage(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const skip = 'code, pre, kbd, script, style, .xterm, [hidden]';
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest(skip) || parent.tagName === 'OPTION') continue;
      const text = node.textContent?.trim();
      if (text) out.push(text);
    }
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[title], [aria-label], [placeholder]'))) {
      if (el.closest('.xterm-rows, .xterm-accessibility, code, pre')) continue;
      for (const name of ['title', 'aria-label', 'placeholder']) {
        const value = el.getAttribute(name);
        if (value) out.push(value);
      }
    }
    return out;
  });
  const found = new Set<string>();
  for (const text of texts) {
    // Paths, addresses, session names, identifiers and {{variables}} carry their own words.
    const words = text.replace(/\{\{[^}]*\}\}|\S*[/@:=.]\S*|[\w-]*-[\w-]*|\w*_\w*/g, ' ').match(/[A-Za-z]{3,}/g) ?? [];
    for (const word of words) if (!ALLOWED.has(word)) found.add(`${word} in "${text.slice(0, 80)}"`);
  }
  return [...found];
}

const PAGES = [
  ['', 'dashboard'],
  ['pipelines', 'pipelines'],
  ['pipelines/ci', 'pipeline'],
  ['approvals', 'approvals'],
  ['monitor', 'monitor'],
  ['history', 'history'],
  ['config', 'config'],
  ['issues', 'issues'],
  ['queues', 'queues'],
  ['flows', 'flows'],
  ['flows/new', 'flow-editor'],
  ['executions', 'executions'],
  ['sessions', 'sessions'],
] as const;

/** The looks every page is checked in: Chinese in both themes, English dark (English light: acceptance and phone tests). */
const LOOKS = [
  { locale: 'zh-CN', theme: 'dark', warning: 'hosts.yaml:4:1：notfy：未知的键“notfy”，已忽略（是不是想写“notify”？）', menu: '菜单' },
  { locale: 'zh-CN', theme: 'light', warning: 'hosts.yaml:4:1：notfy：未知的键“notfy”，已忽略（是不是想写“notify”？）', menu: '菜单' },
  { locale: 'en', theme: 'dark', warning: 'hosts.yaml:4:1: notfy: unknown key "notfy" is ignored (did you mean "notify"?)', menu: 'Menu' },
] as const;

describe('every page in Simplified Chinese (dark and light) and English (dark)', () => {
  for (const look of LOOKS) {
    const prefix = `${look.locale === 'en' ? 'en' : 'zh'}-${look.theme}`;
    for (const [viewport, size] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      it(`${prefix} ${size}: fits, nothing overlaps (screenshots)`, { timeout: 300_000 }, async () => {
        const { context, page } = await newPage(ctx.browser, viewport, undefined, { locale: look.locale, colorScheme: look.theme });
        try {
          await page.addInitScript((theme) => localStorage.setItem('tb.theme', theme), look.theme);
          await page.goto(ctx.bridge.url);
          await page.locator('.login, form').first().waitFor();
          await screenshot(page, `${prefix}-login-${size}`);
          await login(page, ctx.bridge.url, ctx.bridge.token, '/');
          // The app renders once its language's catalog is loaded: by then the page says which it is.
          await page.locator('#main').waitFor();
          expect(await page.locator('html').getAttribute('lang')).toBe(look.locale);
          const problems: string[] = [];
          for (const [path, name] of [...PAGES, [`sessions/${sessionKey}`, 'terminal'] as const]) {
            await page.goto(new URL(path, ctx.bridge.url).toString());
            await page.locator('#main').waitFor();
            await page.waitForLoadState('networkidle').catch(() => undefined);
            await page.waitForTimeout(400);
            await screenshot(page, `${prefix}-${name}-${size}`);
            if (name === 'config') expect(await page.locator('.notice-warn').textContent()).toContain(look.warning);
            if (await hasHorizontalScroll(page)) problems.push(`${name}: the page scrolls sideways`);
            for (const problem of await layoutProblems(page)) problems.push(`${name}: ${problem}`);
            if (look.locale === 'zh-CN') for (const word of await englishOnPage(page)) problems.push(`${name}: English ${word}`);
            // The phone's menu button names the section the page belongs to.
            if (size === 'phone' && (await page.locator('.menu-button').textContent())?.trim() === `☰ ${look.menu}`) problems.push(`${name}: the menu button names no section`);
          }
          // The phone's menu and the terminal's More menu, open.
          if (size === 'phone') {
            await page.locator('[data-testid="toolbar-more"]:visible').click();
            await screenshot(page, `${prefix}-terminal-more-${size}`);
            await page.keyboard.press('Escape');
            await page.getByRole('button', { name: new RegExp(`^${look.menu}`) }).click();
            await screenshot(page, `${prefix}-menu-${size}`);
          }
          expect(problems).toEqual([]);
        } finally {
          await closeQuietly(context);
        }
      });
    }
  }
});

describe('config problems in Simplified Chinese', () => {
  it('a rejected policy.yaml edit: the Config page and the history say what is wrong in Chinese', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage(ctx.browser, DESKTOP, undefined, { locale: 'zh-CN', colorScheme: 'dark' });
    try {
      await page.addInitScript(() => localStorage.setItem('tb.theme', 'dark'));
      await login(page, ctx.bridge.url, ctx.bridge.token, '/config');
      await page.getByTestId('config-ok').waitFor({ timeout: 30_000 });
      writeFileSync(ctx.files.policyPath, POLICY.replace('require_approval: true', 'require_approval: maybe').replace('after_stage_success: lint', 'after_stage_success: lnt'));
      const problem = page.getByTestId('config-error');
      await problem.waitFor({ timeout: 30_000 });
      const text = (await problem.textContent()) ?? '';
      expect(text).toMatch(/policy\.yaml:\d+:\d+：pipelines\[0\]\.stages\[1\]\.require_approval：应为 true 或 false/);
      expect(text).not.toContain('expected true or false');
      await screenshot(page, 'zh-dark-config-error-desktop');
      // A schema error stops before the stage names are checked: fix it, and the loader's own error follows.
      writeFileSync(ctx.files.policyPath, POLICY.replace('after_stage_success: lint', 'after_stage_success: lnt'));
      await page.getByText('“lnt”不是这条流水线的阶段（阶段：lint, build）').waitFor({ timeout: 30_000 });
      await page.goto(new URL('history', ctx.bridge.url).toString());
      const row = page.locator('.event-row[data-type="CONFIG_ERROR"]').first();
      await row.waitFor({ timeout: 30_000 });
      expect(await row.locator('.event-text').textContent()).toMatch(/配置错误: \S*policy\.yaml:\d+:\d+：pipelines\[0\]\.stages\[1\]\.triggers\.any_of\[0\]\.after_stage_success：“lnt”不是这条流水线的阶段/);
      await screenshot(page, 'zh-dark-history-config-error-desktop');
    } finally {
      writeFileSync(ctx.files.policyPath, POLICY);
      await closeQuietly(context);
    }
  });
});
