import { z } from 'zod';
import { ApprovalDecision, NotificationStatus } from './agent.ts';

/* What the agent board's API accepts (classic zod, like every input; the views are in agent.ts). */

/** `POST /api/approvals/:id`. */
export const ApprovalDecisionBody = z
  .object({ decision: ApprovalDecision, note: z.string().max(2000).optional() })
  .strict();
export type ApprovalDecisionBody = z.infer<typeof ApprovalDecisionBody>;

/** `POST /api/pipelines/:name/stages/:stage/retry|reset`. */
export const StageCommandBody = z.object({ host: z.string().min(1), paneId: z.string().min(1) }).strict();
export type StageCommandBody = z.infer<typeof StageCommandBody>;

/** `GET /api/approvals?status=&limit=`. */
export const ApprovalsQuery = z.object({
  status: z.enum(['pending', 'decided', 'cancelled', 'all']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type ApprovalsQuery = z.infer<typeof ApprovalsQuery>;

/** `GET /api/notifications?status=&limit=`. */
export const NotificationsQuery = z.object({
  status: z.optional(NotificationStatus),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type NotificationsQuery = z.infer<typeof NotificationsQuery>;
