import { Router } from 'express';
import type { ToolRegistry } from './registry.ts';

/** `/api/tools`: which tools are installed, where, which version. */
export function toolRoutes(tools: ToolRegistry): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json({ tools: await tools.list() });
  });
  return router;
}
