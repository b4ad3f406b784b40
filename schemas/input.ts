import { z } from 'zod';
import { rule } from './rule.ts';

/**
 * Text that ends up as one argument of a tmux command line (a shell command, a
 * directory, an environment value): tmux command lines cannot carry line
 * breaks or NUL, so they are refused here with the field's name, not by tmux.
 */
export const SingleLine = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !/[\r\n\u0000]/.test(s), rule('one_line', 'must be one line: no line breaks or NUL characters'));

/** Query-string integers arrive as strings. */
export const QueryInt = (min: number, max: number) =>
  z.coerce.number().int().min(min).max(max);
