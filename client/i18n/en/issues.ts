/**
 * Strings of the Issues pages. Keys start with `issues.`; add each key here AND in
 * client/i18n/zh-CN/issues.ts (the typecheck and test/unit/i18n-catalog.test.ts check both).
 */
export const issues = {
  'issues.title': 'Issues',
} as const;
