import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MIGRATIONS, StoreClosedError, type StoreChange } from '../../server/store/index.ts';
import { afterCrash, journalFiles, sessionInput, useFreshStore } from '../fixtures/store/helpers.ts';

const ctx = useFreshStore();

const journalText = (): string => journalFiles(ctx.dir).map((file) => readFileSync(file, 'utf8')).join('');

describe('acknowledgement', () => {
  test('onChange fires only once the change is in the journal on disk', async () => {
    const seen: Array<{ change: StoreChange; onDisk: boolean }> = [];
    ctx.store.onChange((change) => seen.push({ change, onDisk: journalText().includes('"key-on-disk"') }));
    const pending = ctx.store.sessions.put(sessionInput('key-on-disk'));
    expect(seen).toEqual([]); // applied in memory, not yet acknowledged
    expect(ctx.store.sessions.get('key-on-disk')).toBeDefined();
    await pending;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ onDisk: true, change: { table: 'sessions', op: 'insert', key: { sessionKey: 'key-on-disk' } } });
  });

  test('writes issued together share one fsync but keep their order', async () => {
    const order: number[] = [];
    ctx.store.onChange((change) => order.push(change.lsn));
    const before = ctx.store.stats().lastLsn;
    await Promise.all(Array.from({ length: 50 }, (_, i) => ctx.store.paneOffsets.set('h', `%${i}`, i)));
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => before + i + 1));
    // One frame holds them all: the segment has one header (magic "TBJ1") after the migrations' frames.
    const frames = journalText().split('TBJ1').length - 1;
    expect(frames).toBeLessThanOrEqual(MIGRATIONS.length + 1);
  });

  test('a failing change listener does not turn a durable write into a failure', async () => {
    ctx.store.onChange(() => {
      throw new Error('listener bug');
    });
    await expect(ctx.store.sessions.upsert(sessionInput('a'))).resolves.toMatchObject({ sessionKey: 'a' });
  });

  test('after close, writes are refused with a clear error', async () => {
    await ctx.store.close();
    await expect(ctx.store.sessions.put(sessionInput('late'))).rejects.toThrow(StoreClosedError);
    await expect(ctx.store.sessions.put(sessionInput('late'))).rejects.toThrow(/store is closed/);
  });

  test('values that would not replay the same are refused', async () => {
    await expect(ctx.store.write((tx) => tx.run('INSERT INTO pane_offsets VALUES (?, ?, ?, ?)', ['h', '%1', true as never, 1]))).rejects.toThrow(
      /unsupported SQL parameter true/,
    );
    await expect(ctx.store.write((tx) => tx.run('INSERT INTO pane_offsets VALUES (?, ?, ?, ?)', ['h', '%1', Number.NaN, 1]))).rejects.toThrow(TypeError);
    expect(ctx.store.paneOffsets.list()).toEqual([]);
  });
});

describe('transactions', () => {
  test('several writes commit as one journal entry, all or nothing', async () => {
    const before = ctx.store.stats().lastLsn;
    const changes: string[] = [];
    ctx.store.onChange((change) => changes.push(change.table));
    const result = await ctx.store.transaction(() => {
      void ctx.store.sessions.put(sessionInput('t1'));
      void ctx.store.events.append({ type: 'CLI_SESSION_CREATED', at: new Date().toISOString(), sessionKey: 't1' });
      return 'done';
    });
    expect(result).toBe('done');
    expect(ctx.store.stats().lastLsn).toBe(before + 1);
    expect(changes).toEqual(['sessions', 'events']);
    await afterCrash(ctx.dir, (reopened) => {
      expect(reopened.sessions.get('t1')).toBeDefined();
      expect(reopened.events.list()).toHaveLength(1);
    });
  });

  test('the callback may return a repository write: the transaction resolves with its value', async () => {
    const row = await ctx.store.transaction(() => ctx.store.sessions.upsert(sessionInput('returned')));
    expect(row).toMatchObject({ sessionKey: 'returned', status: 'running' });
  });

  test('a throw rolls everything back, and the inner writes fail too', async () => {
    let inner: Promise<unknown> | undefined;
    const outcome = ctx.store.transaction(() => {
      inner = ctx.store.sessions.put(sessionInput('rolled-back'));
      void ctx.store.sessions.put(sessionInput('ignored')); // its rejection must not go unhandled
      expect(ctx.store.sessions.get('rolled-back')).toBeDefined(); // visible inside the transaction
      throw new Error('changed my mind');
    });
    await expect(outcome).rejects.toThrow('changed my mind');
    await expect(inner).rejects.toThrow('changed my mind');
    expect(ctx.store.sessions.get('rolled-back')).toBeUndefined();
  });

  test('a failing write inside a transaction aborts all of it', async () => {
    await expect(
      ctx.store.transaction(() => {
        void ctx.store.paneOffsets.set('h', '%1', 1);
        void ctx.store.paneOffsets.set('h', '%2', -5); // invalid: throws here, synchronously
      }),
    ).rejects.toThrow();
    expect(ctx.store.paneOffsets.list()).toEqual([]);
  });

  test('an async callback is refused and rolled back', async () => {
    await expect(
      ctx.store.transaction(async () => {
        await ctx.store.sessions.put(sessionInput('async'));
      }),
    ).rejects.toThrow(/must be synchronous/);
    expect(ctx.store.sessions.get('async')).toBeUndefined();
  });
});
