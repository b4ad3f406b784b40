import * as z from 'zod/mini';

/* Tools as `GET /api/tools` shows them (zod/mini: the client checks them; see common.ts). */

export const ToolSupports = z.object({
  oneShot: z.boolean(),
  nativeResume: z.boolean(),
  hooks: z.boolean(),
});
export type ToolSupports = z.infer<typeof ToolSupports>;

/** `GET /api/tools` entries. */
export const ToolInfo = z.object({
  tool: z.string(),
  available: z.boolean(),
  path: z.nullable(z.string()),
  version: z.nullable(z.string()),
  supports: ToolSupports,
  /** Extension: where the tool is defined (`builtin` or the custom tools file). */
  source: z.optional(z.enum(['builtin', 'custom'])),
  /** Extension: what to install when it is missing. */
  install: z.optional(z.string()),
});
export type ToolInfo = z.infer<typeof ToolInfo>;

export const ToolList = z.object({ tools: z.array(ToolInfo) });
export type ToolList = z.infer<typeof ToolList>;
