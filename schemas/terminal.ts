import { z } from 'zod';
import { QueryInt } from './input.ts';
import { TerminalCols, TerminalRows } from './session-view.ts';
import { TerminalMode } from './terminal-view.ts';

/* What the server sends back is in terminal-view.ts (zod/mini, bundled by the client); this file holds what it accepts. */
export * from './terminal-view.ts';

/** Query of `/ws/terminal/:sessionKey`. */
export const TerminalQuery = z.object({
  since: z.coerce.number().int().min(0).optional(),
  mode: z.optional(TerminalMode),
  /** Extension: the stream id from an earlier hello; a different one forces a fresh screen. */
  stream: z.string().max(64).optional(),
  /** Extension: lines of history in the screen snapshot (default 1000). */
  history: QueryInt(0, 50_000).optional(),
  token: z.string().optional(),
});
export type TerminalQuery = z.infer<typeof TerminalQuery>;

export const ClientTerminalMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resize'), cols: TerminalCols, rows: TerminalRows }),
  z.object({ type: z.literal('ack'), offset: z.number().min(0) }),
]);
export type ClientTerminalMessage = z.infer<typeof ClientTerminalMessage>;
