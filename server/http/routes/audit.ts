import { Router } from 'express';
import { z } from 'zod';
import { QueryInt } from '../../../schemas/index.ts';
import type { AuditRepository } from '../../store/index.ts';
import { parseOr400 } from '../errors.ts';

const AuditQuery = z.object({
  sessionKey: z.string().min(1).max(100).optional(),
  before: QueryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: QueryInt(1, 1000).optional(),
});

/** `GET /api/audit?sessionKey=&before=&limit=`: inputs sent to panes, newest first. */
export function auditRoutes(audit: AuditRepository): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const query = parseOr400(AuditQuery, req.query, 'query');
    const entries = audit.list({ sessionKey: query.sessionKey, beforeId: query.before, limit: query.limit ?? 100 });
    res.json({ entries });
  });
  return router;
}
