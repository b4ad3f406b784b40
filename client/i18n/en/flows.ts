/**
 * Strings of the Flows pages. Keys start with `flows.`; add each key here AND in
 * client/i18n/zh-CN/flows.ts (the typecheck and test/unit/i18n-catalog.test.ts check both).
 */
export const flows = {
  'flows.title': 'Flows',
} as const;
