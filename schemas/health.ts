import * as z from 'zod/mini';
import { IsoDate } from './common.ts';

/* zod/mini: the client checks these (see common.ts). */

/** How the bridge's control connection to tmux is doing. */
export const ControlHealthState = z.enum(['connecting', 'connected', 'slow', 'reconnecting', 'closed']);
export type ControlHealthState = z.infer<typeof ControlHealthState>;

/** `tmux.control` in `GET /healthz`, and `control` of a TMUX_STATUS event. */
export const ControlHealth = z.object({
  state: ControlHealthState,
  /** When it entered this state. */
  since: IsoDate,
  /** Times the watchdog restarted a wedged control client. */
  restarts: z.int(),
  /** Commands waiting for tmux (written or queued). */
  pending: z.int(),
  oldestPendingMs: z.number(),
  /** Why the client last went away or was restarted. */
  lastProblem: z.nullable(z.string()),
  lastProblemAt: z.nullable(IsoDate),
});
export type ControlHealth = z.infer<typeof ControlHealth>;

/** `GET /healthz` (no token): 200 while tmux answers, 503 otherwise. */
export const Health = z.object({
  ok: z.boolean(),
  version: z.string(),
  tmux: z.object({ version: z.string(), socket: z.string(), control: ControlHealth }),
});
export type Health = z.infer<typeof Health>;
