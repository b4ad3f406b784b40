/** Orchestrator flows (docs/api.md "Orchestrator flows", docs/workbench.md): durable DAGs of prompts run in sessions. */
export { FlowService, type FlowServiceOptions } from './service.ts';
export { flowRoutes } from './routes.ts';
export { executionsUnavailable, type FlowExecutor, type FlowExecution, type FlowExecuteRequest, type FlowSessions } from './executor.ts';
