/** Positions in a column are fractions: a move writes one row, until the gaps run out. */
export const ORDER_STEP = 1024;
/** Below this gap between neighbours the column is renumbered (doubles keep ~50 halvings of 1024; stop well before). */
export const MIN_ORDER_GAP = 1e-6;

export interface Positioned {
  readonly id: string;
  readonly sortOrder: number;
}

export type Placement =
  | { readonly ok: true; readonly sortOrder: number }
  | { readonly ok: false; readonly field: 'beforeId' | 'afterId'; readonly code: string; readonly message: string; readonly params: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly renumber: true };

/**
 * Where an issue goes in `column` (the target column in order, without the issue
 * itself): right before `beforeId`, right after `afterId` (both: between them,
 * which must be neighbours), or at the end.
 */
export function place(column: readonly Positioned[], beforeId?: string | null, afterId?: string | null): Placement {
  let prev: Positioned | undefined;
  let next: Positioned | undefined;
  if (beforeId) {
    const index = column.findIndex((p) => p.id === beforeId);
    if (index < 0) return { ok: false, field: 'beforeId', code: 'board_not_in_column', message: `issue ${beforeId} is not in the target column`, params: { issue: beforeId } };
    next = column[index];
    prev = column[index - 1];
    if (afterId && prev?.id !== afterId) {
      return {
        ok: false,
        field: 'afterId',
        code: 'board_not_neighbours',
        message: `issue ${afterId} is not right above ${beforeId} in the target column`,
        params: { issue: afterId, next: beforeId },
      };
    }
  } else if (afterId) {
    const index = column.findIndex((p) => p.id === afterId);
    if (index < 0) return { ok: false, field: 'afterId', code: 'board_not_in_column', message: `issue ${afterId} is not in the target column`, params: { issue: afterId } };
    prev = column[index];
    next = column[index + 1];
  } else {
    prev = column[column.length - 1];
  }
  if (prev && next) {
    const middle = (prev.sortOrder + next.sortOrder) / 2;
    if (next.sortOrder - prev.sortOrder < MIN_ORDER_GAP || middle <= prev.sortOrder || middle >= next.sortOrder) return { ok: false, renumber: true };
    return { ok: true, sortOrder: middle };
  }
  if (prev) return { ok: true, sortOrder: prev.sortOrder + ORDER_STEP };
  if (next) return { ok: true, sortOrder: next.sortOrder - ORDER_STEP };
  return { ok: true, sortOrder: ORDER_STEP };
}

/** Even positions for a column, same order. */
export function renumbered(column: readonly Positioned[]): Positioned[] {
  return column.map((p, i) => ({ id: p.id, sortOrder: (i + 1) * ORDER_STEP }));
}
