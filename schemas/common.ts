import * as z from 'zod/mini';

/*
 * What the server sends (the `-view` files, this one, health.ts) is written with
 * zod/mini: the client bundles these schemas to check every answer and event,
 * and mini's functional API tree-shakes to a few KiB where classic zod is ~100.
 * What the server accepts (bodies, queries, config files) keeps classic zod.
 * The two compose freely: both are zod's core types.
 */

/** The one error body every failing API call returns. */
export const ApiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.array(z.unknown())),
    /** The free parts of `message` (a 404's `what` and `id`), for a client that words `code` itself. */
    params: z.optional(z.record(z.string(), z.string())),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const IsoDate = z.string();

/** A whole number, zero or more (counts, orders, retries). */
export const Count = z.int().check(z.minimum(0));

/** The answer of a call that only says it worked (`{ok: true}`, sometimes with what it touched). */
export const Ok = z.looseObject({ ok: z.literal(true) });
export type Ok = z.infer<typeof Ok>;
