/**
 * Which panes are watched (hosts.yaml filters) and which pipelines apply to a pane
 * (policy.yaml `match`). All regexes use search semantics, as Python's `re.search`.
 */
import type { CompiledGroup, CompiledHost, CompiledMatchCondition, CompiledPipeline, CompiledPolicy } from '../config/types.ts';
import type { PaneFacts } from './types.ts';

/**
 * A host watches a pane when its session matches one of `session_filters` (or there
 * are none) and its title or window name matches one of `pane_name_patterns` (or
 * there are none).
 */
export function hostWatchesPane(host: CompiledHost, pane: PaneFacts): boolean {
  if (host.sessionFilters.length > 0 && !host.sessionFilters.some((re) => re.test(pane.sessionName))) return false;
  if (
    host.paneNamePatterns.length > 0 &&
    !host.paneNamePatterns.some((re) => re.test(pane.paneTitle) || re.test(pane.windowName))
  ) {
    return false;
  }
  return true;
}

/** Every key a match condition has must match (a condition is one pane description). */
function conditionMatches(condition: CompiledMatchCondition, pane: PaneFacts): boolean {
  if (condition.windowName && !condition.windowName.test(pane.windowName)) return false;
  if (condition.paneTitle && !condition.paneTitle.test(pane.paneTitle)) return false;
  if (condition.sessionName && !condition.sessionName.test(pane.sessionName)) return false;
  return true;
}

function groupMatches(group: CompiledGroup<CompiledMatchCondition>, pane: PaneFacts): boolean {
  if (!group.allOf.every((condition) => conditionMatches(condition, pane))) return false;
  return group.anyOf.length === 0 || group.anyOf.some((condition) => conditionMatches(condition, pane));
}

/** A pipeline without `match` applies to every watched pane. */
export function pipelineMatchesPane(pipeline: CompiledPipeline, pane: PaneFacts): boolean {
  return pipeline.match === null || groupMatches(pipeline.match, pane);
}

export function pipelinesForPane(policy: CompiledPolicy, pane: PaneFacts): CompiledPipeline[] {
  return policy.pipelines.filter((pipeline) => pipelineMatchesPane(pipeline, pane));
}
