import { issueMessage, issueText, t, type MessageKey } from '../../i18n/index.ts';
import { useEffect, useMemo, useState } from 'preact/hooks';
import '../../lib/zod-no-eval.ts';
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { flowProblems } from '../../../schemas/flow-graph.ts';
import { FlowInput, type Flow, type FlowEdge, type FlowNode } from '../../../schemas/flow-view.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { Link } from '../Link.tsx';
import { PageHeader } from '../board/PageHeader.tsx';
import { LoadError, Loading } from '../board/States.tsx';
import { FlowsApi } from './api.ts';
import { FlowGraph } from './FlowGraph.tsx';
import { NodeForm } from './NodeForm.tsx';
import { errorMessage } from '../../../base/errors.ts';

// zod/mini carries no messages of its own: a draft's problems read as the server words them.
config(en());

interface Draft {
  name: string;
  description: string;
  variables: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

function newNode(id: string): FlowNode {
  return {
    id,
    type: 'prompt-template',
    data: { label: '', instruction: '', tool: 'bash', delivery: 'newExecution', onError: 'fail', terminal: false, outputName: `${id}_out` },
  };
}

function toDraft(flow: Flow | undefined): Draft {
  if (!flow) return { name: t('flows.new'), description: '', variables: '', nodes: [newNode('A')], edges: [] };
  return {
    name: flow.name,
    description: flow.description,
    variables: Object.entries(flow.variables)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    nodes: flow.nodes,
    edges: flow.edges,
  };
}

/** `name=value` per line; blank lines are skipped. */
function parseVariables(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    if (at < 0) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return out;
}

function body(draft: Draft) {
  return { name: draft.name, description: draft.description, variables: parseVariables(draft.variables), nodes: draft.nodes, edges: draft.edges };
}

/** Create or edit a flow: a form per node and the DAG drawn beside it; save validates on the server too. */
export function FlowEditor({ flowId }: { flowId: string | undefined }) {
  const services = useServices();
  const flows = useMemo(() => new FlowsApi(services.api), []);
  const [flow, setFlow] = useState<Flow | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [draft, setDraft] = useState<Draft | undefined>(flowId ? undefined : toDraft(undefined));
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!flowId) return;
    flows
      .get(flowId)
      .then((f) => {
        setFlow(f);
        setDraft(toDraft(f));
      })
      .catch((e: unknown) => setLoadError(errorMessage(e)));
  }, [flowId]);

  const problems = useMemo(() => {
    if (!draft) return [];
    const parsed = FlowInput.safeParse(body(draft));
    if (!parsed.success) return parsed.error.issues.map((i) => ({ nodeId: nodeAt(draft, i.path), message: issueText(i, fieldLabel) }));
    // Graph rules name their node in their text: no field before it.
    return flowProblems(parsed.data).map((p) => ({ nodeId: p.nodeId, message: issueMessage(p) }));
  }, [draft]);

  if (loadError) return <LoadError what={t('flows.flowWhat')} message={loadError} />;
  if (!draft) return <Loading what={t('flows.flowWhat')} />;

  const update = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setMessage(undefined);
  };
  const save = async (): Promise<Flow | undefined> => {
    setBusy(true);
    try {
      const saved = await flows.save(flow?.id, body(draft));
      setFlow(saved);
      setMessage({ kind: 'ok', text: t('flows.saved') });
      if (!flow) services.router.navigate(`/flows/${encodeURIComponent(saved.id)}`, { replace: true });
      return saved;
    } catch (e) {
      // The server found what the editor marks already: point there rather than repeat it.
      const marked = e instanceof ApiError && e.status === 400 && problems.length > 0;
      setMessage({ kind: 'error', text: marked ? t('flows.fixProblems') : e instanceof ApiError ? e.message : String(e) });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const run = async () => {
    const saved = await save();
    if (!saved) return;
    try {
      const runId = await flows.execute(saved.id, {});
      services.router.navigate(`/flows/runs/${encodeURIComponent(runId)}`);
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof ApiError ? e.message : String(e) });
    }
  };
  const addNode = () => {
    const used = new Set(draft.nodes.map((n) => n.id));
    let i = draft.nodes.length;
    let id = '';
    do id = String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '');
    while (used.has(id) && ++i);
    update({ nodes: [...draft.nodes, newNode(id)] });
    setSelected(id);
  };
  const byNode = new Map<string, string[]>();
  for (const p of problems) if (p.nodeId) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), p.message]);
  const general = problems.filter((p) => !p.nodeId || !draft.nodes.some((n) => n.id === p.nodeId));

  return (
    <div class="page flow-editor">
      <PageHeader title={flow ? t('flows.editTitle', { name: flow.name }) : t('flows.newTitle')} sub={<Link href="/flows">{t('flows.back')}</Link>}>
        <button type="button" onClick={() => void save()} disabled={busy}>
          {t('flows.save')}
        </button>
        <button type="button" class="primary" onClick={() => void run()} disabled={busy || problems.length > 0} data-testid="flow-run">
          {t('flows.saveRun')}
        </button>
      </PageHeader>
      {message && (
        <p class={message.kind === 'error' ? 'form-error' : 'form-ok'} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div class="flow-editor-layout">
        <section class="panel flow-editor-form" aria-label={t('flows.col.flow')}>
          <div class="node-grid">
            <div class="field">
              <label class="field-label" htmlFor="flow-name">
                {t('flows.name')}
              </label>
              <input id="flow-name" name="flow-name" value={draft.name} onInput={(e) => update({ name: e.currentTarget.value })} autoComplete="off" />
            </div>
            <div class="field">
              <label class="field-label" htmlFor="flow-variables">
                {t('flows.variables')}
              </label>
              <textarea id="flow-variables" name="variables" rows={2} value={draft.variables} placeholder={t('flows.variablesHint')} onInput={(e) => update({ variables: e.currentTarget.value })} spellcheck={false} />
            </div>
          </div>
          {general.length > 0 && (
            <ul class="form-error flow-problems">
              {general.map((p) => (
                <li key={p.message}>{p.message}</li>
              ))}
            </ul>
          )}
          {draft.nodes.map((node, index) => (
            <NodeForm
              key={index}
              node={node}
              index={index}
              others={draft.nodes.filter((n) => n !== node)}
              after={draft.edges.filter((e) => e.target === node.id).map((e) => e.source)}
              sessions={services.sessions.list.value}
              problems={byNode.get(node.id) ?? []}
              onChange={(next) => {
                const nodes = draft.nodes.map((n) => (n === node ? next : n));
                const edges = next.id === node.id ? draft.edges : draft.edges.map((e) => ({ source: e.source === node.id ? next.id : e.source, target: e.target === node.id ? next.id : e.target }));
                update({ nodes, edges });
              }}
              onAfter={(upstream) => update({ edges: [...draft.edges.filter((e) => e.target !== node.id), ...upstream.map((source) => ({ source, target: node.id }))] })}
              onRemove={() => update({ nodes: draft.nodes.filter((n) => n !== node), edges: draft.edges.filter((e) => e.source !== node.id && e.target !== node.id) })}
            />
          ))}
          <button type="button" onClick={addNode} data-testid="flow-add-node">
            {t('flows.addNode')}
          </button>
        </section>
        <section class="panel flow-editor-graph" aria-label={t('flows.graph')}>
          <h2>{t('flows.graph')}</h2>
          <FlowGraph
            nodes={draft.nodes}
            edges={draft.edges}
            selected={selected}
            problems={new Set(byNode.keys())}
            onSelect={(id) => {
              setSelected(id);
              document.getElementById(`node-${id}`)?.scrollIntoView({ block: 'nearest' });
            }}
          />
        </section>
      </div>
    </div>
  );
}

/** A field as its form labels it (`nodes.0.data.instruction` → "Instruction"); the node is where the message shows. */
const FIELD_LABELS: Readonly<Record<string, MessageKey>> = {
  name: 'flows.name',
  variables: 'flows.variables',
  id: 'flows.node.id',
  label: 'flows.node.label',
  tool: 'flows.node.tool',
  delivery: 'flows.node.delivery',
  targetSessionKey: 'flows.node.target',
  outputName: 'flows.node.output',
  onError: 'flows.node.onError',
  instruction: 'flows.node.instruction',
};

function fieldLabel(path: readonly unknown[]): string {
  if (path[0] === 'variables') return t('flows.variables');
  const named = [...path].reverse().find((part): part is string => typeof part === 'string' && part in FIELD_LABELS);
  return named ? t(FIELD_LABELS[named]!) : path.join('.');
}

function nodeAt(draft: Draft, path: ReadonlyArray<PropertyKey>): string | null {
  return path[0] === 'nodes' && typeof path[1] === 'number' ? (draft.nodes[path[1]]?.id ?? null) : null;
}
