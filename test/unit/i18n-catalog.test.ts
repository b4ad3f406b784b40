import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../client/i18n/catalog.ts';
import { en } from '../../client/i18n/en/index.ts';
import { fromBrowser } from '../../client/i18n/locale.ts';
import { zhCN } from '../../client/i18n/zh-CN/index.ts';

const I18N = join(import.meta.dirname, '..', '..', 'client', 'i18n');
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
      // Every area is spread into its language's catalog.
      for (const key of Object.keys(source)) expect(en, `en/${file} not in en/index.ts`).toHaveProperty([key]);
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
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.tsx?$/.test(entry.name)) {
          for (const m of readFileSync(path, 'utf8').matchAll(/\bt\(\s*'([\w.-]+)'/g)) used.add(m[1]!);
        }
      }
    };
    walk(join(I18N, '..'));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });
});

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
