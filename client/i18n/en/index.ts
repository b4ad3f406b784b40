/**
 * The English catalog: the source of every key. One file per area so parallel work
 * does not collide. `en` holds the areas the first paint needs; the others are
 * added by the lazily loaded code that shows them (addEnglish), so their strings
 * travel with their chunk.
 */
import { board } from './board.ts';
import { common } from './common.ts';
import type { config } from './config.ts';
import type { executions } from './executions.ts';
import type { flows } from './flows.ts';
import type { history } from './history.ts';
import type { issues } from './issues.ts';
import type { queues } from './queues.ts';
import type { reasons } from './reasons.ts';
import type { serverWords } from './server-words.ts';
import type { terminal } from './terminal.ts';
import type { termtools } from './termtools.ts';

export const en = { ...common, ...board };

/** Every English key, the lazily added areas included. */
export type EnglishCatalog = typeof en & typeof terminal & typeof termtools & typeof config & typeof history & typeof issues & typeof queues & typeof reasons & typeof flows & typeof executions & typeof serverWords;
