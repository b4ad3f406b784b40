import { join } from 'node:path';
import type { Router } from 'express';
import type { EventBus } from '../../events/index.ts';
import type { SessionHosts } from '../../sessions/index.ts';
import type { Store } from '../../store/index.ts';
import { ToolRegistry, toolRoutes } from '../tools/index.ts';
import { cliRoutes, executionRoutes, resumeKeyRoutes, sessionExecuteRoutes } from './routes.ts';
import { Executions, type ExecutionServiceOptions } from './service.ts';

export type { ExecutionLinks, ExecutionService } from './contract.ts';
export { Executions, type ExecutionServiceOptions } from './service.ts';
export { concatPrompt, DEFAULT_MAX_HISTORY_BYTES } from './resume.ts';
export { executionMetrics } from './metrics.ts';

export interface ExecutionsDomain {
  readonly service: Executions;
  readonly tools: ToolRegistry;
  /** Routers mounted under /api. */
  readonly apiRouters: ReadonlyArray<readonly [string, Router]>;
  /** Routers mounted outside /api (the tool hook callback, with its own per-session token). */
  readonly publicRouters: ReadonlyArray<readonly [string, Router]>;
  /** The server listens at `url`: writes the hook script that calls back to it. */
  listening(url: string): Promise<void>;
  dispose(): void;
}

/**
 * Tools and executions, wired for the bridge: the custom tools file is
 * `TMUX_BRIDGE_TOOLS` or `<data-dir>/tools.yaml`.
 */
export async function startExecutions(parts: {
  hub: SessionHosts;
  bus: EventBus;
  store: Store;
  dataDir: string;
  token: string;
  log: (message: string) => void;
  options?: ExecutionServiceOptions;
}): Promise<ExecutionsDomain> {
  const tools = new ToolRegistry({ toolsFile: process.env.TMUX_BRIDGE_TOOLS || join(parts.dataDir, 'tools.yaml'), log: parts.log });
  const service = new Executions({
    hub: parts.hub,
    bus: parts.bus,
    executions: parts.store.executions,
    resume: parts.store.resume,
    cliOutput: parts.store.cliOutput,
    tools,
    dataDir: parts.dataDir,
    token: parts.token,
    log: parts.log,
    options: parts.options,
  });
  await service.start();
  return {
    service,
    tools,
    apiRouters: [
      ['/cli-sessions', sessionExecuteRoutes(service)],
      ['/executions', executionRoutes(service)],
      ['/cli', cliRoutes(service, parts.store.cliOutput)],
      ['/resume-keys', resumeKeyRoutes(parts.store.resume)],
      ['/tools', toolRoutes(tools)],
    ],
    publicRouters: [['/hooks', service.hooks.router()]],
    listening: (url) => service.hooks.install(url).catch((error: unknown) => parts.log(`tool hook script not written: ${String(error)}`)),
    dispose: () => service.dispose(),
  };
}
