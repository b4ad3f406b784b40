/**
 * The agent engine's public face: config loading and live reload, the line splitter,
 * the message parser, the stage state machine, approvals, notifications and actions
 * (all independent of live panes), and `startAgentBoard`, which runs them on live
 * tmux panes and serves the agent board API (engine/, http/).
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
export { startAgentBoard } from './board.ts';
export type { AgentBoard, AgentBoardDeps } from './board.ts';
export type { AgentEngine, AgentEngineOptions } from './engine/engine.ts';
