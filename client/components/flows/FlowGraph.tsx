import { t } from '../../i18n/index.ts';
import { useEffect, useState } from 'preact/hooks';
import type { FlowEdge, FlowNode, FlowNodeStatus } from '../../../schemas/index.ts';
import type { LaidOutGraph } from './layout.ts';

type LayoutModule = typeof import('./layout.ts');
let layoutModule: Promise<LayoutModule> | undefined;
/** The layout library loads on first use, not with the app. */
function loadLayout(): Promise<LayoutModule> {
  return (layoutModule ??= import('./layout.ts').catch((error: unknown) => {
    layoutModule = undefined;
    throw error;
  }));
}

interface Props {
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
  /** Node states of a run (the monitor colours nodes by them). */
  readonly states?: Readonly<Record<string, { status: FlowNodeStatus }>>;
  readonly selected?: string | undefined;
  readonly onSelect?: (nodeId: string) => void;
  /** Nodes the editor marks as invalid. */
  readonly problems?: ReadonlySet<string>;
}

/** The flow's DAG as an SVG, laid out by dagre; a node is a button that selects it. */
export function FlowGraph({ nodes, edges, states, selected, onSelect, problems }: Props) {
  const [graph, setGraph] = useState<LaidOutGraph | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const shape = JSON.stringify([nodes.map((n) => n.id), edges.map((e) => [e.source, e.target])]);
  useEffect(() => {
    let live = true;
    loadLayout()
      .then((m) => live && setGraph(m.layoutFlow(nodes.map((n) => n.id), edges)))
      .catch((e: unknown) => live && setError(String(e)));
    return () => {
      live = false;
    };
  }, [shape]);
  if (error) return <p class="muted small">{t('flows.graphError', { error })}</p>;
  if (!graph) return <p class="muted small graph-loading">{t('flows.graphLoading')}</p>;
  if (!nodes.length) return <p class="muted small">{t('flows.graphEmpty')}</p>;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return (
    <div class="flow-graph" data-testid="flow-graph">
      <svg viewBox={`0 0 ${graph.width} ${graph.height}`} width={graph.width} height={graph.height} role="group" aria-label={t('flows.graphLabel')}>
        <defs>
          <marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="flow-arrow" />
          </marker>
        </defs>
        {graph.edges.map((e) => (
          <polyline key={`${e.source}>${e.target}`} class="flow-edge" points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} marker-end="url(#flow-arrow)" />
        ))}
        {graph.nodes.map((n) => {
          const node = byId.get(n.id);
          const status = states?.[n.id]?.status;
          const cls = ['flow-node', status ? `flow-node-${status}` : '', selected === n.id ? 'selected' : '', problems?.has(n.id) ? 'invalid' : ''].join(' ');
          return (
            <g
              key={n.id}
              class={cls}
              transform={`translate(${n.x - n.width / 2}, ${n.y - n.height / 2})`}
              role={onSelect ? 'button' : undefined}
              tabIndex={onSelect ? 0 : undefined}
              data-node={n.id}
              data-status={status}
              aria-label={`${t('flows.graphNode', { id: n.id })}${node?.data.label ? ` (${node.data.label})` : ''}${status ? `: ${t(`flows.status.${status}`)}` : ''}`}
              onClick={() => onSelect?.(n.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect?.(n.id);
                }
              }}
            >
              <rect width={n.width} height={n.height} rx="8" />
              <text x="10" y="21" class="flow-node-title">
                {clip(node?.data.label || n.id, 22)}
              </text>
              <text x="10" y="40" class="flow-node-sub">
                {clip(`${node?.data.delivery === 'sendToSession' ? t('flows.graphSession') : t('flows.graphNew')} · ${node?.data.tool ?? ''}${status ? ` · ${t(`flows.status.${status}`)}` : ''}`, 28)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
