import type { FlowRunReasonCode } from './flow-view.ts';

/**
 * Why a flow run paused, stopped or failed: the English words (`reason`) and the same
 * as a code with its free parts (`reasonCode`, `reasonParams`: the node, the node's own
 * error) for the run monitor to word in its language. The runner builds the words here;
 * `flowRunReasonFields` reads them back, for runs stored before the codes too.
 */

const SEE_OUTPUT = 'see its output';

export const flowRunReasonText = {
  paused: () => 'paused by request',
  stopped: () => 'stopped by request',
  nodeFailed: (node: string, error: string | null | undefined, resumable: boolean) => `node "${node}" failed: ${error ?? SEE_OUTPUT}${resumable ? '; resume runs it again' : ''}`,
};

const PATTERNS: ReadonlyArray<readonly [FlowRunReasonCode, RegExp]> = [
  ['paused', /^paused by request$/],
  ['stopped', /^stopped by request$/],
  ['node_paused', /^node "(.*?)" failed: (.*); resume runs it again$/s],
  ['node_failed', /^node "(.*?)" failed: (.*)$/s],
];

/** `reasonCode` and `reasonParams` of a run's reason (undefined for words it did not build). */
export function flowRunReasonFields(reason: string | null | undefined): { reasonCode: FlowRunReasonCode | undefined; reasonParams: Record<string, string> | undefined } {
  for (const [code, pattern] of reason ? PATTERNS : []) {
    const match = pattern.exec(reason!);
    if (!match) continue;
    const params: Record<string, string> = {};
    if (match[1] !== undefined) params.node = match[1];
    if (match[2] !== undefined && match[2] !== SEE_OUTPUT) params.error = match[2];
    return { reasonCode: code, reasonParams: params };
  }
  return { reasonCode: undefined, reasonParams: undefined };
}
