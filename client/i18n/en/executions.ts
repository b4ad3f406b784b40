/**
 * Strings of the Executions pages. Keys start with `executions.`; add each key here AND in
 * client/i18n/zh-CN/executions.ts (the typecheck and test/unit/i18n-catalog.test.ts check both).
 */
export const executions = {
  'executions.title': 'Executions',
} as const;
