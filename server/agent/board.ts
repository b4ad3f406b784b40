/**
 * `startAgentBoard`: the agent board as the bridge mounts it — the engine (config,
 * host watchers, pane runtimes, approvals, notifications) plus its HTTP routers.
 *
 *   const board = await startAgentBoard({ tmux, store, bus, options, log, sessionKeyOf });
 *   createApp({ api: [...others, ...board.apiRouters], publicRoutes: board.publicRouters, ... });
 *   await board.close();   // in the bridge's close(), before the store and tmux go
 */
import type { Router } from 'express';
import type { IAsyncDisposable } from '../../base/lifecycle.ts';
import { AgentEngine, type AgentEngineDeps } from './engine/engine.ts';
import { approvalLinkRoutes } from './http/approval-pages.ts';
import { agentApiRoutes } from './http/api.ts';

export type AgentBoardDeps = AgentEngineDeps;

export interface AgentBoard extends IAsyncDisposable {
  /** Mount under /api (they carry their own sub-paths: /overview, /pipelines, …). */
  readonly apiRouters: ReadonlyArray<readonly [string, Router]>;
  /** Mount at the top level, without the bridge token: the signed approval links. */
  readonly publicRouters: ReadonlyArray<readonly [string, Router]>;
  readonly engine: AgentEngine;
  /** Stops watching (progress written first) and the config/approval file watches. */
  close(): Promise<void>;
}

export async function startAgentBoard(deps: AgentBoardDeps): Promise<AgentBoard> {
  const engine = await AgentEngine.start(deps);
  const sessionKeyOf = (paneId: string) => deps.sessionKeyOf?.(paneId) ?? null;
  return {
    apiRouters: [['/', agentApiRoutes({ engine, bridge: deps.tmux, sessionKeyOf })]],
    publicRouters: [['/a', approvalLinkRoutes(engine.approvals)]],
    engine,
    close: engine.close,
  };
}
