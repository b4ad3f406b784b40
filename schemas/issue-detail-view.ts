/**
 * A zod issue as data a client can word in its own language: its code and the
 * parameters that say what was wanted (`expected`, `minimum`, …; a refinement's
 * `params.rule`, see rule.ts). A 400's `details` carry them, and so do the agent's
 * config problems. zod/mini: the client checks config problems with it.
 */
import type { z as classic } from 'zod';
import * as z from 'zod/mini';

/** The parameters of an issue (never the input itself: a value sent or written is not echoed back). */
export const IssueParams = z.object({
  expected: z.optional(z.string()),
  origin: z.optional(z.string()),
  minimum: z.optional(z.union([z.number(), z.string()])),
  maximum: z.optional(z.union([z.number(), z.string()])),
  inclusive: z.optional(z.boolean()),
  format: z.optional(z.string()),
  pattern: z.optional(z.string()),
  values: z.optional(z.array(z.unknown())),
  keys: z.optional(z.array(z.string())),
  divisor: z.optional(z.number()),
  /** A rule's own parameters; `rule` names it (the catalog's `issue.<rule>`). */
  params: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
});
export type IssueParams = z.infer<typeof IssueParams>;

const ISSUE_PARAMS = ['expected', 'origin', 'minimum', 'maximum', 'inclusive', 'format', 'pattern', 'values', 'keys', 'divisor', 'params'] as const;

/** The parameters zod gave `issue`. */
export function issueParams(issue: classic.core.$ZodIssue): IssueParams {
  const out: Record<string, unknown> = {};
  for (const key of ISSUE_PARAMS) {
    const value = (issue as unknown as Record<string, unknown>)[key];
    // bigint minimums and the like: JSON has no bigint.
    if (value !== undefined) out[key] = typeof value === 'bigint' ? String(value) : value;
  }
  return out as IssueParams;
}

/** An entry of a 400's `details`: where, zod's code, its English message and its parameters. */
export function issueDetail(issue: classic.core.$ZodIssue): Record<string, unknown> {
  return { path: issue.path, code: issue.code, message: issue.message, ...issueParams(issue) };
}
