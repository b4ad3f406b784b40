/** The Simplified Chinese catalog, every area (loaded on demand as a chunk of its own). */
import type { Catalog } from '../catalog.ts';
import { board } from './board.ts';
import { common } from './common.ts';
import { config } from './config.ts';
import { executions } from './executions.ts';
import { flows } from './flows.ts';
import { history } from './history.ts';
import { issues } from './issues.ts';
import { queues } from './queues.ts';
import { reasons } from './reasons.ts';
import { serverWords } from './server-words.ts';
import { terminal } from './terminal.ts';
import { termtools } from './termtools.ts';

export const zhCN: Catalog = { ...common, ...board, ...terminal, ...termtools, ...config, ...history, ...issues, ...queues, ...reasons, ...flows, ...executions, ...serverWords };
