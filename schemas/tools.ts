import { z } from 'zod';

/* What the server sends back is in tools-view.ts (zod/mini, bundled by the client); this file holds what it accepts. */
export * from './tools-view.ts';

/** A tool's name: one of the built-in adapters or a custom tool from the tools file. */
export const ToolId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'a tool name: lower-case letters, digits, _ and -');
export type ToolId = z.infer<typeof ToolId>;

export const BUILTIN_TOOLS = ['bash', 'claude', 'codex', 'gemini', 'qwen', 'opencode'] as const;

const ArgvTemplate = z.array(z.string().max(4096)).max(64);

/**
 * One custom tool in the tools file (`<data-dir>/tools.yaml`, or the file given by
 * `TMUX_BRIDGE_TOOLS`). Every command is an argv template: `{prompt}`, `{model}`,
 * `{id}` are replaced by whole words, never parsed by a shell.
 */
export const CustomToolConfig = z
  .object({
    bin: z.string().min(1).max(4096),
    /** Interactive launch arguments after `bin`. */
    interactive: ArgvTemplate.default([]),
    /** One-shot arguments after `bin`; must contain `{prompt}`. */
    oneShot: ArgvTemplate.optional(),
    /** Model flag, e.g. `["--model", "{model}"]`. */
    model: ArgvTemplate.optional(),
    /** Resume flag for a known session id, e.g. `["--resume", "{id}"]`. */
    resume: ArgvTemplate.optional(),
    /** A regular expression that matches the tool's idle prompt (interactive completion guess). */
    idlePrompt: z.string().max(1000).optional(),
    /** A regular expression whose first group is the session id the tool prints. */
    sessionIdPattern: z.string().max(1000).optional(),
    /** What to install, shown when the bin is missing. */
    install: z.string().max(1000).optional(),
    version: ArgvTemplate.optional(),
  })
  .strict();
export type CustomToolConfig = z.infer<typeof CustomToolConfig>;

export const ToolsFile = z.object({ tools: z.record(ToolId, CustomToolConfig).default({}) }).strict();
export type ToolsFile = z.infer<typeof ToolsFile>;
