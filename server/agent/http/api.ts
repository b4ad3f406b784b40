/**
 * The agent board API (mounted under /api, behind the bridge's auth):
 *
 *   GET  /overview                               Overview
 *   GET  /pipelines                              {pipelines: PipelineView[]}
 *   GET  /pipelines/:name                        PipelineView
 *   POST /pipelines/:name/stages/:stage/retry    {host, paneId} → {ok, pane}
 *   POST /pipelines/:name/stages/:stage/reset    {host, paneId} → {ok, pane}
 *   POST /pipelines/:name/reset                  {host, paneId} → {ok, pane}  (every stage)
 *   GET  /stage-history?host=&paneId=&pipeline=&stage=&limit=  {history: StageHistoryRow[]}
 *   GET  /approvals?status=pending|decided|cancelled|all&limit=  {approvals: ApprovalView[]}
 *   POST /approvals/:id                          {decision, note?} → {approval: ApprovalView}
 *   GET  /notifications?status=&limit=           {notifications: NotificationRecord[]}
 *   GET  /agent/config                           AgentConfigView
 *   GET  /panes                                  {panes: PaneView[]}
 *   GET  /hosts                                  {hosts: HostView[]}  (connection state of every host)
 */
import { Router } from 'express';
import { z } from 'zod';
import { ApprovalDecisionBody, ApprovalsQuery, NotificationsQuery, StageCommandBody } from '../../../schemas/agent-input.ts';
import { reasonFields } from '../../../schemas/stage-reason.ts';
import type { TmuxServer } from '../../../tmux/server.ts';
import { parseOr400 } from '../../http/index.ts';
import { ApiError, notFoundError } from '../../../base/errors.ts';
import type { AgentEngine } from '../engine/engine.ts';
import { approvalsOf, configViewOf, hostsOf, notificationsOf, overviewOf, panesOf, pipelineOf, pipelinesOf } from '../engine/queries.ts';
import { pipelinePaneView } from '../engine/views.ts';
import type { PolicyInput } from '../policy/types.ts';

const Name = z.string().min(1).max(200);
const PipelineParams = z.object({ name: Name });
const StageParams = z.object({ name: Name, stage: Name, command: z.enum(['retry', 'reset']) });
const IdParams = z.object({ id: z.string().min(1).max(200) });
const HistoryQuery = z.object({
  host: z.string().optional(),
  paneId: z.string().optional(),
  pipeline: z.string().optional(),
  stage: z.string().optional(),
  beforeId: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

export interface AgentApiDeps {
  readonly engine: AgentEngine;
  readonly bridge: TmuxServer;
  readonly sessionKeyOf: (paneId: string) => string | null;
}

export function agentApiRoutes({ engine, bridge, sessionKeyOf }: AgentApiDeps): Router {
  const router = Router();

  router.get('/hosts', (_req, res) => {
    res.json({ hosts: hostsOf(engine) });
  });

  router.get('/overview', (_req, res) => {
    res.json(overviewOf(engine));
  });

  router.get('/pipelines', (_req, res) => {
    res.json({ pipelines: pipelinesOf(engine) });
  });

  router.get('/pipelines/:name', (req, res) => {
    const { name } = parseOr400(PipelineParams, req.params, 'path');
    const view = pipelineOf(engine, name);
    if (!view) throw notFoundError('pipeline', name, `no pipeline "${name}" in the running policy`);
    res.json(view);
  });

  const stageCommand = async (pipelineName: string, body: unknown, stage: string | undefined, command: 'retry' | 'reset') => {
    const { host, paneId } = parseOr400(StageCommandBody, body);
    const pipeline = engine.config().policy.pipelines.find((p) => p.name === pipelineName);
    if (!pipeline) throw notFoundError('pipeline', pipelineName, `no pipeline "${pipelineName}" in the running policy`);
    if (stage !== undefined && !pipeline.stages.some((s) => s.name === stage)) {
      throw notFoundError('stage', stage, `pipeline "${pipelineName}" has no stage "${stage}" (stages: ${pipeline.stages.map((s) => s.name).join(', ')})`);
    }
    const runtime = engine.runtime(host, paneId);
    if (!runtime) throw notFoundError('pane', paneId, `pane ${paneId} on host "${host}" is not watched (GET /api/panes lists the watched panes)`);
    const input: PolicyInput = command === 'retry' ? { type: 'retry', stage: stage!, by: 'web' } : { type: 'reset', stage, by: 'web' };
    const result = await runtime.input(pipelineName, input);
    if ('ignored' in result && result.ignored && !('states' in result)) throw new ApiError(404, 'not_found', result.ignored);
    if ('states' in result && result.ignored) throw new ApiError(409, 'conflict', result.ignored);
    const current = runtime.pipelines.find((p) => p.name === pipelineName) ?? pipeline;
    return { ok: true, pane: pipelinePaneView(current, runtime) };
  };

  router.post('/pipelines/:name/stages/:stage/:command', async (req, res) => {
    const { name, stage, command } = parseOr400(StageParams, req.params, 'path');
    res.json(await stageCommand(name, req.body, stage, command));
  });

  router.post('/pipelines/:name/reset', async (req, res) => {
    const { name } = parseOr400(PipelineParams, req.params, 'path');
    res.json(await stageCommand(name, req.body, undefined, 'reset'));
  });

  router.get('/stage-history', (req, res) => {
    const query = parseOr400(HistoryQuery, req.query, 'query');
    res.json({ history: engine.store.stageHistory.list(query).map((row) => ({ ...row, ...reasonFields(row.reason) })) });
  });

  router.get('/approvals', (req, res) => {
    const query = parseOr400(ApprovalsQuery, req.query, 'query');
    res.json({ approvals: approvalsOf(engine, query) });
  });

  router.post('/approvals/:id', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'path');
    const body = parseOr400(ApprovalDecisionBody, req.body);
    const result = await engine.approvals.decide(id, body.decision, { via: 'web', by: 'web', note: body.note ?? null });
    if (!result.ok) {
      if (result.code === 'not_found') throw notFoundError('approval', id, `no approval "${id}"`);
      throw new ApiError(409, 'conflict', `${result.message} (status: ${result.approval?.status ?? 'unknown'})`);
    }
    res.json({ approval: engine.approvalView(result.approval) });
  });

  router.get('/notifications', (req, res) => {
    const query = parseOr400(NotificationsQuery, req.query, 'query');
    res.json({ notifications: notificationsOf(engine, query) });
  });

  router.get('/agent/config', (_req, res) => {
    res.json(configViewOf(engine));
  });

  router.get('/panes', async (_req, res) => {
    res.json({ panes: await panesOf(engine, bridge, sessionKeyOf) });
  });

  return router;
}
