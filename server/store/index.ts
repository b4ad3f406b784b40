/**
 * The durable state layer. `Store.open({ dataDir })` takes the data directory's
 * lock, loads `state.sqlite`, replays the journal, migrates, and returns the
 * store with one typed repository per table. Writes resolve once on disk.
 */
export { Store, type StoreOptions, type StoreStats } from './store.ts';
export { StoreClosedError, StoreCorruptError, StoreLockedError, StoreVersionError } from './errors.ts';
export type { ChangeOp, StoreChange, StoreCore, WriteTx } from './tx.ts';
export type { SqlParam, SqlRow, StoreLogger } from './types.ts';
export type { SnapshotResult } from './replica.ts';
export { MIGRATIONS, type Migration } from './migrations.ts';
export type { Repositories, Retention, RetentionOptions } from './repos/index.ts';
export { DEFAULT_RETENTION } from './repos/retention.ts';
export { SessionRepository } from './repos/sessions.ts';
export { EventRepository, type EventQuery, type StoredEvent } from './repos/events.ts';
export { PaneOffsetRepository, StageStateRepository, type StageKey, type StageStateInput } from './repos/agent-state.ts';
export { ApprovalTokenRepository, StageHistoryRepository, type StageTransitionInput } from './repos/approvals.ts';
export { NotificationRepository, type AttemptResult, type NotificationInput } from './repos/notifications.ts';
export { AuditRepository, auditPreview, AUDIT_PREVIEW_CHARS, type AuditInput } from './repos/audit.ts';
export { importTmuxagent, type ImportCounts } from './import-tmuxagent.ts';
export { AgentApprovalRepository, type ApprovalCompletion, type ApprovalKeyFilter } from './repos/agent-approvals.ts';
export { PaneProgressRepository, type StoredPaneProgress } from './repos/pane-progress.ts';
export { FlowRepository } from './repos/flows.ts';
export { backupDataDir, restoreDataDir } from './backup.ts';
export { latestVersion } from './migrations.ts';
export { JOURNAL_DIR, SNAPSHOT_FILE } from './recovery.ts';
export type { CliOutputRepository, ExecutionRepository, StoredExecution } from './repos/executions.ts';
export type { IssueRepository, IssueRow } from './repos/issues.ts';
export type { QueueRepository } from './repos/queues.ts';
export type { ResumeRepository, ResumeTurn } from './repos/resume.ts';
