import type { ExecutionGroup, QueueItem } from '../../../schemas/queue.ts';
import { ruleIssue, type RuleIssue } from '../../../schemas/rule.ts';

/** Something wrong with a queue's shape: the API answers 400 with `details`. */
export class QueueShapeError extends Error {
  constructor(
    message: string,
    readonly details: unknown[],
  ) {
    super(message);
    this.name = 'QueueShapeError';
  }
}

/** Items sorted the way they run: by group (array order), then execution_order, then id. */
export function sortItems(items: readonly QueueItem[], groups: readonly ExecutionGroup[]): QueueItem[] {
  const groupIndex = new Map(groups.map((g, i) => [g.id, i]));
  return [...items].sort(
    (a, b) =>
      (groupIndex.get(a.execution_group) ?? groups.length) - (groupIndex.get(b.execution_group) ?? groups.length) ||
      a.execution_order - b.execution_order ||
      a.item_id.localeCompare(b.item_id, 'en', { numeric: true }),
  );
}

/** The items of one group in run order. */
export function groupItems(items: readonly QueueItem[], groupId: string): QueueItem[] {
  return items
    .filter((i) => i.execution_group === groupId)
    .sort((a, b) => a.execution_order - b.execution_order || a.item_id.localeCompare(b.item_id, 'en', { numeric: true }));
}

/**
 * What an item waits for: its `depends_on` plus, in a sequential group, the
 * item just before it. These are the edges the scheduler follows.
 */
export function waitEdges(items: readonly QueueItem[], groups: readonly ExecutionGroup[]): Map<string, string[]> {
  const edges = new Map<string, string[]>(items.map((i) => [i.item_id, [...i.depends_on]]));
  for (const group of groups) {
    if (group.type !== 'sequential') continue;
    const members = groupItems(items, group.id);
    for (let k = 1; k < members.length; k++) edges.get(members[k]!.item_id)!.push(members[k - 1]!.item_id);
  }
  return edges;
}

/** A cycle in the wait graph, as the ids around it (first id repeated at the end), or undefined. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1 on the path, 2 done
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 1);
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      if (!edges.has(next)) continue;
      const s = state.get(next);
      if (s === 1) return [...path.slice(path.indexOf(next)), next];
      if (s === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const id of edges.keys()) {
    if (state.has(id)) continue;
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}

/**
 * Checks a queue's groups and items: every group id unique, every item in a
 * known group, every dependency a known item in the same or an earlier group
 * (groups run in order, so a later one would wait forever), and no cycle
 * (sequential order counts). Throws QueueShapeError naming what is wrong.
 */
export function validateQueueShape(items: readonly QueueItem[], groups: readonly ExecutionGroup[]): void {
  const details: RuleIssue[] = [];
  const groupIndex = new Map<string, number>();
  groups.forEach((g, i) => {
    if (groupIndex.has(g.id)) details.push(ruleIssue('queue_group_twice', ['execution_groups', i, 'id'], `group id "${g.id}" is used twice`, { group: g.id }));
    groupIndex.set(g.id, i);
  });
  const byId = new Map<string, QueueItem>();
  for (const item of items) {
    if (byId.has(item.item_id)) details.push(ruleIssue('queue_item_twice', ['items', item.item_id], `item id "${item.item_id}" is used twice`, { item: item.item_id }));
    byId.set(item.item_id, item);
    if (!groupIndex.has(item.execution_group)) {
      details.push(
        ruleIssue('queue_unknown_group', ['items', item.item_id, 'execution_group'], `item ${item.item_id}: unknown execution group "${item.execution_group}"`, {
          item: item.item_id,
          group: item.execution_group,
        }),
      );
    }
  }
  for (const item of items) {
    item.depends_on.forEach((dep, k) => {
      const target = byId.get(dep);
      if (!target) {
        details.push(ruleIssue('queue_unknown_dependency', ['items', item.item_id, 'depends_on', k], `item ${item.item_id} depends on unknown item "${dep}"`, { item: item.item_id, dependency: dep }));
      } else if (dep === item.item_id) {
        details.push(ruleIssue('queue_self_dependency', ['items', item.item_id, 'depends_on', k], `item ${item.item_id} depends on itself`, { item: item.item_id }));
      } else if ((groupIndex.get(target.execution_group) ?? 0) > (groupIndex.get(item.execution_group) ?? 0)) {
        details.push(
          ruleIssue(
            'queue_later_group',
            ['items', item.item_id, 'depends_on', k],
            `item ${item.item_id} (group ${item.execution_group}) depends on ${dep} in the later group ${target.execution_group}; groups run in order, so move one of them`,
            { item: item.item_id, group: item.execution_group, dependency: dep, later: target.execution_group },
          ),
        );
      }
    });
  }
  if (details.length === 0) {
    const cycle = findCycle(waitEdges(items, groups));
    if (cycle) details.push(ruleIssue('queue_cycle', ['depends_on'], `dependency cycle: ${cycle.join(' → ')}`, { cycle: cycle.join(' → ') }));
  }
  if (details.length > 0) throw new QueueShapeError(details.map((d) => d.message).join('; '), details);
}
