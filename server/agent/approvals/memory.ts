/**
 * An in-memory `ApprovalPersistence`: for tests, `--dry-run` and as the reference
 * behaviour the store-backed one must match (atomic complete, one-time tokens).
 */
import type { Approval } from '../../../schemas/agent.ts';
import type { ApprovalKey, ApprovalPersistence } from './service.ts';

export class MemoryApprovalPersistence implements ApprovalPersistence {
  readonly approvals = new Map<string, Approval>();
  readonly usedTokens = new Map<string, string>();

  insert(approval: Approval): void {
    this.approvals.set(approval.id, approval);
  }

  get(id: string): Approval | undefined {
    return this.approvals.get(id);
  }

  findPending(key: ApprovalKey): Approval | undefined {
    for (const approval of this.approvals.values()) {
      if (
        approval.status === 'pending' &&
        approval.host === key.host &&
        approval.paneId === key.paneId &&
        approval.pipeline === key.pipeline &&
        approval.stage === key.stage
      ) {
        return approval;
      }
    }
    return undefined;
  }

  listPending(): Approval[] {
    return [...this.approvals.values()].filter((approval) => approval.status === 'pending');
  }

  complete(id: string, update: Pick<Approval, 'status' | 'decidedAt' | 'decidedVia' | 'decidedBy' | 'note'>): Approval | undefined {
    const current = this.approvals.get(id);
    if (!current || current.status !== 'pending') return undefined;
    const next = { ...current, ...update };
    this.approvals.set(id, next);
    return next;
  }

  useToken(digest: string, approval: Approval): boolean {
    if (this.usedTokens.has(digest)) return false;
    this.usedTokens.set(digest, approval.id);
    return true;
  }
}
