import type { issues as en } from '../en/issues.ts';
import type { Translation } from '../types.ts';

export const issues: Translation<typeof en> = {
  'issues.title': '议题',
};
