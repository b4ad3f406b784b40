/**
 * One complete payload of every event type, for tests that publish events without the
 * parts that normally do (the map makes a partial payload a compile error). Typed by
 * the map, so a type added to it without a sample here does not compile.
 */
import type { ApprovalView, CliSession, EventPayload, EventType, Execution, Issue, NotificationRecord, Queue } from '../../schemas/index.ts';

const AT = '2025-01-01T00:00:00.000Z';

export function sampleSession(patch: Partial<CliSession> = {}): CliSession {
  return {
    sessionKey: 's_sample',
    name: 'sample',
    tool: 'bash',
    model: null,
    workingDir: '/tmp',
    resumeKey: null,
    resumeStrategy: null,
    status: 'running',
    exitCode: null,
    cols: 80,
    rows: 24,
    createdAt: AT,
    lastActivityAt: AT,
    adopted: false,
    issueId: null,
    tmux: { socket: 'tb-sample', session: 'sample', window: '@1', paneId: '%1' },
    host: null,
    attachCommand: 'tmux -L tb-sample attach -t sample',
    ...patch,
  };
}

export function sampleApproval(patch: Partial<ApprovalView> = {}): ApprovalView {
  return {
    id: 'a_sample',
    host: 'sample-host',
    paneId: '%1',
    pipeline: 'sample-pipeline',
    stage: 'build',
    kind: 'require_approval',
    prompt: null,
    status: 'pending',
    requestedAt: AT,
    file: '/tmp/approvals/a_sample.yaml',
    expiresAt: AT,
    decidedAt: null,
    decidedVia: null,
    decidedBy: null,
    note: null,
    sessionKey: null,
    pane: null,
    ...patch,
  };
}

export function sampleNotification(patch: Partial<NotificationRecord> = {}, where: Partial<NotificationRecord['payload']> = {}): NotificationRecord {
  return {
    deliveryId: 'n_sample.webhook',
    notificationId: 'n_sample',
    channel: 'webhook',
    title: 'sample',
    body: 'a sample notification',
    kind: 'info',
    status: 'sent',
    attempts: 1,
    lastError: null,
    httpStatus: 200,
    createdAt: AT,
    sentAt: AT,
    payload: { host: null, paneId: null, pipeline: null, stage: null, links: {}, ...where },
    ...patch,
  };
}

export function sampleExecution(patch: Partial<Execution> = {}): Execution {
  return {
    executionId: 'x_sample',
    sessionKey: null,
    issueId: null,
    queueItemId: null,
    flowRunId: null,
    tool: 'bash',
    prompt: 'echo hi',
    command: 'echo hi',
    status: 'completed',
    exitCode: 0,
    completion: 'exit',
    startedAt: AT,
    endedAt: AT,
    offsetStart: null,
    offsetEnd: null,
    outputTail: 'hi',
    nativeSessionId: null,
    ...patch,
  };
}

export function sampleIssue(patch: Partial<Issue> = {}): Issue {
  return {
    id: 'ISSUE-1',
    title: 'sample',
    body: '',
    status: 'open',
    priority: 'medium',
    labels: [],
    sortOrder: 1024,
    sessions: [],
    createdAt: AT,
    updatedAt: AT,
    lastRun: null,
    ...patch,
  };
}

export function sampleQueue(patch: Partial<Queue> = {}): Queue {
  return {
    id: 'QUE-1',
    name: 'sample',
    status: 'active',
    execution_groups: [{ id: 'G1', type: 'sequential' }],
    items: [
      {
        item_id: 'T-1',
        issue_id: null,
        tool: 'bash',
        prompt: 'echo hi',
        resumeKey: null,
        resumeStrategy: null,
        sessionKey: null,
        execution_group: 'G1',
        execution_order: 0,
        depends_on: [],
        status: 'pending',
        blocked_reason: null,
        executionId: null,
        started_at: null,
        completed_at: null,
        result: null,
        failure_reason: null,
      },
    ],
    scheduler: { state: 'idle', maxConcurrentSessions: 2 },
    createdAt: AT,
    updatedAt: AT,
    ...patch,
  };
}

