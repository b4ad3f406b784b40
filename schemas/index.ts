export * from './common.ts';
export * from './session.ts';
export * from './terminal.ts';
export * from './events.ts';
export * from './agent-config.ts';
export * from './agent.ts';
export * from './agent-config-view.ts';
export * from './store.ts';
