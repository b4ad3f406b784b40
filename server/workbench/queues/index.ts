import { Disposable } from '../../../base/lifecycle.ts';
import { ApiError } from '../../../base/errors.ts';
import type { QueueRepository } from '../../store/index.ts';
import type { QueueExecutions, QueueIssues, QueueSessions } from './ports.ts';
import { QueueService } from './queue-service.ts';
import { QueueState, type QueuePublisher } from './queue-state.ts';
import { QueueRunner } from './scheduler.ts';

export { queueRoutes } from './routes.ts';
export { queueMetrics } from './metrics.ts';
export { queueIssuesFrom } from './issues-adapter.ts';
export { planQueue, type Plan } from './plan.ts';
export { validateQueueShape, QueueShapeError } from './graph.ts';
export { chooseSession, newSessionName } from './sessions.ts';
export type { QueueExecutions, QueueExecution, QueueIssues, QueueIssue, QueueSessions } from './ports.ts';
export { queueItemLink, parseQueueItemLink } from './ports.ts';
export { QueueService, QueueRunner };

export interface QueuesOptions {
  readonly repo: QueueRepository;
  readonly bus: QueuePublisher;
  readonly sessions: QueueSessions;
  /** The ExecutionService; without it queues can be edited but not run. */
  readonly executions?: QueueExecutions;
  /** The issue board's public face, once there is one. */
  readonly issues?: () => QueueIssues | undefined;
  readonly log: (message: string) => void;
  /** What a session the scheduler creates runs (default: a plain interactive bash with the server's environment). */
  readonly sessionShell?: string;
}

/** The queues domain: the service (queues, items, order) and the scheduler that runs them. */
export class Queues extends Disposable {
  readonly state: QueueState;
  readonly service: QueueService;
  private readonly scheduler: QueueRunner | undefined;

  constructor(options: QueuesOptions) {
    super();
    const issues = options.issues ?? (() => undefined);
    this.state = this.register(new QueueState(options.repo, options.bus));
    this.service = new QueueService(this.state, issues);
    this.scheduler = options.executions
      ? this.register(new QueueRunner({ state: this.state, sessions: options.sessions, executions: options.executions, issues, log: options.log, sessionShell: options.sessionShell }))
      : undefined;
  }

  /** Settles executions that ended while the server was down, then runs the running queues on. */
  async start(): Promise<void> {
    await this.scheduler?.start();
  }

  /** The scheduler, or 409 when this server cannot run executions. */
  runner(): QueueRunner {
    if (!this.scheduler) throw new ApiError(409, 'executions_unavailable', 'this server has no execution service; queues can be edited but not run');
    return this.scheduler;
  }
}
