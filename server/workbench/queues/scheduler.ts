import { Disposable, toDisposable } from '../../../base/lifecycle.ts';
import type { Queue, QueueItem, SchedulerState } from '../../../schemas/queue.ts';
import { ApiError, notFoundError } from '../../../base/errors.ts';
import { planQueue } from './plan.ts';
import { parseQueueItemLink, queueItemLink, type QueueExecution, type QueueExecutions, type QueueIssues, type QueueSessions } from './ports.ts';
import type { QueueState } from './queue-state.ts';
import { chooseSession, newSessionName, type SessionChoice } from './sessions.ts';
import { followIssue, settledItem } from './outcomes.ts';
import { errorMessage } from '../../../base/errors.ts';
import { failureFields, startErrorParams } from '../../../schemas/queue-reason.ts';

/** A start refused because the session turned busy is tried again after this long. */
const BUSY_RETRY_MS = 250;

export interface SchedulerDeps {
  readonly state: QueueState;
  readonly sessions: QueueSessions;
  readonly executions: QueueExecutions;
  readonly issues: () => QueueIssues | undefined;
  readonly log: (message: string) => void;
  readonly sessionShell?: string;
}

/**
 * A queue's new sessions run a shell the executions type into, not the tool itself (the tool runs
 * one-shot per item). No login profile: it inherits the server's environment and starts at once,
 * where `bash -l` can take seconds on a loaded machine.
 */
export const DEFAULT_QUEUE_SHELL = 'bash --noprofile --norc -i';

function errorInfo(error: unknown): { status?: number; code?: string; message: string } {
  const e = error as { status?: number; code?: string; message?: string };
  return { status: e?.status, code: e?.code, message: e?.message ?? String(error) };
}

function ended(execution: QueueExecution): boolean {
  return execution.status !== 'running';
}

/**
 * Runs the queues: decides with planQueue, chooses a session per item, and
 * starts items through the ExecutionService. The decision to start an item
 * (status `executing`, its session) is durable before anything is typed, and
 * an item ends only when its execution really ends, so after a crash the
 * restart settles what ended meanwhile and never starts an item twice.
 */
export class QueueRunner extends Disposable {
  /** Items between the durable start decision and their recorded executionId. */
  private readonly launching = new Set<string>();
  /** Sessions an in-flight start has taken (not busy in the ExecutionService yet). */
  private readonly claimed = new Set<string>();
  private readonly scheduled = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private started = false;

  constructor(private readonly deps: SchedulerDeps) {
    super();
    this.register(toDisposable(() => this.timers.forEach((t) => clearTimeout(t))));
  }

  /** Settles what ended while the server was down, then goes on with every running queue. */
  async start(): Promise<void> {
    this.register(this.deps.executions.onDidUpdate((execution) => this.onExecution(execution)));
    this.register(this.deps.state.onDidChange((queue) => this.schedule(queue.id)));
    this.started = true;
    for (const queue of this.deps.state.list()) await this.reconcile(queue);
    for (const queue of this.deps.state.list()) this.schedule(queue.id);
  }

  async control(queueId: string, action: 'start' | 'pause' | 'resume' | 'stop'): Promise<Queue> {
    const queue = this.deps.state.get(queueId);
    if (queue.status === 'archived') throw new ApiError(409, 'queue_archived', `queue ${queueId} is archived; PATCH it back to inactive first`);
    const set = (state: SchedulerState, extra: Partial<Queue> = {}) =>
      this.deps.state.commit({ ...this.deps.state.get(queueId), ...extra, scheduler: { ...this.deps.state.get(queueId).scheduler, state } });
    switch (action) {
      case 'start': {
        // Starting again after a stop runs what the stop cancelled.
        const items = queue.items.map((i) => (i.status === 'cancelled' && !i.skipped ? this.reset(i) : i));
        return set('running', { status: 'active', items });
      }
      case 'resume':
        if (queue.scheduler.state !== 'paused') throw new ApiError(409, 'not_paused', `the scheduler of queue ${queueId} is ${queue.scheduler.state}, not paused`);
        return set('running', { status: 'active' });
      case 'pause':
        if (queue.scheduler.state !== 'running') throw new ApiError(409, 'not_running', `the scheduler of queue ${queueId} is ${queue.scheduler.state}, not running`);
        return set('paused');
      case 'stop': {
        const running = queue.items.filter((i) => i.status === 'executing');
        const now = new Date().toISOString();
        const items = queue.items.map((i) =>
          i.status === 'executing' ? { ...i, status: 'cancelled' as const, completed_at: now, ...failureFields('stopped') } : i,
        );
        const saved = await set('stopped', { items });
        await Promise.all(
          running.map((i) => (i.executionId ? this.deps.executions.cancel(i.executionId).catch((e) => this.deps.log(`queue ${queueId}: cancel ${i.item_id}: ${errorMessage(e)}`)) : undefined)),
        );
        return saved;
      }
    }
  }

