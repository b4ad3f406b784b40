/**
 * Strings of the Queues pages. Keys start with `queues.`; add each key here AND in
 * client/i18n/zh-CN/queues.ts (the typecheck and test/unit/i18n-catalog.test.ts check both).
 */
export const queues = {
  'queues.title': 'Queues',
} as const;
