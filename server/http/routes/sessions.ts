import { Router, type Request } from 'express';
import { z } from 'zod';
import { ClearClosedBody, CreateSessionBody, HostName, KeysBody, RenameSessionBody, ResizeBody, SendBody, SnapshotQuery } from '../../../schemas/index.ts';
import type { InputOrigin, SessionHosts } from '../../sessions/index.ts';
import { clientOf } from '../client-identity.ts';
import { parseOr400 } from '../errors.ts';

const KeyParam = z.object({ key: z.string().min(1).max(100) });
const ListQuery = z.object({
  status: z.enum(['running', 'exited', 'closed']).optional(),
  issueId: z.string().min(1).max(200).optional(),
  /** A remote host of hosts.yaml, or `local` for the bridge's own server. */
  host: HostName.optional(),
});

const apiOrigin = (req: Request): InputOrigin => ({ source: 'api', client: clientOf(req) });

/** `/api/cli-sessions`: create, list, get, send, keys, resize, rename, close, snapshot, remove (closed ones). */
export function sessionRoutes(hub: SessionHosts): Router {
  const router = Router();

  router.get('/', (req, res) => {
    const { status, issueId, host } = parseOr400(ListQuery, req.query, 'query');
    const sessions = hub.list({ host }).filter((s) => (!status || s.status === status) && (!issueId || s.issueId === issueId));
    res.json({ sessions });
  });

  router.post('/', async (req, res) => {
    const body = parseOr400(CreateSessionBody, req.body ?? {});
    res.status(201).json(await hub.create(body));
  });

  router.post('/clear-closed', async (req, res) => {
    const body = parseOr400(ClearClosedBody, req.body ?? {});
    res.json({ removed: await hub.clearClosed(body.host) });
  });

  router.get('/:key', (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    res.json(hub.get(key));
  });

  router.post('/:key/send', async (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    const body = parseOr400(SendBody, req.body);
    await hub.send(key, body.text, body.appendNewline ?? true, apiOrigin(req));
    res.status(202).json({ ok: true });
  });

  router.post('/:key/keys', async (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    const body = parseOr400(KeysBody, req.body);
    await hub.keys(key, body.keys, apiOrigin(req));
    res.status(202).json({ ok: true });
  });

  router.post('/:key/resize', async (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    const body = parseOr400(ResizeBody, req.body);
    const result = await hub.resize(key, body.cols, body.rows);
    res.json({ ok: true, cols: result.cols, rows: result.rows });
  });

  router.post('/:key/rename', async (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    const body = parseOr400(RenameSessionBody, req.body ?? {});
    res.json(await hub.rename(key, body.name));
  });

  router.post('/:key/close', async (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    res.json(await hub.close(key));
  });

  router.delete('/:key', async (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    await hub.remove(key);
    res.json({ ok: true, sessionKey: key });
  });

  router.get('/:key/snapshot', async (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    const query = parseOr400(SnapshotQuery, req.query, 'query');
    res.json(await hub.snapshot(key, query.lines ?? 0));
  });

  return router;
}
