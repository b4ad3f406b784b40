import type { executions as en } from '../en/executions.ts';
import type { Translation } from '../types.ts';

export const executions: Translation<typeof en> = {
  'executions.title': '执行记录',
};
