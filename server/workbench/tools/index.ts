export { BUILTIN_ADAPTERS, customAdapter, sessionUuidFor, type NativeResume, type OneShotOptions, type ToolAdapter } from './adapter.ts';
export { ToolRegistry, type ToolRegistryOptions } from './registry.ts';
export { toolRoutes } from './routes.ts';
