/**
 * From validated file data to what the engine runs: every regex compiled once
 * (Python syntax translated), and the checks a schema cannot make alone (unique
 * names, `after_stage_success` naming a real stage).
 */
import {
  BRIDGE_SOCKET,
  type HostConfig,
  type MatchCondition,
  type MatchConditionGroup,
  type PolicyConfig,
  type StageCondition,
  type StageConditionGroup,
} from '../../../schemas/agent-config.ts';
import { compilePythonRegex, PythonRegexError } from './regex.ts';
import type {
  CompiledGroup,
  CompiledHost,
  CompiledMatchCondition,
  CompiledPipeline,
  CompiledPolicy,
  CompiledStage,
  CompiledStageCondition,
  IssuePath,
} from './types.ts';
import type { RawIssue } from './validate.ts';
import { words } from './words.ts';

interface Sink {
  errors: RawIssue[];
  warnings: RawIssue[];
}

function regex(pattern: string, path: IssuePath, sink: Sink): RegExp {
  try {
    const compiled = compilePythonRegex(pattern);
    for (const said of compiled.warningWords) sink.warnings.push({ path, ...said });
    return compiled.regex;
  } catch (error) {
    sink.errors.push({ path, ...(error instanceof PythonRegexError ? error.words : words('config_regex_invalid', { pattern: JSON.stringify(pattern) })) });
    return /(?!)/; // never matches; the config is rejected anyway
  }
}

function group<C, R>(
  source: { anyOf: readonly C[]; allOf: readonly C[] } | null,
  path: IssuePath,
  compile: (condition: C, path: IssuePath) => R,
): CompiledGroup<R> | null {
  if (source === null) return null;
  return {
    anyOf: source.anyOf.map((condition, k) => compile(condition, [...path, 'any_of', k])),
    allOf: source.allOf.map((condition, k) => compile(condition, [...path, 'all_of', k])),
  };
}

/** `bridgeSocket`: the bridge's own `--socket`, which `socket: bridge` stands for on a local host. */
export function compileHosts(hosts: readonly HostConfig[], sink: Sink, bridgeSocket: string): CompiledHost[] {
  const seen = new Set<string>();
  return hosts.map((host, i) => {
    if (seen.has(host.name)) sink.errors.push({ path: ['hosts', i, 'name'], ...words('config_host_twice', { name: host.name }) });
    seen.add(host.name);
    let tmux = host.tmux;
    if (tmux.socket === BRIDGE_SOCKET) {
      // The bridge's server is on this machine; on an ssh host the word would silently mean another server.
      if (host.ssh) sink.errors.push({ path: ['hosts', i, 'tmux', 'socket'], ...words('config_bridge_socket_ssh', { socket: BRIDGE_SOCKET }) });
      else tmux = { ...tmux, socket: bridgeSocket };
    }
    return {
      name: host.name,
      ssh: host.ssh,
      tmux,
      sessionFilters: host.tmux.sessionFilters.map((p, k) => regex(p, ['hosts', i, 'tmux', 'session_filters', k], sink)),
      paneNamePatterns: host.tmux.paneNamePatterns.map((p, k) => regex(p, ['hosts', i, 'tmux', 'pane_name_patterns', k], sink)),
    };
  });
}

function compileMatch(match: MatchConditionGroup | null, path: IssuePath, sink: Sink): CompiledGroup<CompiledMatchCondition> | null {
  return group<MatchCondition, CompiledMatchCondition>(match, path, (c, at) => ({
    windowName: c.windowName === null ? null : regex(c.windowName, [...at, 'window_name'], sink),
    paneTitle: c.paneTitle === null ? null : regex(c.paneTitle, [...at, 'pane_title'], sink),
    sessionName: c.sessionName === null ? null : regex(c.sessionName, [...at, 'session_name'], sink),
    written: c,
  }));
}

function compileConditions(
  source: StageConditionGroup | null,
  path: IssuePath,
  stageNames: readonly string[],
  self: number,
  sink: Sink,
): CompiledGroup<CompiledStageCondition> | null {
  return group<StageCondition, CompiledStageCondition>(source, path, (c, at) => {
    if (c.afterStageSuccess !== null) {
      const target = stageNames.indexOf(c.afterStageSuccess);
      const where = [...at, 'after_stage_success'];
      if (target < 0) {
        sink.errors.push({ path: where, ...words('config_no_such_stage', { stage: c.afterStageSuccess, stages: stageNames.join(', ') }) });
      } else if (target === self) {
        sink.errors.push({ path: where, ...words('config_own_stage') });
      } else if (target > self) {
        sink.warnings.push({ path: where, ...words('config_later_stage', { stage: c.afterStageSuccess }) });
      }
    }
    return {
      logRegex: c.logRegex === null ? null : regex(c.logRegex, [...at, 'log_regex'], sink),
      messageType: c.messageType,
      afterStageSuccess: c.afterStageSuccess,
      written: c,
    };
  });
}

export function compilePolicy(policy: PolicyConfig, sink: Sink): CompiledPolicy {
  const pipelineNames = new Set<string>();
  const pipelines: CompiledPipeline[] = policy.pipelines.map((pipeline, p) => {
    const base: IssuePath = ['pipelines', p];
    if (pipelineNames.has(pipeline.name)) {
      sink.errors.push({ path: [...base, 'name'], ...words('config_pipeline_twice', { name: pipeline.name }) });
    }
    pipelineNames.add(pipeline.name);
    const stageNames = pipeline.stages.map((stage) => stage.name);
    const stages: CompiledStage[] = pipeline.stages.map((stage, s) => {
      const at: IssuePath = [...base, 'stages', s];
      if (stageNames.indexOf(stage.name) !== s) {
        sink.errors.push({ path: [...at, 'name'], ...words('config_stage_twice', { name: stage.name, pipeline: pipeline.name }) });
      }
      return {
        name: stage.name,
        index: s,
        triggers: compileConditions(stage.triggers, [...at, 'triggers'], stageNames, s, sink),
        actionsOnStart: stage.actionsOnStart,
        successWhen: compileConditions(stage.successWhen, [...at, 'success_when'], stageNames, s, sink),
        failWhen: compileConditions(stage.failWhen, [...at, 'fail_when'], stageNames, s, sink),
        onFail: stage.onFail,
        requireApproval: stage.requireApproval,
        onStartNotify: stage.onStartNotify,
        onSuccessNotify: stage.onSuccessNotify,
        onFailNotify: stage.onFailNotify,
      };
    });
    return { name: pipeline.name, match: compileMatch(pipeline.match, [...base, 'match'], sink), stages };
  });
  return { principles: policy.principles, pipelines };
}
