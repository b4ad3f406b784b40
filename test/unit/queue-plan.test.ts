import { describe, expect, it } from 'vitest';
import type { Queue, QueueItem } from '../../schemas/queue.ts';
import { planQueue } from '../../server/workbench/queues/plan.ts';
import { QueueShapeError, validateQueueShape } from '../../server/workbench/queues/graph.ts';
import { chooseSession, newSessionName } from '../../server/workbench/queues/sessions.ts';
import type { CliSession } from '../../schemas/session-view.ts';

function item(id: string, group: string, order: number, extra: Partial<QueueItem> = {}): QueueItem {
  return {
    item_id: id,
    issue_id: null,
    tool: 'bash',
    prompt: `echo ${id}`,
    resumeKey: null,
    resumeStrategy: null,
    sessionKey: null,
    execution_group: group,
    execution_order: order,
    depends_on: [],
    status: 'pending',
    blocked_reason: null,
    executionId: null,
    started_at: null,
    completed_at: null,
    result: null,
    failure_reason: null,
    ...extra,
  };
}

function queue(items: QueueItem[], extra: Partial<Queue> = {}): Queue {
  return {
    id: 'q_1',
    name: 'nightly',
    status: 'active',
    execution_groups: [
      { id: 'P1', type: 'parallel' },
      { id: 'S1', type: 'sequential' },
    ],
    items,
    scheduler: { state: 'running', maxConcurrentSessions: 2 },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

/** Applies a plan the way the runner does: updates, then the starts become executing. */
function step(q: Queue): { q: Queue; start: string[] } {
  const plan = planQueue(q);
  const updates = new Map(plan.updates.map((u) => [u.item_id, u]));
  const items = q.items.map((i) => {
    const u = updates.get(i.item_id);
    const next = u ? { ...i, status: u.status, blocked_reason: u.blocked_reason, blocked_code: u.blocked_code } : i;
    return plan.start.includes(i.item_id) ? { ...next, status: 'executing' as const } : next;
  });
  return { q: { ...q, items }, start: plan.start };
}

function setStatus(q: Queue, id: string, status: QueueItem['status'], extra: Partial<QueueItem> = {}): Queue {
  return { ...q, items: q.items.map((i) => (i.item_id === id ? { ...i, status, ...extra } : i)) };
}

const P1_S1 = () =>
  queue([
    item('T-1', 'P1', 0),
    item('T-2', 'P1', 1),
    item('T-3', 'S1', 0, { depends_on: ['T-1', 'T-2'] }),
    item('T-4', 'S1', 1, { depends_on: ['T-1'] }),
  ]);

describe('planQueue', () => {
  it('runs a parallel group up to the limit, then the sequential group one by one', () => {
    let { q, start } = step(P1_S1());
    expect(start).toEqual(['T-1', 'T-2']);
    expect(q.items.find((i) => i.item_id === 'T-3')!.status).toBe('pending');
    ({ q, start } = step(q));
    expect(start).toEqual([]);
    q = setStatus(q, 'T-1', 'completed');
    ({ q, start } = step(q));
    // T-4 only needs T-1 but its group waits for P1 to settle, and T-3 comes first anyway.
    expect(start).toEqual([]);
    q = setStatus(q, 'T-2', 'completed');
    ({ q, start } = step(q));
    expect(start).toEqual(['T-3']);
    expect(q.items.find((i) => i.item_id === 'T-4')!.status).toBe('pending');
    q = setStatus(q, 'T-3', 'completed');
    ({ q, start } = step(q));
    expect(start).toEqual(['T-4']);
    q = setStatus(q, 'T-4', 'completed');
    expect(planQueue(q).finished).toBe(true);
  });

  it('never starts more than maxConcurrentSessions, counting what executes', () => {
    const q = queue(
      ['T-1', 'T-2', 'T-3', 'T-4', 'T-5'].map((id, k) => item(id, 'P1', k)),
      { scheduler: { state: 'running', maxConcurrentSessions: 3 } },
    );
    expect(planQueue(q).start).toEqual(['T-1', 'T-2', 'T-3']);
    const running = setStatus(setStatus(q, 'T-1', 'executing'), 'T-2', 'executing');
    expect(planQueue(running).start).toEqual(['T-3']);
  });

  it('starts nothing while paused, stopped or inactive, yet marks ready items', () => {
    for (const extra of [{ scheduler: { state: 'paused' as const, maxConcurrentSessions: 2 } }, { status: 'inactive' as const }]) {
      const plan = planQueue(queue([item('T-1', 'P1', 0)], extra));
      expect(plan.start).toEqual([]);
      expect(plan.updates).toEqual([{ item_id: 'T-1', status: 'ready', blocked_reason: null, blocked_code: null }]);
    }
  });

  it('a failed dependency blocks its dependents, naming it, and transitively', () => {
    let q = queue([item('T-1', 'P1', 0), item('T-2', 'P1', 1, { depends_on: ['T-1'] }), item('T-3', 'S1', 0, { depends_on: ['T-2'] })]);
    q = setStatus(q, 'T-1', 'failed', { failure_reason: 'exited with code 3' });
    const { q: after } = step(q);
    const t2 = after.items.find((i) => i.item_id === 'T-2')!;
    expect(t2.status).toBe('blocked');
    expect(t2.blocked_reason).toBe('waits for T-1 which failed (exited with code 3)');
    expect(after.items.find((i) => i.item_id === 'T-3')!.blocked_reason).toBe('waits for T-2 which is blocked');
    // Retried (pending again): the block lifts and T-1 runs first.
    const retried = step(setStatus(after, 'T-1', 'pending', { failure_reason: null }));
    expect(retried.start).toEqual(['T-1']);
    expect(retried.q.items.find((i) => i.item_id === 'T-2')!.status).toBe('pending');
  });

  it('a skipped dependency releases its dependents; a cancelled one blocks them', () => {
    const base = queue([item('T-1', 'P1', 0), item('T-2', 'P1', 1, { depends_on: ['T-1'] })]);
    expect(planQueue(setStatus(base, 'T-1', 'cancelled', { skipped: true })).start).toEqual(['T-2']);
    const cancelled = planQueue(setStatus(base, 'T-1', 'cancelled'));
    expect(cancelled.start).toEqual([]);
    expect(cancelled.updates[0]).toMatchObject({ item_id: 'T-2', status: 'blocked', blocked_reason: 'waits for T-1 which was cancelled' });
  });

  it('in a sequential group a failure blocks the items after it', () => {
    let q = queue([item('T-1', 'S1', 0), item('T-2', 'S1', 1)]);
    q = setStatus(q, 'T-1', 'failed');
    expect(planQueue(q).updates).toEqual([
      {
        item_id: 'T-2',
        status: 'blocked',
        blocked_reason: 'waits for T-1, which runs before it in its sequential group, which failed',
        blocked_code: { code: 'dep_failed', params: { dep: 'T-1', sequential: 'yes' } },
      },
    ]);
  });

  it('a later group starts once the earlier one settled, even with a failure in it', () => {
    let q = queue([item('T-1', 'P1', 0), item('T-2', 'S1', 0)]);
    q = setStatus(q, 'T-1', 'failed');
    expect(planQueue(q).start).toEqual(['T-2']);
  });

  it('skips items canStart refuses and takes the next', () => {
    const q = queue([item('T-1', 'P1', 0), item('T-2', 'P1', 1), item('T-3', 'P1', 2)]);
    expect(planQueue(q, { canStart: (i) => i.item_id !== 'T-1' }).start).toEqual(['T-2', 'T-3']);
  });
});

describe('validateQueueShape', () => {
  const groups = queue([]).execution_groups;
  const shapeError = (items: QueueItem[]) => {
    try {
      validateQueueShape(items, groups);
    } catch (error) {
      expect(error).toBeInstanceOf(QueueShapeError);
      return (error as Error).message;
    }
    return undefined;
  };

  it('names a cycle and an unknown id', () => {
    expect(shapeError([item('T-1', 'P1', 0, { depends_on: ['T-2'] }), item('T-2', 'P1', 1, { depends_on: ['T-1'] })])).toMatch(
      /dependency cycle: T-1 → T-2 → T-1|dependency cycle: T-2 → T-1 → T-2/,
    );
    expect(shapeError([item('T-1', 'P1', 0, { depends_on: ['T-9'] })])).toBe('item T-1 depends on unknown item "T-9"');
  });

  it('counts sequential order as waiting: an earlier item depending on a later one is a cycle', () => {
    expect(shapeError([item('T-1', 'S1', 0, { depends_on: ['T-2'] }), item('T-2', 'S1', 1)])).toMatch(/dependency cycle: .*T-1.*T-2/);
  });

  it('refuses a dependency on a later group and an unknown group', () => {
    expect(shapeError([item('T-1', 'P1', 0, { depends_on: ['T-2'] }), item('T-2', 'S1', 0)])).toMatch(/depends on T-2 in the later group S1/);
    expect(shapeError([item('T-1', 'X9', 0)])).toMatch(/unknown execution group "X9"/);
  });

  it('accepts a valid queue', () => {
    expect(shapeError(P1_S1().items)).toBeUndefined();
  });
});

describe('chooseSession', () => {
  const session = (key: string, extra: Partial<CliSession> = {}): CliSession =>
    ({ sessionKey: key, name: key, tool: 'bash', status: 'running', issueId: null, resumeKey: null, ...extra }) as CliSession;
  const q = { id: 'q_1', name: 'nightly run' };
  const free = () => true;

  it('pinned, then resume key, then same issue and tool, then the queue pool, then new', () => {
    const sessions = [
      session('s_pin'),
      session('s_resume', { resumeKey: 'r1' }),
      session('s_issue', { issueId: 'I-1' }),
      session('s_issue_codex', { issueId: 'I-2', tool: 'codex' }),
      session('s_pool', { name: 'nightly run-T-7' }),
    ];
    expect(chooseSession(q, item('T-1', 'P1', 0, { sessionKey: 's_pin' }), sessions, free)).toEqual({ kind: 'existing', sessionKey: 's_pin' });
    expect(chooseSession(q, item('T-1', 'P1', 0, { resumeKey: 'r1' }), sessions, free)).toEqual({ kind: 'existing', sessionKey: 's_resume' });
    expect(chooseSession(q, item('T-1', 'P1', 0, { issue_id: 'I-1' }), sessions, free)).toEqual({ kind: 'existing', sessionKey: 's_issue' });
    expect(chooseSession(q, item('T-1', 'P1', 0, { issue_id: 'I-2' }), sessions, free)).toEqual({ kind: 'new' });
    expect(chooseSession(q, item('T-1', 'P1', 0), sessions, free)).toEqual({ kind: 'existing', sessionKey: 's_pool' });
    expect(chooseSession(q, item('T-1', 'P1', 0), sessions, (k) => k !== 's_pool')).toEqual({ kind: 'new' });
  });

  it('waits for a busy pinned or resume-bound session; a gone pinned session falls through', () => {
    const sessions = [session('s_pin'), session('s_resume', { resumeKey: 'r1' })];
    expect(chooseSession(q, item('T-1', 'P1', 0, { sessionKey: 's_pin' }), sessions, () => false).kind).toBe('wait');
    expect(chooseSession(q, item('T-1', 'P1', 0, { resumeKey: 'r1' }), sessions, () => false).kind).toBe('wait');
    expect(chooseSession(q, item('T-1', 'P1', 0, { sessionKey: 's_gone' }), sessions, free)).toEqual({ kind: 'new' });
  });

  it('names new sessions for the queue and the item, uniquely', () => {
    expect(newSessionName(q, { item_id: 'T-3' }, new Set())).toBe('nightly run-T-3');
    expect(newSessionName({ id: 'q_1', name: 'a.b:c' }, { item_id: 'T-3' }, new Set(['a-b-c-T-3']))).toBe('a-b-c-T-3-2');
  });
});
