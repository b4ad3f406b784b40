/** The English catalog: the source of every key. One file per area so parallel work does not collide. */
import { common } from './common.ts';
import { executions } from './executions.ts';
import { flows } from './flows.ts';
import { issues } from './issues.ts';
import { queues } from './queues.ts';

export const en = { ...common, ...issues, ...queues, ...flows, ...executions };
