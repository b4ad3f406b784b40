/** A translation of an English catalog part: every key of `T`, no other key, each a string. */
export type Translation<T> = { readonly [K in keyof T]: string };

/** The languages the UI speaks. `en` is the source catalog and always loaded. */
export type Locale = 'en' | 'zh-CN';

export const LOCALES: readonly { readonly id: Locale; readonly name: string }[] = [
  { id: 'en', name: 'English' },
  { id: 'zh-CN', name: '简体中文' },
];

/** Values substituted for `{name}` placeholders. */
export type Params = Readonly<Record<string, string | number>>;
