/**
 * The agent engine's public face: config loading and live reload, the line splitter,
 * the message parser, the stage state machine, approvals, notifications and actions.
 * Everything here is independent of live tmux panes; the watcher that feeds pane
 * streams through it lives with the integration.
 */
export * from './config/index.ts';
export { LineSplitter } from './lines.ts';
export type { LineChunk, SplitLine, LineSplitterOptions } from './lines.ts';
export { parseMessage, parseMessages } from './parser.ts';
export type { ParsedMessage, MessageSource } from './parser.ts';
export * from './policy/index.ts';
export * from './approvals/index.ts';
export * from './notify/index.ts';
export { runActions, runShellAction, sshArgs } from './actions.ts';
export type { ActionOutcome, ActionContext } from './actions.ts';
