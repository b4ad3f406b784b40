import type { flows as en } from '../en/flows.ts';
import type { Translation } from '../types.ts';

export const flows: Translation<typeof en> = {
  'flows.title': '流程',
};
