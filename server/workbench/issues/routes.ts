import { Router, type Request } from 'express';
import { z } from 'zod';
import { BoardSettings, CreateIssueBody, IssueId, IssuesQuery, MoveIssueBody, UpdateIssueBody, type ChangeSource } from '../../../schemas/index.ts';
import { parseOr400 } from '../../http/index.ts';
import type { IssueService } from './service.ts';
import type { IssueTransfer } from './transfer.ts';

const IdParam = z.object({ id: IssueId });

/** The web client says so with `X-Change-Source: web`; everything else is the API. The scheduler is never a caller. */
export function sourceOf(req: Request): ChangeSource {
  return req.get('x-change-source') === 'web' ? 'web' : 'api';
}

/** `/api/issues`: list with filters, CRUD, history, move, import and export. */
export function issueRoutes(service: IssueService, transfer: IssueTransfer): Router {
  const router = Router();

  router.get('/', (req, res) => {
    const query = parseOr400(IssuesQuery, req.query, 'query');
    res.json({ issues: service.list(query) });
  });

  router.post('/', async (req, res) => {
    const body = parseOr400(CreateIssueBody, req.body ?? {});
    res.status(201).json(await service.create(body, sourceOf(req)));
  });

  router.get('/export', (_req, res) => {
    res.set('content-disposition', `attachment; filename="issues-${new Date().toISOString().slice(0, 10)}.json"`);
    res.json(transfer.export());
  });

  router.post('/import', async (req, res) => {
    res.json(await transfer.import(req.body, sourceOf(req)));
  });

  router.get('/:id', (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    res.json(service.get(id));
  });

  router.patch('/:id', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const body = parseOr400(UpdateIssueBody, req.body ?? {});
    res.json(await service.update(id, body, sourceOf(req)));
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    await service.delete(id);
    res.json({ ok: true, id });
  });

  router.get('/:id/history', (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    res.json({ history: service.history(id) });
  });

  router.post('/:id/move', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const body = parseOr400(MoveIssueBody, req.body ?? {});
    res.json(await service.move(id, body, sourceOf(req)));
  });

  return router;
}

/** `/api/board/settings`. */
export function boardRoutes(service: IssueService): Router {
  const router = Router();
  router.get('/settings', (_req, res) => {
    res.json(service.settings());
  });
  router.put('/settings', async (req, res) => {
    const body = parseOr400(BoardSettings, req.body ?? {});
    res.json(await service.putSettings(body));
  });
  return router;
}
