export * from './common.ts';
export * from './session.ts';
export * from './terminal.ts';
export * from './events.ts';
