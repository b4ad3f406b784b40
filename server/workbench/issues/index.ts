import type { Router } from 'express';
import { Disposable } from '../../../schemas/base/lifecycle.ts';
import type { EventBus } from '../../events/event-bus.ts';
import type { IssueRepository } from '../../store/repos/issues.ts';
import { boardRoutes, issueRoutes } from './routes.ts';
import { IssueService, type IssueSessionSource } from './service.ts';
import { IssueTransfer } from './transfer.ts';

export { IssueService, type IssueStatusChange } from './service.ts';
export { IssueTransfer } from './transfer.ts';

export interface IssueBoardDeps {
  readonly repo: IssueRepository;
  readonly sessions: IssueSessionSource;
  readonly bus: EventBus;
}

/** The issue board domain: its service, import/export, and the routers to mount under /api. */
export class IssueBoard extends Disposable {
  readonly service: IssueService;
  readonly transfer: IssueTransfer;
  readonly apiRouters: ReadonlyArray<readonly [string, Router]>;

  constructor(deps: IssueBoardDeps) {
    super();
    this.service = this.register(new IssueService(deps.repo, deps.sessions, deps.bus));
    this.transfer = new IssueTransfer(deps.repo, this.service);
    this.apiRouters = [
      ['/issues', issueRoutes(this.service, this.transfer)],
      ['/board', boardRoutes(this.service)],
    ];
  }
}