  async setMaxConcurrent(queueId: string, maxConcurrentSessions: number): Promise<Queue> {
    const queue = this.deps.state.get(queueId);
    return this.deps.state.commit({ ...queue, scheduler: { ...queue.scheduler, maxConcurrentSessions } });
  }

  /** A failed or cancelled item runs again; for a blocked one, the failed items it waits for do. */
  async retry(queueId: string, itemId: string): Promise<Queue> {
    const queue = this.deps.state.get(queueId);
    const item = this.deps.state.item(queueId, itemId);
    const byId = new Map(queue.items.map((i) => [i.item_id, i]));
    const targets = new Set<string>();
    if (item.status === 'failed' || item.status === 'cancelled') targets.add(itemId);
    else if (item.status === 'blocked') {
      const walk = (id: string) => {
        for (const dep of byId.get(id)?.depends_on ?? []) {
          const d = byId.get(dep);
          if (!d) continue;
          if (d.status === 'failed' || (d.status === 'cancelled' && !d.skipped)) targets.add(dep);
          else if (d.status === 'blocked') walk(dep);
        }
      };
      walk(itemId);
      // Blocked by its sequential predecessor only: that one is what to retry.
      if (targets.size === 0) throw new ApiError(409, 'nothing_to_retry', `item ${itemId} is blocked (${item.blocked_reason ?? 'by an earlier item'}); retry or skip that item`);
    } else {
      throw new ApiError(409, 'not_retryable', `item ${itemId} is ${item.status}; only failed, cancelled or blocked items can be retried`);
    }
    return this.deps.state.commit({ ...queue, items: queue.items.map((i) => (targets.has(i.item_id) ? this.reset(i) : i)) });
  }

  /** Gives up on a failed or blocked item: it ends cancelled and skipped, and its dependents go on. */
  async skip(queueId: string, itemId: string): Promise<Queue> {
    const queue = this.deps.state.get(queueId);
    const item = this.deps.state.item(queueId, itemId);
    if (item.status === 'executing' || item.status === 'completed') {
      throw new ApiError(409, 'not_skippable', `item ${itemId} is ${item.status}; only items that have not run or did not complete can be skipped`);
    }
    const skipped: QueueItem = { ...item, status: 'cancelled', skipped: true, blocked_reason: null, blocked_code: null, completed_at: new Date().toISOString() };
    return this.deps.state.commit({ ...queue, items: queue.items.map((i) => (i.item_id === itemId ? skipped : i)) });
  }

  /** "Execute in session": this item now, outside the scheduler's order, in that session or a new one. */
  async executeNow(queueId: string, itemId: string, sessionKey?: string): Promise<QueueItem> {
    const queue = this.deps.state.get(queueId);
    const item = this.deps.state.item(queueId, itemId);
    if (item.status === 'executing') throw new ApiError(409, 'item_executing', `item ${itemId} is already executing`);
    let choice: SessionChoice;
    if (sessionKey) {
      const session = this.deps.sessions.list().find((s) => s.sessionKey === sessionKey);
      if (!session) throw notFoundError('session', sessionKey, `no session "${sessionKey}"`);
      if (session.status !== 'running') throw new ApiError(409, 'session_closed', `session ${session.name} is ${session.status}; choose a running one`);
      if (!this.isFree(sessionKey)) throw new ApiError(409, 'session_busy', `session ${session.name} is running something; wait or choose another`);
      choice = { kind: 'existing', sessionKey };
    } else {
      choice = chooseSession(queue, { ...item, sessionKey: null }, this.deps.sessions.list(), (key) => this.isFree(key));
      if (choice.kind === 'wait') choice = { kind: 'new' };
    }
    await this.launch(queueId, itemId, choice);
    return this.deps.state.item(queueId, itemId);
  }

  private reset(item: QueueItem): QueueItem {
    return { ...item, status: 'pending', skipped: false, executionId: null, started_at: null, completed_at: null, result: null, failure_reason: null, failure_code: null, blocked_reason: null, blocked_code: null };
  }

  private isFree(sessionKey: string): boolean {
    return !this.claimed.has(sessionKey) && !this.deps.executions.isBusy(sessionKey);
  }

