import { beforeEach, describe, expect, test } from 'vitest';
import type { BridgeEvent, EventListQuery, UncheckedEvent } from '../../schemas/index.ts';
import type { EventSink } from '../../server/events/event-bus.ts';
import { MemoryEventSink } from '../helpers/memory-event-sink.ts';
import type { SessionMetaRepository } from '../../server/sessions/session-meta.ts';
import { auditPreview, Store } from '../../server/store/index.ts';
import { afterCrash, crashCopy, recordingLog, sessionInput, useFreshStore } from '../fixtures/store/helpers.ts';

const ctx = useFreshStore();

describe('sessions', () => {
  test('put, get, list newest first, find by resume key; survives a crash', async () => {
    await ctx.store.sessions.put(sessionInput('a', { createdAt: '2025-01-01T00:00:00.000Z', resumeKey: 'same' }));
    const b = await ctx.store.sessions.upsert(
      sessionInput('b', { createdAt: '2025-01-02T00:00:00.000Z', resumeKey: 'same', tool: 'claude', model: 'opus', adopted: true, paneId: '%4' }),
    );
    expect(b).toMatchObject({ sessionKey: 'b', status: 'running', adopted: true, paneId: '%4', envWrapper: null, closedAt: null });
    expect(ctx.store.sessions.get('b')).toEqual(b);
    expect(ctx.store.sessions.list().map((s) => s.sessionKey)).toEqual(['b', 'a']);
    expect(ctx.store.sessions.findByResumeKey('same').map((s) => s.sessionKey)).toEqual(['b', 'a']);
    expect(ctx.store.sessions.get('missing')).toBeUndefined();
    await afterCrash(ctx.dir, (reopened) => expect(reopened.sessions.get('b')).toEqual(b));
  });

  test('status is derived, so a copy of an old row never keeps a stale status', async () => {
    const running = await ctx.store.sessions.upsert(sessionInput('s'));
    expect((await ctx.store.sessions.upsert({ ...running, exitCode: 2 })).status).toBe('exited');
    const closed = await ctx.store.sessions.upsert({ ...ctx.store.sessions.get('s')!, closedAt: '2025-06-02T00:00:00.000Z' });
    expect(closed).toMatchObject({ status: 'closed', exitCode: 2 });
    expect(ctx.store.sessions.list({ status: 'closed' }).map((s) => s.sessionKey)).toEqual(['s']);
    expect(await ctx.store.sessions.update('s', { lastActivityAt: '2025-06-03T00:00:00.000Z' })).toMatchObject({ status: 'closed' });
    await expect(ctx.store.sessions.update('nope', {})).rejects.toThrow(/no stored session nope/);
  });

  test('bad input is refused and nothing is stored', async () => {
    await expect(ctx.store.sessions.put(sessionInput('x', { resumeStrategy: 'sometimes' as never }))).rejects.toThrow();
    expect(ctx.store.sessions.get('x')).toBeUndefined();
    expect(await ctx.store.sessions.delete('x')).toBe(false);
    await ctx.store.sessions.put(sessionInput('x'));
    expect(await ctx.store.sessions.delete('x')).toBe(true);
    expect(ctx.store.sessions.count()).toBe(0);
  });

  test('fits the SessionHub and EventBus interfaces', () => {
    const repo: SessionMetaRepository = ctx.store.sessions;
    const sink: EventSink = ctx.store.events;
    expect(repo.list()).toEqual([]);
    expect(sink.list({})).toEqual([]);
  });
});

