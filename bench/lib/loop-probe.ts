/**
 * An idle Node process that only reports its own event-loop delay (the same
 * report as the server's TMUX_BRIDGE_METRICS=1). Run beside the bridge, it
 * shows how much delay the machine itself imposes in the same window: on a
 * shared 2-core VM an idle loop alone can stall for tens of milliseconds.
 */
import { startMetricsReport } from '../../server/metrics.ts';

startMetricsReport();
setInterval(() => undefined, 1 << 30);
process.on('SIGTERM', () => process.exit(0));
