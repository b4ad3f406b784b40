import type { queues as en } from '../en/queues.ts';
import type { Translation } from '../types.ts';

export const queues: Translation<typeof en> = {
  'queues.title': '队列',
};