/** Every event type with a payload as its publisher sends it. */
export const SAMPLE_PAYLOADS: { readonly [K in EventType]: EventPayload<K> } = {
  CLI_SESSION_CREATED: { sessionKey: 's_sample', session: sampleSession() },
  CLI_SESSION_CLOSED: { sessionKey: 's_sample', exitCode: 0 },
  CLI_SESSION_ERROR: { sessionKey: 's_sample', paneId: '%1', message: 'tmux could not create the session' },
  CLI_SESSION_UPDATED: { sessionKey: 's_sample', session: sampleSession({ currentCommand: 'vim', nativeClients: 1, title: 'edit' }) },
  CLI_SESSION_REMOVED: { sessionKeys: ['s_sample'], issueIds: ['ISS-1'] },
  STAGE_UPDATED: {
    host: 'sample-host',
    paneId: '%1',
    pipeline: 'sample-pipeline',
    stage: 'build',
    status: 'RUNNING',
    retries: 0,
    data: { started_at: 1_735_689_600, started_ms: 1_735_689_600_000, line: 'make' },
    from: 'WAITING_TRIGGER',
    reason: 'trigger matched',
    escalateCode: null,
    view: {
      name: 'build',
      order: 0,
      status: 'RUNNING',
      retries: 0,
      maxRetries: 2,
      requireApproval: false,
      updatedAt: AT,
      startedAt: AT,
      finishedAt: null,
      reason: 'trigger matched',
      escalateCode: null,
    },
  },
  APPROVAL_REQUESTED: { approval: sampleApproval() },
  APPROVAL_DECIDED: { approval: sampleApproval({ status: 'approved', decidedAt: AT, decidedVia: 'web', decidedBy: 'ann' }), decision: 'approve' },
  NOTIFICATION: { notification: sampleNotification() },
  ISSUE_UPDATED: { issue: sampleIssue(), reordered: { 'ISSUE-2': 2048 } },
  QUEUE_UPDATED: { queue: sampleQueue() },
  EXECUTION_UPDATED: { execution: sampleExecution({ sessionKey: 's_sample' }) },
  CONFIG_RELOADED: {
    hash: 'abc123',
    sources: { hostsPath: '/etc/tmux-bridge/hosts.yaml', policyPath: null },
    hosts: ['local'],
    pipelines: ['sample-pipeline'],
    warnings: [],
  },
  CONFIG_ERROR: {
    errors: ['policy.yaml:3:5 pipelines[0].stages: expected a list'],
    warnings: [],
    issues: [{ file: 'policy.yaml', line: 3, column: 5, path: 'pipelines[0].stages', message: 'expected a list' }],
  },
  PANE_TAIL: { host: 'sample-host', paneId: '%1', sessionKey: null, lines: ['$ make', 'ok'], at: AT },
  STAGE_ACTIONS: {
    host: 'sample-host',
    paneId: '%1',
    pipeline: 'sample-pipeline',
    stage: 'build',
    cause: 'start',
    attempt: 1,
    outcomes: [{ kind: 'shell', command: 'true', ok: true, dryRun: false, exitCode: 0, timedOut: false, output: '', error: null, durationMs: 3 }],
  },
  CLI_EXECUTION_STARTED: { executionId: 'x_sample', execution: sampleExecution({ status: 'running', exitCode: null, completion: null, endedAt: null }) },
  CLI_OUTPUT: { executionId: 'x_sample', seq: 0, stream: 'stdout', data: 'hi\n' },
  CLI_EXECUTION_COMPLETED: { executionId: 'x_sample', status: 'completed', exitCode: 0, execution: sampleExecution() },
  FLOW_RUN_UPDATED: {
    run: {
      runId: 'r_sample',
      flowId: 'f_sample',
      flowName: 'sample',
      status: 'running',
      variables: { name: 'world' },
      nodes: {
        n1: { status: 'running', executionId: 'x_sample', output: null, sessionKey: null, offsetStart: null, prompt: 'hello world', error: null, startedAt: AT, endedAt: null, attempts: 1 },
      },
      reason: null,
      startedAt: AT,
      updatedAt: AT,
      endedAt: null,
    },
  },
  HOST_STATUS: { host: 'sample-host', connection: { state: 'reconnecting', reason: 'connection reset', since: AT, mode: 'stream' } },
  TMUX_STATUS: {
    control: { state: 'connected', since: AT, restarts: 0, pending: 0, oldestPendingMs: 0, lastProblem: null, lastProblemAt: null },
  },
  STREAM_GAP: { host: 'sample-host', paneId: '%1', sessionKey: 's_sample', lines: 13, beyondHistory: false, downMs: 1200 },
};
