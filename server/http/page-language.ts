/**
 * The language of a page the server renders itself (login link failures, signed
 * approval links): the web UI's languages, chosen by the browser's Accept-Language
 * as the UI's first visit does.
 */
import type { Request } from 'express';

export type PageLanguage = 'en' | 'zh-CN';

/** Chinese when the browser prefers it to English, else English (also without a header). */
export function pageLanguage(req: Request): PageLanguage {
  const best = req.acceptsLanguages('en', 'zh-CN', 'zh');
  return best === 'zh-CN' || best === 'zh' ? 'zh-CN' : 'en';
}

const LOGIN_WORDS = {
  en: {
    limited: 'Too many wrong login links from this address. Wait a minute, then use the URL the server printed.',
    invalid: 'That login link is not valid. Use the URL the server printed when it started.',
  },
  'zh-CN': {
    limited: '来自此地址的错误登录链接过多。请等一分钟，再使用服务器打印的网址。',
    invalid: '这个登录链接无效。请使用服务器启动时打印的网址。',
  },
} as const;

/** The small page a wrong login link gets, in the browser's language. */
export function loginFailurePage(req: Request, why: 'limited' | 'invalid'): string {
  const language = pageLanguage(req);
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>tmux-bridge</title></head><body><p>${LOGIN_WORDS[language][why]}</p></body></html>`;
}
