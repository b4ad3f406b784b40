export { evaluatePipeline, stageState, isTerminal } from './machine.ts';
export { evaluateGroup } from './conditions.ts';
export type { GroupName, GroupOutcome, ConditionInput } from './conditions.ts';
export { hostWatchesPane, pipelineMatchesPane, pipelinesForPane } from './match.ts';
export { renderTemplate, escalationText } from './text.ts';
export type { TemplateVars } from './text.ts';
export type * from './types.ts';
