import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { StoreLockedError } from '../../server/store/errors.ts';
import { DataDirLock } from '../../server/store/lock.ts';
import { recordingLog, removeTempDirs, tempDir } from '../fixtures/store/helpers.ts';

afterAll(removeTempDirs);

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = execa('node', ['-e', '']);
  const pid = child.pid!;
  await child;
  return pid;
}

describe('DataDirLock', () => {
  test('writes our pid, refuses a second holder, and is released', () => {
    const dir = tempDir();
    const log = recordingLog();
    const lock = DataDirLock.acquire(dir, log);
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    let error: unknown;
    try {
      DataDirLock.acquire(dir, log);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toBe(
      `another tmux-bridge (pid ${process.pid}) is using data directory ${dir}; stop it or use another --data-dir`,
    );
    lock.release();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    DataDirLock.acquire(dir, log).release();
    expect(log.warnings).toEqual([]);
  });

  test('takes over the lock of a process that is gone, with a warning', async () => {
    const dir = tempDir();
    const pid = await deadPid();
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid, host: hostname(), startedAt: 'x', procStart: null }));
    const log = recordingLog();
    const lock = DataDirLock.acquire(dir, log);
    expect(log.warnings.join('\n')).toMatch(new RegExp(`process ${pid} is gone`));
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  test('sees through pid reuse: a live pid with another start time is stale', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'x', procStart: '1' }));
    const log = recordingLog();
    DataDirLock.acquire(dir, log).release();
    expect(log.warnings.join('\n')).toMatch(/now belongs to another process/);
  });

  test('takes over an unreadable lock file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lock'), 'garbage');
    const log = recordingLog();
    DataDirLock.acquire(dir, log).release();
    expect(log.warnings.join('\n')).toMatch(/unreadable lock/);
  });

  test('does not remove a lock that is no longer ours', () => {
    const dir = tempDir();
    const lock = DataDirLock.acquire(dir, recordingLog());
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: 1, host: hostname(), startedAt: 'other', procStart: null }));
    lock.release();
    expect(existsSync(join(dir, 'lock'))).toBe(true);
  });
});
