import type { FlowEdge, FlowInput, FlowNode } from './flow.ts';

/**
 * The graph rules of a flow, shared by the server (validation on save, the run
 * scheduler) and the editor (the same messages before saving).
 */

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The `{{names}}` an instruction uses, in order of first use. */
export function templateNames(instruction: string): string[] {
  const names = new Set<string>();
  for (const match of instruction.matchAll(TEMPLATE)) names.add(match[1]!);
  return [...names];
}

/** Fills `{{name}}` from `values`; a name without a value stays as written. */
export function fillTemplate(instruction: string, values: Readonly<Record<string, string>>): string {
  return instruction.replace(TEMPLATE, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

export interface FlowProblem {
  /** The node the problem is about (null: the flow as a whole). */
  readonly nodeId: string | null;
  /** Where in the flow body, as zod paths are (`nodes.1.data.instruction`). */
  readonly path: ReadonlyArray<string | number>;
  /** Which rule, for a UI that words it in its own language (`flow_cycle`…); `params` fill its text. */
  readonly code: FlowProblemCode;
  readonly params: Readonly<Record<string, string | number>>;
  /** The same in English, for the API and logs. */
  readonly message: string;
}

export type FlowProblemCode = 'flow_duplicate_id' | 'flow_unknown_node' | 'flow_duplicate_edge' | 'flow_cycle' | 'flow_output_taken' | 'flow_needs_session' | 'flow_unknown_name' | 'flow_unknown_name_owner';

/** Direct upstream node ids per node. */
export function upstreamOf(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Map<string, string[]> {
  const up = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) up.get(e.target)?.push(e.source);
  return up;
}

/** All ancestors of `id` (transitive upstream). */
export function ancestorsOf(id: string, upstream: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(upstream.get(id) ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(upstream.get(next) ?? []));
  }
  return seen;
}

/** Node ids on a cycle, or [] when the graph is a DAG (Kahn's algorithm: what never reaches in-degree 0). */
export function nodesOnCycles(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): string[] {
  const indegree = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const down = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    indegree.set(e.target, indegree.get(e.target)! + 1);
    down.get(e.source)!.push(e.target);
  }
  const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  while (ready.length) {
    const id = ready.pop()!;
    indegree.delete(id);
    for (const t of down.get(id)!) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) ready.push(t);
    }
  }
  return [...indegree.keys()];
}

/** Everything wrong with a flow (empty: it can be saved and run). */
export function flowProblems(flow: Pick<FlowInput, 'nodes' | 'edges' | 'variables'>): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const index = new Map<string, number>();
  flow.nodes.forEach((node, i) => {
    if (index.has(node.id)) problems.push({ nodeId: node.id, path: ['nodes', i, 'id'], code: 'flow_duplicate_id', params: { node: node.id }, message: `node "${node.id}": the id is used twice` });
    else index.set(node.id, i);
  });
  const seenEdges = new Set<string>();
  flow.edges.forEach((edge, i) => {
    for (const end of ['source', 'target'] as const) {
      if (!index.has(edge[end])) problems.push({ nodeId: edge[end], path: ['edges', i, end], code: 'flow_unknown_node', params: { edge: i + 1, node: edge[end] }, message: `edge ${i + 1}: no node "${edge[end]}"` });
    }
    const key = `${edge.source}\u0000${edge.target}`;
    if (seenEdges.has(key)) problems.push({ nodeId: edge.target, path: ['edges', i], code: 'flow_duplicate_edge', params: { edge: i + 1, source: edge.source, target: edge.target }, message: `edge ${i + 1}: "${edge.source}" → "${edge.target}" is given twice` });
    seenEdges.add(key);
  });
  const cyclic = nodesOnCycles(flow.nodes, flow.edges);
  for (const id of cyclic) {
    problems.push({ nodeId: id, path: ['nodes', index.get(id)!], code: 'flow_cycle', params: { node: id }, message: `node "${id}" is on a cycle: a flow must be a DAG (remove an edge)` });
  }
  const outputOwner = new Map<string, string>();
  flow.nodes.forEach((node, i) => {
    const name = node.data.outputName;
    if (!name) return;
    const other = outputOwner.get(name);
    if (other !== undefined) problems.push({ nodeId: node.id, path: ['nodes', i, 'data', 'outputName'], code: 'flow_output_taken', params: { node: node.id, name, other }, message: `node "${node.id}": outputName "${name}" is already node "${other}"'s` });
    else outputOwner.set(name, node.id);
  });
  const upstream = upstreamOf(flow.nodes, flow.edges);
  flow.nodes.forEach((node, i) => {
    if (node.data.delivery === 'sendToSession' && !node.data.targetSessionKey) {
      problems.push({ nodeId: node.id, path: ['nodes', i, 'data', 'targetSessionKey'], code: 'flow_needs_session', params: { node: node.id }, message: `node "${node.id}": sendToSession needs a targetSessionKey (the session to type into)` });
    }
    // On a cycle "upstream" means nothing; the cycle is reported already.
    if (cyclic.includes(node.id)) return;
    const ancestors = ancestorsOf(node.id, upstream);
    const available = new Set(Object.keys(flow.variables));
    for (const a of ancestors) {
      const n = flow.nodes[index.get(a) ?? -1];
      if (n?.data.outputName) available.add(n.data.outputName);
    }
    for (const name of templateNames(node.data.instruction)) {
      if (available.has(name)) continue;
      const owner = outputOwner.get(name);
      const hint = owner ? ` (node "${owner}" has it: add an edge from "${owner}" to "${node.id}")` : '';
      problems.push({
        nodeId: node.id,
        path: ['nodes', i, 'data', 'instruction'],
        ...(owner ? { code: 'flow_unknown_name_owner' as const, params: { node: node.id, name, owner } } : { code: 'flow_unknown_name' as const, params: { node: node.id, name } }),
        message: `node "${node.id}": {{${name}}} is neither a variable nor an upstream node's outputName${hint}`,
      });
    }
  });
  return problems;
}

/** Node ids in an order where every node comes after its upstream nodes (a DAG is assumed). */
export function topologicalOrder(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): string[] {
  const upstream = upstreamOf(nodes, edges);
  const done = new Set<string>();
  const order: string[] = [];
  let progressed = true;
  while (progressed && order.length < nodes.length) {
    progressed = false;
    for (const n of nodes) {
      if (done.has(n.id)) continue;
      if ((upstream.get(n.id) ?? []).every((u) => done.has(u))) {
        done.add(n.id);
        order.push(n.id);
        progressed = true;
      }
    }
  }
  return order;
}
