import { Graph, layout, type Edge } from '@dagrejs/dagre';

/**
 * DAG layout with @dagrejs/dagre (a small, well-kept layered-graph layout);
 * this module is imported lazily, so the library is not part of the first paint.
 */
export interface LaidOutGraph {
  readonly width: number;
  readonly height: number;
  readonly nodes: ReadonlyArray<{ id: string; x: number; y: number; width: number; height: number }>;
  readonly edges: ReadonlyArray<{ source: string; target: string; points: ReadonlyArray<{ x: number; y: number }> }>;
}

export const NODE_WIDTH = 176;
export const NODE_HEIGHT = 54;

export function layoutFlow(nodeIds: readonly string[], edges: ReadonlyArray<{ source: string; target: string }>, direction: 'TB' | 'LR' = 'TB'): LaidOutGraph {
  const g = new Graph<{ rankdir?: string; width?: number; height?: number }, { width: number; height: number; x: number; y: number }, { points?: Array<{ x: number; y: number }> }>();
  g.setGraph({ rankdir: direction, nodesep: 28, ranksep: 44, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const known = new Set(nodeIds);
  for (const id of nodeIds) g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) if (known.has(e.source) && known.has(e.target) && e.source !== e.target) g.setEdge(e.source, e.target);
  layout(g);
  const label = g.graph();
  return {
    width: label.width ?? NODE_WIDTH,
    height: label.height ?? NODE_HEIGHT,
    nodes: nodeIds.map((id) => {
      const n = g.node(id);
      return { id, x: n.x, y: n.y, width: n.width, height: n.height };
    }),
    edges: g.edges().map((e: Edge) => ({ source: e.v, target: e.w, points: g.edge(e).points ?? [] })),
  };
}
