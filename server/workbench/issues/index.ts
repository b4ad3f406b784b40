import type { Router } from 'express';
import { Disposable } from '../../../base/lifecycle.ts';
import type { EventBus } from '../../events/index.ts';
import type { IssueRepository } from '../../store/index.ts';
import { IssueAutoStart, type ExecutionsPort, type SessionsPort } from './autostart.ts';
import { boardRoutes, issueRoutes } from './routes.ts';
import { IssueService, type IssueSessionSource } from './service.ts';
import { IssueTransfer } from './transfer.ts';

export { IssueService, type IssueStatusChange } from './service.ts';
export { IssueTransfer } from './transfer.ts';
export { IssueAutoStart, type ExecutionsPort, type SessionsPort } from './autostart.ts';

export interface IssueBoardDeps {
  readonly repo: IssueRepository;
  readonly sessions: IssueSessionSource;
  readonly bus: EventBus;
  /** With both, issues follow their executions and auto-start works (autostart.ts). */
  readonly executions?: ExecutionsPort;
  readonly hub?: SessionsPort;
  readonly log?: (message: string) => void;
}

/** The issue board domain: its service, import/export, and the routers to mount under /api. */
export class IssueBoard extends Disposable {
  readonly service: IssueService;
  readonly transfer: IssueTransfer;
  readonly apiRouters: ReadonlyArray<readonly [string, Router]>;
  readonly autoStart: IssueAutoStart | undefined;

  constructor(deps: IssueBoardDeps) {
    super();
    this.service = this.register(new IssueService(deps.repo, deps.sessions, deps.bus));
    this.transfer = new IssueTransfer(deps.repo, this.service);
    this.autoStart = deps.executions && deps.hub ? this.register(new IssueAutoStart(this.service, deps.executions, deps.hub, deps.log)) : undefined;
    this.apiRouters = [
      ['/issues', issueRoutes(this.service, this.transfer)],
      ['/board', boardRoutes(this.service)],
    ];
  }
}
