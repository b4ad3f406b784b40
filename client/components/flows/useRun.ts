import { useEffect, useMemo, useState } from 'preact/hooks';
import type { FlowRunDetail } from '../../../schemas/index.ts';
import { useServices } from '../../services/index.ts';
import { FlowsApi } from './api.ts';
import { errorMessage } from '../../../base/errors.ts';

/** A run, fetched and refetched on its FLOW_RUN_UPDATED events (and when the event feed reconnects). */
export function useRun(runId: string): { run: FlowRunDetail | undefined; error: string | undefined; reload: () => void } {
  const services = useServices();
  const flows = useMemo(() => new FlowsApi(services.api), []);
  const [run, setRun] = useState<FlowRunDetail | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let inFlight = false;
    let again = false;
    const load = () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      flows
        .run(runId)
        .then((r) => live && (setRun(r), setError(undefined)))
        .catch((e: unknown) => live && setError(errorMessage(e)))
        .finally(() => {
          inFlight = false;
          if (again && live) {
            again = false;
            load();
          }
        });
    };
    load();
    const events = services.feed.onEvent((event) => {
      if (event.type !== 'FLOW_RUN_UPDATED') return;
      const changed = (event as { run?: { runId?: string } }).run;
      if (changed?.runId === runId) load();
    });
    const reconnect = services.feed.onOpen(() => load());
    return () => {
      live = false;
      events.dispose();
      reconnect.dispose();
    };
  }, [runId, tick]);
  return { run, error, reload: () => setTick((t) => t + 1) };
}
