import { describe, expect, it } from 'vitest';
import { closeQuietly, login, newPage, useBrowserBridge } from '../helpers/browser.ts';

const ctx = useBrowserBridge();

describe('the UI language', () => {
  it('follows a Chinese browser, switches to English in one tap and remembers the choice', async () => {
    const { context, page } = await newPage(ctx.browser, undefined, undefined, { locale: 'zh-CN' });
    try {
      await page.goto(ctx.bridge.url);
      await page.getByRole('heading', { name: '未登录' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

      await login(page, ctx.bridge.url, ctx.bridge.token, '/');
      const nav = page.getByRole('navigation', { name: '主导航' });
      await nav.getByRole('link', { name: '终端' }).waitFor();
      await page.waitForFunction(() => document.title.includes('仪表盘'));
      // A lazily loaded page brings its strings along.
      await page.goto(new URL('config', ctx.bridge.url).toString());
      await page.getByRole('heading', { name: '文件与设置' }).waitFor();
      await page.goto(new URL('sessions', ctx.bridge.url).toString());
      await page.getByRole('button', { name: '新建会话' }).waitFor();

      await page.getByTestId('lang-switch').click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Terminals' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await page.getByRole('button', { name: 'New session' }).waitFor();
      await page.waitForFunction(() => document.title.includes('Terminals'));

      // Saved for this browser: a reload stays English although the browser asks for Chinese.
      await page.reload();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Terminals' }).waitFor();
      expect(await page.evaluate(() => localStorage.getItem('tb.lang'))).toBe('en');

      await page.getByTestId('lang-switch').click();
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '终端' }).waitFor();
      expect(await page.evaluate(() => localStorage.getItem('tb.lang'))).toBe('zh-CN');
    } finally {
      await closeQuietly(context);
    }
  });

  it('is English for an English browser, and dates follow the UI language', async () => {
    const { context, page } = await newPage(ctx.browser);
    try {
      await login(page, ctx.bridge.url, ctx.bridge.token, '/');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Terminals' }).waitFor();
      const format = (iso: string, lang: string) =>
        page.evaluate(
          async ([iso, lang]) => {
            const i18n = (window as unknown as { tmuxBridge: { i18n: { setLocale(l: string): Promise<void>; relativeTime(iso: string, at: number): string; duration(ms: number): string } } }).tmuxBridge.i18n;
            await i18n.setLocale(lang!);
            return [i18n.relativeTime(iso!, Date.parse(iso!) + 3 * 60_000), i18n.relativeTime(iso!, Date.parse(iso!) + 26 * 3600_000), i18n.duration(185_000)];
          },
          [iso, lang],
        );
      const iso = '2026-03-01T10:00:00Z';
      expect(await format(iso, 'en')).toEqual(['3 minutes ago', 'yesterday', '3 min 5 s']);
      expect(await format(iso, 'zh-CN')).toEqual(['3分钟前', '昨天', '3 分 5 秒']);
    } finally {
      await closeQuietly(context);
    }
  });
});
