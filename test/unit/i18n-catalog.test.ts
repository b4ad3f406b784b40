import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../client/i18n/catalog.ts';
import { en as eager } from '../../client/i18n/en/index.ts';
import { fromBrowser } from '../../client/i18n/locale.ts';
import { zhCN } from '../../client/i18n/zh-CN/index.ts';

const I18N = join(import.meta.dirname, '..', '..', 'client', 'i18n');
/** Every English area (the first-paint ones and those their lazy pages add). */
const en: Record<string, string> = {};
for (const file of readdirSync(join(I18N, 'en')).filter((f) => f !== 'index.ts')) {
  Object.assign(en, ...(Object.values(await import(join(I18N, 'en', file))) as Record<string, string>[]));
}
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('the Chinese catalog has every English key, and no key English lacks', () => {
    const english = Object.keys(en);
    const chinese = Object.keys(zhCN);
    expect(english.length).toBeGreaterThan(20);
    expect(english.filter((key) => !(key in zhCN)), 'keys missing from zh-CN').toEqual([]);
    expect(chinese.filter((key) => !(key in en)), 'keys in zh-CN that en lacks').toEqual([]);
  });

  it('each area file pairs with its translation, key for key', async () => {
    const areas = readdirSync(join(I18N, 'en')).filter((file) => file !== 'index.ts');
    expect(readdirSync(join(I18N, 'zh-CN')).filter((file) => file !== 'index.ts').sort()).toEqual(areas.sort());
    for (const file of areas) {
      const source = Object.values(await import(join(I18N, 'en', file)))[0] as Record<string, string>;
      const translation = Object.values(await import(join(I18N, 'zh-CN', file)))[0] as Record<string, string>;
      expect(Object.keys(translation).sort(), `zh-CN/${file}`).toEqual(Object.keys(source).sort());
      // Every area reaches its language's catalog: spread into zh-CN/index.ts; English eagerly or by addEnglish() in the code that shows it.
      const added = new RegExp(`i18n/en/${file.replace('.ts', '')}\\.ts`);
      const lazy = !(Object.keys(source)[0]! in eager);
      // server-words.ts: English shows the server's own message, so its English never reaches a browser.
      if (lazy && file !== 'server-words.ts') expect(clientSources().some((text) => added.test(text) && text.includes('addEnglish(')), `en/${file}: not in en/index.ts and no module calls addEnglish with it`).toBe(true);
      for (const key of Object.keys(translation)) expect(zhCN, `zh-CN/${file} not in zh-CN/index.ts`).toHaveProperty([key]);
    }
  });

  it('translations are not empty and keep the placeholders of the English text', () => {
    for (const [key, text] of Object.entries(en)) {
      const translated = (zhCN as Record<string, string>)[key] ?? '';
      expect(text.trim(), `en ${key}`).not.toBe('');
      expect(translated.trim(), `zh-CN ${key}`).not.toBe('');
      expect(placeholders(translated), `placeholders of ${key}`).toEqual(placeholders(text));
    }
  });

  it('plural keys come in pairs (.one and .other)', () => {
    for (const key of Object.keys(en)) {
      if (key.endsWith('.one')) expect(en, key).toHaveProperty([key.replace(/\.one$/, '.other')]);
    }
  });

  it('every t() key the client uses exists in the catalog', () => {
    const used = new Set<string>();
    for (const text of clientSources()) {
      for (const m of text.matchAll(/\bt\(\s*'([\w.-]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/<Rich k="([\w.-]+)"/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\bplural\(\s*'([\w.-]+)'/g)) used.add(`${m[1]!}.other`);
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });
});

/** The text of every client source file. */
function clientSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) out.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(I18N, '..'));
  return out;
}

describe('i18n helpers', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('{n} tabs of {who}', { n: 3 })).toBe('3 tabs of {who}');
  });

  it('picks Chinese for any zh browser language and English otherwise', () => {
    expect(fromBrowser(['zh-CN'])).toBe('zh-CN');
    expect(fromBrowser(['zh-TW', 'en'])).toBe('zh-CN');
    expect(fromBrowser(['fr-FR', 'en-GB'])).toBe('en');
    expect(fromBrowser(['de'])).toBe('en');
    expect(fromBrowser([])).toBe('en');
  });
});