describe('events', () => {
  const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();

  test('append assigns increasing ids; list pages by since, limit and type', async () => {
    const first = await ctx.store.events.append({ type: 'CLI_SESSION_CREATED', at: at(0), sessionKey: 's1', nested: { a: [1, 2] } });
    expect(first).toEqual({ type: 'CLI_SESSION_CREATED', at: at(0), sessionKey: 's1', nested: { a: [1, 2] }, id: 1 });
    for (let i = 1; i < 10; i++) await ctx.store.events.append({ type: i % 2 ? 'STAGE_UPDATED' : 'NOTIFICATION', at: at(i) });
    expect(ctx.store.events.list({ since: 3, limit: 4 }).map((e) => e.id)).toEqual([4, 5, 6, 7]);
    expect(ctx.store.events.list({ type: 'NOTIFICATION' }).map((e) => e.id)).toEqual([3, 5, 7, 9]);
    expect(ctx.store.events.latest(3).map((e) => e.id)).toEqual([8, 9, 10]);
    expect(ctx.store.events.get(1)).toEqual(first);
    expect(ctx.store.events.lastId()).toBe(10);
    // The id given by the caller is not trusted: the store assigns it.
    expect((await ctx.store.events.append({ type: 'NOTIFICATION', at: at(11), id: 999 })).id).toBe(11);
  });

  test('retention deletes by age and by count, at start and durably', async () => {
    const now = Date.now();
    // Event i happened 20 - i minutes ago.
    for (let i = 0; i < 20; i++) await ctx.store.events.append({ type: 'NOTIFICATION', at: new Date(now - (20 - i) * 60_000).toISOString() });
    const byAge = await Store.open({ dataDir: crashCopy(ctx.dir), log: recordingLog(), retention: { events: { maxCount: 15, maxAgeMs: 10.5 * 60_000 } } });
    try {
      await byAge.events.prune(); // joins the prune that runs at start
      expect(byAge.events.list().map((e) => e.id)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      const byCount = await Store.open({ dataDir: crashCopy(byAge.dataDir), log: recordingLog(), retention: { events: { maxCount: 3 } } });
      await byCount.events.prune();
      expect(byCount.events.list().map((e) => e.id)).toEqual([18, 19, 20]);
      await byCount.close();
      // The deletes were journaled: a crash copy with a generous retention still has 10.
      const again = await Store.open({ dataDir: crashCopy(byAge.dataDir), log: recordingLog(), retention: { events: { maxCount: 1000, maxAgeMs: 1e12 } } });
      expect(again.events.count()).toBe(10);
      await again.close();
    } finally {
      await byAge.close();
    }
  });
});

describe('events: newest first, by host, pipeline and time', () => {
  const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
  /** Each type keeps its host and pipeline somewhere else (EVENT_SUBJECT_PATHS). */
  /** Only the fields these filters read: the table takes any payload under a known type. */
  const EVENTS: UncheckedEvent[] = [
    { type: 'CLI_SESSION_CREATED', at: at(0), sessionKey: 's1' },
    { type: 'STAGE_UPDATED', at: at(1), host: 'nas', paneId: '%1', pipeline: 'ci', stage: 'lint', status: 'RUNNING' },
    { type: 'APPROVAL_REQUESTED', at: at(2), approval: { id: 'a1', host: 'nas', paneId: '%1', pipeline: 'ci', stage: 'build' } },
    { type: 'NOTIFICATION', at: at(3), notification: { title: 't', payload: { host: 'nas', paneId: '%1', pipeline: 'deploy', stage: 'x' } } },
    { type: 'STAGE_ACTIONS', at: at(4), host: 'local', paneId: '%2', pipeline: 'ci', stage: 'lint', outcomes: [] },
    { type: 'APPROVAL_DECIDED', at: at(5), approval: { id: 'a2', host: 'local', paneId: '%2', pipeline: 'deploy', stage: 'apply' }, decision: 'approve' },
    { type: 'CONFIG_RELOADED', at: at(6), hosts: ['nas', 'local'], pipelines: ['ci'] },
    { type: 'STAGE_UPDATED', at: at(7), host: 'nas', paneId: '%3', pipeline: 'ci', stage: 'test', status: 'FAILED' },
  ];
  const ids = (events: readonly BridgeEvent[]) => events.map((e) => e.id);

  beforeEach(async () => {
    for (const event of EVENTS) await ctx.store.events.append(event);
  });

  test('before pages back newest first; since keeps paging forward, oldest first', () => {
    expect(ids(ctx.store.events.list({ before: Number.MAX_SAFE_INTEGER, limit: 3 }))).toEqual([8, 7, 6]);
    expect(ids(ctx.store.events.list({ before: 6, limit: 3 }))).toEqual([5, 4, 3]);
    expect(ids(ctx.store.events.list({ before: 3, limit: 3 }))).toEqual([2, 1]);
    expect(ctx.store.events.list({ before: 1 })).toEqual([]);
    // Both: the ids between, still newest first.
    expect(ids(ctx.store.events.list({ since: 2, before: 6 }))).toEqual([5, 4, 3]);
    expect(ids(ctx.store.events.list({ since: 5, limit: 2 }))).toEqual([6, 7]);
  });

  test('host and pipeline match wherever the event type keeps them; other events are left out', () => {
    expect(ids(ctx.store.events.list({ host: 'nas' }))).toEqual([2, 3, 4, 8]);
    expect(ids(ctx.store.events.list({ host: 'local', before: 100 }))).toEqual([6, 5]);
    expect(ids(ctx.store.events.list({ pipeline: 'deploy' }))).toEqual([4, 6]);
    expect(ids(ctx.store.events.list({ host: 'nas', pipeline: 'ci', before: 100 }))).toEqual([8, 3, 2]);
    expect(ids(ctx.store.events.list({ host: 'nas', pipeline: 'ci', type: 'STAGE_UPDATED' }))).toEqual([2, 8]);
    // A page is full when enough events match, however many do not.
    expect(ids(ctx.store.events.list({ host: 'nas', before: 100, limit: 2 }))).toEqual([8, 4]);
    expect(ctx.store.events.list({ host: 'mars' })).toEqual([]);
    // Values are matched exactly, never as patterns.
    expect(ctx.store.events.list({ host: '%' })).toEqual([]);
  });

  test('from and to bound the time, both inclusive', () => {
    expect(ids(ctx.store.events.list({ from: at(2), to: at(4) }))).toEqual([3, 4, 5]);
    expect(ids(ctx.store.events.list({ from: at(6), before: 100 }))).toEqual([8, 7]);
    expect(ids(ctx.store.events.list({ to: at(1), host: 'nas' }))).toEqual([2]);
  });

  test('the host and pipeline filters use their indexes', () => {
    for (const query of [{ host: 'nas' }, { host: 'nas', before: 5 }, { pipeline: 'ci', since: 3 }]) {
      const plan = ctx.store.events.queryPlan(query).join(' | ');
      expect(plan).toMatch(query.host ? /INDEX events_host/ : /INDEX events_pipeline/);
    }
  });

  test('MemoryEventSink answers every query as the store does', async () => {
    const memory = new MemoryEventSink();
    for (const event of EVENTS) await memory.append(event);
    const queries: EventListQuery[] = [
      {},
      { before: 100, limit: 3 },
      { since: 2, before: 7 },
      { host: 'nas', before: 100 },
      { pipeline: 'deploy' },
      { host: 'local', pipeline: 'deploy', type: 'APPROVAL_DECIDED' },
      { from: at(3), to: at(6), before: 100 },
    ];
    for (const query of queries) expect(ids(memory.list(query)), JSON.stringify(query)).toEqual(ids(ctx.store.events.list(query)));
  });
});

describe('tmuxagent tables', () => {
  test('pane offsets', async () => {
    expect(ctx.store.paneOffsets.offset('local', '%1')).toBe(0);
    await ctx.store.paneOffsets.set('local', '%1', 10, 100);
    expect(await ctx.store.paneOffsets.set('local', '%1', 25, 200)).toEqual({ host: 'local', paneId: '%1', offset: 25, updatedAt: 200 });
    await ctx.store.paneOffsets.set('nas', '%1', 7);
    expect(ctx.store.paneOffsets.list('local')).toEqual([{ host: 'local', paneId: '%1', offset: 25, updatedAt: 200 }]);
    expect(ctx.store.paneOffsets.list()).toHaveLength(2);
    await expect(ctx.store.paneOffsets.set('local', '%2', -1)).rejects.toThrow();
    expect(await ctx.store.paneOffsets.delete('nas', '%1')).toBe(true);
    await afterCrash(ctx.dir, (reopened) => expect(reopened.paneOffsets.offset('local', '%1')).toBe(25));
  });

  test('stage state and reset of a pipeline', async () => {
    const key = { host: 'local', paneId: '%1', pipeline: 'ci', stage: 'lint' };
    const row = await ctx.store.stageState.upsert({ ...key, status: 'RUNNING', data: { reason: 'x' }, updatedAt: 5 });
    expect(row).toEqual({ ...key, status: 'RUNNING', retries: 0, data: { reason: 'x' }, updatedAt: 5 });
    await ctx.store.stageState.upsert({ ...key, stage: 'build', status: 'WAITING_APPROVAL' });
    await ctx.store.stageState.upsert({ ...key, pipeline: 'other', status: 'IDLE' });
    expect(ctx.store.stageState.list({ pipeline: 'ci' }).map((s) => s.stage)).toEqual(['build', 'lint']);
    await expect(ctx.store.stageState.upsert({ ...key, status: 'DONE' as never })).rejects.toThrow();
    expect(ctx.store.stageState.get(key)?.status).toBe('RUNNING');
    expect(await ctx.store.stageState.resetPipeline('local', '%1', 'ci')).toBe(2);
    expect(ctx.store.stageState.list().map((s) => s.pipeline)).toEqual(['other']);
  });

  test('approval tokens decide once and expire', async () => {
    await ctx.store.approvalTokens.upsert({ host: 'local', paneId: '%1', stage: 'build', token: 't1', expiresAt: 1000 });
    expect(ctx.store.approvalTokens.findByToken('t1')).toMatchObject({ stage: 'build', usedAt: null });
    expect(await ctx.store.approvalTokens.markUsed('t1', 2000)).toBe(false); // expired
    await ctx.store.approvalTokens.upsert({ host: 'local', paneId: '%1', stage: 'build', token: 't2', expiresAt: 5000 });
    expect(ctx.store.approvalTokens.findByToken('t1')).toBeUndefined();
    const [a, b] = await Promise.all([ctx.store.approvalTokens.markUsed('t2', 2000), ctx.store.approvalTokens.markUsed('t2', 2001)]);
    expect([a, b]).toEqual([true, false]);
    expect(ctx.store.approvalTokens.get('local', '%1', 'build')?.usedAt).toBe(2000);
    await ctx.store.approvalTokens.upsert({ host: 'local', paneId: '%2', stage: 'build', token: 't3', expiresAt: 10 });
    expect(await ctx.store.approvalTokens.expire(100)).toBe(1);
    expect(ctx.store.approvalTokens.list().map((t) => t.token)).toEqual(['t2']);
  });

  test('stage history, newest first', async () => {
    const base = { host: 'local', paneId: '%1', pipeline: 'ci', stage: 'lint' };
    await ctx.store.stageHistory.append({ ...base, from: null, to: 'WAITING_TRIGGER', at: '2025-01-01T00:00:00.000Z' });
    await ctx.store.stageHistory.append({ ...base, from: 'WAITING_TRIGGER', to: 'RUNNING', reason: 'trigger', data: { line: 'go' } });
    await ctx.store.stageHistory.append({ ...base, stage: 'build', from: 'IDLE', to: 'RUNNING', retries: 1 });
    const lint = ctx.store.stageHistory.list({ stage: 'lint' });
    expect(lint.map((h) => [h.id, h.to])).toEqual([
      [2, 'RUNNING'],
      [1, 'WAITING_TRIGGER'],
    ]);
    expect(lint[0]).toMatchObject({ reason: 'trigger', data: { line: 'go' }, retries: 0 });
    expect(ctx.store.stageHistory.list({ beforeId: 3, limit: 1 }).map((h) => h.id)).toEqual([2]);
  });
});

describe('notifications and audit', () => {
  test('a delivery is retried, then sent or given up', async () => {
    const n = await ctx.store.notifications.enqueue({ channel: 'wecom', title: 'build', body: 'failed', kind: 'fail', payload: { url: 'x' } });
    expect(n).toMatchObject({ id: 1, status: 'pending', attempts: 0, payload: { url: 'x' } });
    const other = await ctx.store.notifications.enqueue({ notificationId: n.notificationId, channel: 'stdout', title: 'build', body: 'failed' });
    expect(await ctx.store.notifications.recordAttempt(n.id, { ok: false, error: 'HTTP 502', httpStatus: 502 })).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 502',
    });
    expect(await ctx.store.notifications.recordAttempt(n.id, { ok: true, at: '2025-01-01T00:00:00.000Z' })).toMatchObject({
      status: 'sent',
      attempts: 2,
      lastError: null,
      sentAt: '2025-01-01T00:00:00.000Z',
    });
    await ctx.store.notifications.recordAttempt(other.id, { ok: false, error: 'no', giveUp: true });
    expect(ctx.store.notifications.pending()).toEqual([]);
    expect(ctx.store.notifications.list({ notificationId: n.notificationId }).map((r) => r.status)).toEqual(['failed', 'sent']);
    await expect(ctx.store.notifications.recordAttempt(99, { ok: true })).rejects.toThrow(/no notification 99/);
  });

  test('audit keeps size and an escaped, short preview', async () => {
    const row = await ctx.store.audit.record({ sessionKey: 's1', data: new TextEncoder().encode('ls -la\r'), client: '127.0.0.1', source: 'ws' });
    expect(row).toMatchObject({ id: 1, sessionKey: 's1', bytes: 7, preview: 'ls -la\\r', client: '127.0.0.1', source: 'ws' });
    await ctx.store.audit.record({ sessionKey: 's2', data: 'é'.repeat(100), source: 'api' });
    expect(ctx.store.audit.list({ sessionKey: 's2' })[0]).toMatchObject({ bytes: 200, preview: `${'é'.repeat(40)}…` });
    expect(ctx.store.audit.list().map((r) => r.sessionKey)).toEqual(['s2', 's1']);
    expect(auditPreview('\x1b[A\x03\\')).toBe('\\e[A\\x03\\\\');
    await expect(ctx.store.audit.record({ sessionKey: 's1', data: 'x', source: 'carrier-pigeon' as never })).rejects.toThrow();
  });
});
