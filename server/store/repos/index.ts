import type { StoreCore } from '../tx.ts';
import { ApprovalTokenRepository, StageHistoryRepository } from './approvals.ts';
import { PaneOffsetRepository, StageStateRepository } from './agent-state.ts';
import { AuditRepository } from './audit.ts';
import { EventRepository } from './events.ts';
import { IssueRepository } from './issues.ts';
import { LoginSessionRepository } from './login-sessions.ts';
import { FlowRepository } from './flows.ts';
import { NotificationRepository } from './notifications.ts';
import { DEFAULT_RETENTION, type RetentionOptions } from './retention.ts';
import { QueueRepository } from './queues.ts';
import { SessionRepository } from './sessions.ts';
import { CliOutputRepository, ExecutionRepository } from './executions.ts';
import { ResumeRepository } from './resume.ts';

export type { RetentionOptions, Retention } from './retention.ts';

/** The typed repositories, one per table. */
export interface Repositories {
  readonly sessions: SessionRepository;
  readonly events: EventRepository;
  readonly paneOffsets: PaneOffsetRepository;
  readonly stageState: StageStateRepository;
  readonly stageHistory: StageHistoryRepository;
  readonly approvalTokens: ApprovalTokenRepository;
  readonly notifications: NotificationRepository;
  readonly audit: AuditRepository;
  readonly executions: ExecutionRepository;
  readonly resume: ResumeRepository;
  readonly cliOutput: CliOutputRepository;
  readonly issues: IssueRepository;
  readonly flows: FlowRepository;
  readonly queues: QueueRepository;
  readonly loginSessions: LoginSessionRepository;
}

export function createRepositories(store: StoreCore, retention: RetentionOptions): Repositories {
  return {
    sessions: new SessionRepository(store),
    events: new EventRepository(store, { ...DEFAULT_RETENTION.events, ...retention.events }),
    paneOffsets: new PaneOffsetRepository(store),
    stageState: new StageStateRepository(store),
    stageHistory: new StageHistoryRepository(store),
    approvalTokens: new ApprovalTokenRepository(store),
    notifications: new NotificationRepository(store),
    audit: new AuditRepository(store, { ...DEFAULT_RETENTION.audit, ...retention.audit }),
    executions: new ExecutionRepository(store),
    resume: new ResumeRepository(store),
    cliOutput: new CliOutputRepository(store),
    issues: new IssueRepository(store),
    flows: new FlowRepository(store),
    queues: new QueueRepository(store),
    loginSessions: new LoginSessionRepository(store),
  };
}
