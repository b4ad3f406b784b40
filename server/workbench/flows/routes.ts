import { Router } from 'express';
import { z } from 'zod';
import { ExecuteFlowBody, FlowInput, FlowRunsQuery, RouteToSessionBody } from '../../../schemas/index.ts';
import { parseOr400 } from '../../http/index.ts';
import type { FlowService } from './service.ts';

const IdParam = z.object({ id: z.string().min(1).max(100) });
const RunParam = z.object({ runId: z.string().min(1).max(100) });
const DuplicateBody = z.object({ name: z.string().min(1).max(200).optional() });

/** `/api/orchestrator`: flows, runs, route to session (docs/api.md "Orchestrator flows"). */
export function flowRoutes(service: FlowService): Router {
  const router = Router();
  const { catalog, runner } = service;

  router.get('/flows', (_req, res) => {
    res.json({ flows: catalog.list() });
  });

  router.post('/flows', async (req, res) => {
    res.status(201).json(await catalog.create(parseOr400(FlowInput, req.body)));
  });

  /** Import: an exported flow file (or a plain flow body) becomes a new flow. */
  router.post('/flows/import', async (req, res) => {
    res.status(201).json(await catalog.import(parseOr400(FlowInput, req.body)));
  });

  router.get('/flows/:id', (req, res) => {
    res.json(catalog.get(parseOr400(IdParam, req.params, 'path').id));
  });

  router.put('/flows/:id', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    res.json(await catalog.update(id, parseOr400(FlowInput, req.body)));
  });

  router.delete('/flows/:id', async (req, res) => {
    await catalog.delete(parseOr400(IdParam, req.params, 'path').id);
    res.json({ ok: true });
  });

  router.post('/flows/:id/duplicate', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const body = parseOr400(DuplicateBody, req.body ?? {});
    res.status(201).json(await catalog.duplicate(id, body.name));
  });

  router.get('/flows/:id/export', (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const flow = catalog.export(id);
    const file = flow.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'flow';
    res.setHeader('content-disposition', `attachment; filename="${file}.flow.json"`);
    res.json(flow);
  });

  router.post('/flows/:id/execute', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const body = parseOr400(ExecuteFlowBody, req.body ?? {});
    const run = await service.execute(id, body.variables ?? {});
    res.status(202).json({ runId: run.runId });
  });

  router.get('/runs', (req, res) => {
    const query = parseOr400(FlowRunsQuery, req.query, 'query');
    res.json({ runs: runner.list(query) });
  });

  router.get('/runs/:runId', (req, res) => {
    res.json(runner.get(parseOr400(RunParam, req.params, 'path').runId));
  });

  for (const action of ['pause', 'resume', 'stop'] as const) {
    router.post(`/runs/:runId/${action}`, async (req, res) => {
      const { runId } = parseOr400(RunParam, req.params, 'path');
      res.json(await runner[action](runId));
    });
  }

  /** Route to session: text, or a run node's instruction, into a session through the execute path. */
  router.post('/route', async (req, res) => {
    const body = parseOr400(RouteToSessionBody, req.body);
    const execution = await service.routeToSession(body);
    res.status(202).json({ executionId: execution.executionId, command: execution.command ?? null, sessionKey: execution.sessionKey });
  });

  return router;
}
