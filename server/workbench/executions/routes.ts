import { Router } from 'express';
import { z } from 'zod';
import { CliExecuteRequest, ExecuteRequest, ExecutionFilter, ResumeKeyParam } from '../../../schemas/index.ts';
import type { ResumeRepository, CliOutputRepository } from '../../store/index.ts';
import { parseOr400 } from '../../http/index.ts';
import { ApiError, notFoundError } from '../../../base/errors.ts';
import type { Executions } from './service.ts';

const KeyParam = z.object({ key: z.string().min(1).max(100) });
const IdParam = z.object({ id: z.string().min(1).max(100) });

/** `POST /api/cli-sessions/:key/execute` (mounted beside the session routes). */
export function sessionExecuteRoutes(executions: Executions): Router {
  const router = Router();
  router.post('/:key/execute', async (req, res) => {
    const { key } = parseOr400(KeyParam, req.params, 'path');
    const body = parseOr400(ExecuteRequest, req.body ?? {});
    const execution = await executions.executeInSession(key, body);
    res.status(202).json({ executionId: execution.executionId, command: execution.command, execution });
  });
  return router;
}

/** `/api/executions`: list, get, output bytes, cancel. */
export function executionRoutes(executions: Executions): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const filter = parseOr400(ExecutionFilter, req.query, 'query');
    res.json({ executions: executions.list(filter) });
  });
  router.get('/:id', (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const execution = executions.get(id);
    if (!execution) throw notFoundError('execution', id, `no execution "${id}"`);
    res.json(execution);
  });
  router.get('/:id/output', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const bytes = await executions.output(id);
    if (!bytes) throw new ApiError(404, 'output_unavailable', `the output of execution "${id}" was not kept (stateless runs: GET /api/cli/executions/${id}/output)`);
    res.type('application/octet-stream').send(bytes);
  });
  router.post('/:id/cancel', async (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    res.json(await executions.cancel(id));
  });
  return router;
}

/** `/api/cli`: stateless runs. */
export function cliRoutes(executions: Executions, output: CliOutputRepository): Router {
  const router = Router();
  router.post('/execute', async (req, res) => {
    const body = parseOr400(CliExecuteRequest, req.body ?? {});
    const execution = await executions.executeStateless(body);
    res.status(202).json({ executionId: execution.executionId, command: execution.command, execution });
  });
  router.get('/active', (_req, res) => {
    res.json({ executions: executions.list({ kind: 'stateless', status: 'running' }) });
  });
  router.get('/executions', (_req, res) => {
    res.json({ executions: executions.list({ kind: 'stateless', limit: 200 }) });
  });
  router.get('/executions/:id/output', (req, res) => {
    const { id } = parseOr400(IdParam, req.params, 'path');
    const execution = executions.get(id);
    if (!execution || execution.sessionKey !== null) throw notFoundError('execution', id, `no stateless execution "${id}"`);
    res.json({ execution, chunks: output.list(id) });
  });
  return router;
}

/** `/api/resume-keys/:resumeKey`: what a resume key holds; DELETE forgets it. */
export function resumeKeyRoutes(resume: ResumeRepository): Router {
  const router = Router();
  router.get('/:resumeKey', (req, res) => {
    const { resumeKey } = parseOr400(ResumeKeyParam, req.params, 'path');
    const info = resume.info(resumeKey);
    if (!info) throw notFoundError('resume_key', resumeKey, `resume key "${resumeKey}" holds no transcript or binding`);
    res.json(info);
  });
  router.delete('/:resumeKey', async (req, res) => {
    const { resumeKey } = parseOr400(ResumeKeyParam, req.params, 'path');
    const removed = await resume.forget(resumeKey);
    if (!removed) throw notFoundError('resume_key', resumeKey, `resume key "${resumeKey}" holds no transcript or binding`);
    res.json({ ok: true, resumeKey });
  });
  return router;
}
