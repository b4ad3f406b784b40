import { z } from 'zod';

/** The one error body every failing API call returns. */
export const ApiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.unknown()).optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const IsoDate = z.string();

/** Query-string integers arrive as strings. */
export const QueryInt = (min: number, max: number) =>
  z.coerce.number().int().min(min).max(max);
