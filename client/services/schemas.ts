import type * as ContractModule from './contract.ts';

export type Contract = typeof ContractModule;
export type { AnswerName, Answer } from './contract.ts';

let loading: Promise<Contract> | undefined;
let loaded: Contract | undefined;

/**
 * The schemas every answer and event is checked with (contract.ts), loaded once as
 * a chunk of its own: the first request starts it and waits for it, so the first
 * paint never carries zod.
 */
export function loadContract(): Promise<Contract> {
  return (loading ??= import('./contract.ts').then(
    (contract) => (loaded = contract),
    (error: unknown) => {
      // Offline for a moment: the next request tries again.
      loading = undefined;
      throw error;
    },
  ));
}

/** The contract once loaded: events and answers only arrive after it is. */
export function contractNow(): Contract | undefined {
  return loaded;
}
