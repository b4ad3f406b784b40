export { loadAgentConfig, parseAgentConfig, defaultAgentConfig, readConfigText, expandHome, configHash } from './load.ts';
export type { LoadAgentConfigOptions, ConfigText } from './load.ts';
export { ConfigWatcher } from './watcher.ts';
export type { ConfigWatcherOptions, ConfigReloaded, ConfigRejected, CheckOutcome } from './watcher.ts';
export { compilePythonRegex, translatePythonRegex, PythonRegexError } from './regex.ts';
export type { CompiledRegex, TranslatedRegex } from './regex.ts';
export { formatIssue, formatIssuePath } from './yaml-source.ts';
export type * from './types.ts';