  private schedule(queueId: string, delayMs = 0): void {
    if (!this.started || this.isDisposed) return;
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.schedule(queueId);
      }, delayMs);
      this.timers.add(timer);
      return;
    }
    if (this.scheduled.has(queueId)) return;
    this.scheduled.add(queueId);
    queueMicrotask(() => {
      this.scheduled.delete(queueId);
      if (!this.isDisposed) this.tick(queueId);
    });
  }

  /** One decision for one queue: statuses of waiting items, the queue's end, and what starts now. */
  private tick(queueId: string): void {
    const queue = this.deps.state.find(queueId);
    if (!queue || queue.status === 'archived') return;
    const choices = new Map<string, SessionChoice>();
    const reserved = new Set<string>();
    const sessions = this.deps.sessions.list();
    const plan = planQueue(queue, {
      canStart: (item) => {
        const choice = chooseSession(queue, item, sessions, (key) => !reserved.has(key) && this.isFree(key));
        if (choice.kind === 'wait') return false;
        if (choice.kind === 'existing') reserved.add(choice.sessionKey);
        choices.set(item.item_id, choice);
        return true;
      },
    });
    const finishing = plan.finished && queue.status !== 'completed' && plan.running === 0;
    if (plan.updates.length > 0 || finishing) {
      const updates = new Map(plan.updates.map((u) => [u.item_id, u]));
      const items = queue.items.map((i) => {
        const u = updates.get(i.item_id);
        return u ? { ...i, status: u.status, blocked_reason: u.blocked_reason, blocked_code: u.blocked_code } : i;
      });
      const next: Queue = finishing ? { ...queue, items, status: 'completed', scheduler: { ...queue.scheduler, state: 'idle' } } : { ...queue, items };
      void this.deps.state.commit(next).catch((e) => this.deps.log(`queue ${queueId}: ${errorMessage(e)}`));
      if (finishing) return;
    }
    for (const itemId of plan.start) void this.launch(queueId, itemId, choices.get(itemId) ?? { kind: 'new' }).catch(() => undefined);
  }

  private async launch(queueId: string, itemId: string, choice: SessionChoice): Promise<void> {
    const link = queueItemLink(queueId, itemId);
    const { state, executions } = this.deps;
    let claimedKey = choice.kind === 'existing' ? choice.sessionKey : undefined;
    let holding: string | undefined;
    const claim = (key: string) => {
      this.claimed.add(key);
      holding = key;
    };
    const release = () => {
      if (holding) this.claimed.delete(holding);
      holding = undefined;
    };
    if (claimedKey) claim(claimedKey);
    this.launching.add(link);
    const startedAt = new Date().toISOString();
    let attempt = 0;
    const stillOurs = () => {
      const now = state.find(queueId)?.items.find((i) => i.item_id === itemId);
      return now && now.status === 'executing' && now.started_at === startedAt ? now : undefined;
    };
    try {
      // The decision, durable before anything is typed.
      await state.commitItems(queueId, (items) =>
        items.map((i) => {
          if (i.item_id !== itemId) return i;
          attempt = (i.attempts ?? 0) + 1;
          return { ...this.reset(i), status: 'executing', started_at: startedAt, attempts: attempt, sessionKey: claimedKey ?? i.sessionKey };
        }),
      );
      const queue = state.get(queueId);
      const item = stillOurs();
      if (!item) return;
      followIssue(this.deps, item, 'started');
      if (!claimedKey) {
        const taken = new Set(this.deps.sessions.list().filter((s) => s.status !== 'closed').map((s) => s.name));
        const session = await this.deps.sessions.create({
          name: newSessionName(queue, item, taken),
          tool: item.tool as never,
          issueId: item.issue_id,
          resumeKey: item.resumeKey,
          resumeStrategy: item.resumeStrategy,
          shell: this.deps.sessionShell ?? DEFAULT_QUEUE_SHELL,
        });
        claimedKey = session.sessionKey;
        claim(claimedKey);
        if (!stillOurs()) return;
        await state.commitItems(queueId, (items) => items.map((i) => (i.item_id === itemId ? { ...i, sessionKey: session.sessionKey } : i)));
      }
      if (!stillOurs()) return;
      const execution = await executions.executeInSession(claimedKey, {
        prompt: item.prompt,
        tool: item.tool,
        resumeKey: item.resumeKey,
        resumeStrategy: item.resumeStrategy,
        issueId: item.issue_id,
        queueItemId: link,
        queueId,
      });
      // From here the ExecutionService itself says the session is busy (until it ends).
      release();
      if (!stillOurs()) {
        // Stopped while it was being typed: it must not go on.
        if (!ended(execution)) await executions.cancel(execution.executionId).catch(() => undefined);
        return;
      }
      await state.commitItems(queueId, (items) => items.map((i) => (i.item_id === itemId ? { ...i, executionId: execution.executionId } : i)));
      const latest = executions.get(execution.executionId) ?? execution;
      if (ended(latest)) await this.settle(queueId, itemId, latest);
    } catch (error) {
      const info = errorInfo(error);
      if (!stillOurs()) return;
      if (info.code === 'session_busy') {
        // Someone typed into the session first: not a failure, try again shortly.
        await state.commitItems(queueId, (items) => items.map((i) => (i.item_id === itemId ? { ...this.reset(i), attempts: attempt - 1 } : i)));
        this.schedule(queueId, BUSY_RETRY_MS);
        return;
      }
      this.deps.log(`queue ${queueId}: item ${itemId} could not start: ${info.message}`);
      await state.commitItems(queueId, (items) =>
        items.map((i) => (i.item_id === itemId ? { ...i, status: 'failed', completed_at: new Date().toISOString(), ...failureFields('could_not_start', startErrorParams(error)) } : i)),
      );
      throw error;
    } finally {
      this.launching.delete(link);
      release();
      this.schedule(queueId);
    }
  }

  private onExecution(execution: QueueExecution): void {
    const link = parseQueueItemLink(execution.queueItemId);
    if (!link) return;
    const item = this.deps.state.find(link.queueId)?.items.find((i) => i.item_id === link.itemId);
    if (!item || item.status !== 'executing') return;
    if (item.executionId === execution.executionId) {
      if (ended(execution)) void this.settle(link.queueId, link.itemId, execution).catch((e) => this.deps.log(`queue ${link.queueId}: ${errorMessage(e)}`));
    } else if (item.executionId === null && !this.launching.has(queueItemLink(link.queueId, link.itemId))) {
      // Started before a crash, its id not recorded: adopt it.
      void this.adopt(link.queueId, item, execution);
    }
  }

  private async adopt(queueId: string, item: QueueItem, execution: QueueExecution): Promise<void> {
    await this.deps.state.commitItems(queueId, (items) =>
      items.map((i) => (i.item_id === item.item_id ? { ...i, executionId: execution.executionId, sessionKey: execution.sessionKey ?? i.sessionKey } : i)),
    );
    if (ended(execution)) await this.settle(queueId, item.item_id, execution);
  }

  /** An execution really ended: its item completes or fails, keeping what it left. */
  private async settle(queueId: string, itemId: string, execution: QueueExecution): Promise<void> {
    const item = this.deps.state.find(queueId)?.items.find((i) => i.item_id === itemId);
    if (!item || item.status !== 'executing' || item.executionId !== execution.executionId) return;
    const settled = settledItem(item, execution);
    const saved = this.deps.state.commitItems(queueId, (items) => items.map((i) => (i.item_id === itemId ? settled : i)));
    followIssue(this.deps, settled, settled.status === 'completed' ? 'completed' : 'failed', execution.exitCode);
    await saved;
  }

  /**
   * After a restart: items whose execution ended while the server was down
   * settle; an item decided but without a recorded execution adopts the one
   * the ExecutionService has for it, or goes back to pending when none was
   * ever created (nothing was typed then, so running it cannot run it twice).
   */
  private async reconcile(queue: Queue): Promise<void> {
    for (const item of queue.items) {
      if (item.status !== 'executing') continue;
      const link = queueItemLink(queue.id, item.item_id);
      if (item.executionId) {
        const execution = this.deps.executions.get(item.executionId);
        if (!execution) {
          await this.deps.state.commitItems(queue.id, (items) =>
            items.map((i) => (i.item_id === item.item_id ? { ...i, status: 'failed', ...failureFields('execution_lost', { execution: item.executionId ?? '' }) } : i)),
          );
        } else if (ended(execution)) {
          await this.settle(queue.id, item.item_id, execution);
        }
        continue;
      }
      const found = this.deps.executions
        .list({ queueId: queue.id, queueItemId: link })
        .filter((e) => e.queueItemId === link && (!item.started_at || e.startedAt >= item.started_at))
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
      if (found) await this.adopt(queue.id, item, found);
      else await this.deps.state.commitItems(queue.id, (items) => items.map((i) => (i.item_id === item.item_id ? { ...this.reset(i), attempts: Math.max(0, (i.attempts ?? 1) - 1) } : i)));
    }
  }
}
