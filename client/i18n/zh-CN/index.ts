/** The Simplified Chinese catalog (loaded on demand as a chunk of its own). */
import type { Catalog } from '../catalog.ts';
import { common } from './common.ts';
import { executions } from './executions.ts';
import { flows } from './flows.ts';
import { issues } from './issues.ts';
import { queues } from './queues.ts';

export const zhCN: Catalog = { ...common, ...issues, ...queues, ...flows, ...executions };
