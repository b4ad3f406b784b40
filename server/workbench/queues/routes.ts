import { Router } from 'express';
import { z } from 'zod';
import {
  addItemsSchema,
  type AddItemsBody,
  CreateQueueBody,
  ExecuteItemBody,
  MoveBody,
  QueueListQuery,
  ReorderBody,
  SchedulerSettingsBody,
  UpdateQueueBody,
  UpdateQueueItemBody,
} from '../../../schemas/queue.ts';
import { parseOr400 } from '../../http/index.ts';
import type { Queues } from './index.ts';

const IdParam = z.object({ id: z.string().min(1).max(100) });
const ItemParam = z.object({ id: z.string().min(1).max(100), itemId: z.string().min(1).max(100) });
const Action = z.object({ id: z.string().min(1).max(100), action: z.enum(['start', 'pause', 'resume', 'stop']) });
const ItemAction = z.object({ id: z.string().min(1).max(100), itemId: z.string().min(1).max(100), action: z.enum(['retry', 'skip']) });
const StatusAction = z.object({ id: z.string().min(1).max(100), action: z.enum(['activate', 'deactivate', 'archive', 'unarchive']) });

/** `/api/queues` (docs/api.md "Queues"). */
export function queueRoutes(queues: Queues): Router {
  const router = Router();
  const { service } = queues;
  const runner = () => queues.runner();

  router.get('/', (req, res) => {
    const { status } = parseOr400(QueueListQuery, req.query, 'query');
    res.json({ queues: service.list(status) });
  });

  router.post('/', async (req, res) => {
    res.status(201).json(await service.create(parseOr400(CreateQueueBody, req.body ?? {})));
  });

  router.get('/:id', (req, res) => {
    res.json(service.get(parseOr400(IdParam, req.params, 'path').id));
  });

  router.patch('/:id', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    res.json(await service.update(id, parseOr400(UpdateQueueBody, req.body ?? {})));
  });

  router.delete('/:id', async (req, res) => {
    await service.delete(parseOr400(IdParam, req.params, 'path').id);
    res.json({ ok: true });
  });

  for (const action of StatusAction.shape.action.options) {
    router.post(`/:id/${action}`, async (req, res) => {
      const { id } = parseOr400(IdParam, req.params, 'path');
      const status = action === 'activate' ? 'active' : action === 'archive' ? 'archived' : 'inactive';
      res.json(await service.setStatus(id, status));
    });
  }

  router.post('/:id/items', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const body: AddItemsBody = parseOr400(addItemsSchema(req.body), req.body ?? {});
    const items = await service.addItems(id, body);
    res.status(201).json({ items, queue: service.get(id) });
  });

  router.patch('/:id/items/:itemId', async (req, res) => {
    const { id, itemId } = parseOr400(ItemParam, req.params, 'path');
    res.json(await service.updateItem(id, itemId, parseOr400(UpdateQueueItemBody, req.body ?? {})));
  });

  router.delete('/:id/items/:itemId', async (req, res) => {
    const { id, itemId } = parseOr400(ItemParam, req.params, 'path');
    await service.deleteItem(id, itemId);
    res.json({ ok: true });
  });

  router.post('/:id/items/:itemId/execute', async (req, res) => {
    const { id, itemId } = parseOr400(ItemParam, req.params, 'path');
    const body = parseOr400(ExecuteItemBody, req.body ?? {});
    res.status(202).json(await runner().executeNow(id, itemId, body.sessionKey));
  });

  router.post('/:id/items/:itemId/:action', async (req, res) => {
    const { id, itemId, action } = parseOr400(ItemAction, req.params, 'path');
    res.json(action === 'retry' ? await runner().retry(id, itemId) : await runner().skip(id, itemId));
  });

  router.post('/:id/reorder', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    res.json(await service.reorder(id, parseOr400(ReorderBody, req.body ?? {})));
  });

  router.post('/:id/move', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    res.json(await service.move(id, parseOr400(MoveBody, req.body ?? {})));
  });

  router.post('/:id/scheduler/:action', async (req, res) => {
    const { id, action } = parseOr400(Action, req.params, 'path');
    res.json(await runner().control(id, action));
  });

  router.patch('/:id/scheduler', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const body = parseOr400(SchedulerSettingsBody, req.body ?? {});
    res.json(await runner().setMaxConcurrent(id, body.maxConcurrentSessions));
  });

  return router;
}
