import { FlowEditor } from '../components/flows/FlowEditor.tsx';
import { FlowList } from '../components/flows/FlowList.tsx';
import { RunMonitor } from '../components/flows/RunMonitor.tsx';
import type { FlowsView } from '../services/router.ts';
import { addEnglish } from '../i18n/index.ts';
import { flows as flowsStrings } from '../i18n/en/flows.ts';

// This chunk's English strings travel with it (the first paint carries only common and board).
addEnglish(flowsStrings);


/** `/flows` (list and run history), `/flows/new` and `/flows/:id` (editor), `/flows/runs/:runId` (run monitor). */
export function FlowsPage({ view }: { view: FlowsView }) {
  switch (view.view) {
    case 'list':
      return <FlowList />;
    case 'edit':
      return <FlowEditor key={view.flowId ?? 'new'} flowId={view.flowId} />;
    case 'run':
      return <RunMonitor key={view.runId} runId={view.runId} />;
  }
}
