import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { Store } from '../../server/store/index.ts';
import { crashCopy, recordingLog, removeTempDirs, tempDir } from '../fixtures/store/helpers.ts';

afterAll(removeTempDirs);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHILD = join(ROOT, 'test/fixtures/store/writer-child.ts');

/** Runs the writer until it has acknowledged `killAfter` writes, SIGKILLs it, and returns every line it printed. */
function writeUntilKilled(dataDir: string, killAfter: number): Promise<{ acks: string[]; signal: string | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, 'write'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: string[] = [];
    let partial = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line !== 'ready') acks.push(line);
      if (acks.length >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', fail);
    // 'close': the process is gone and its stdout drained, so every printed line is in `acks`.
    child.on('close', (_code, signal) => done({ acks, signal, stderr }));
  });
}

function checkAcknowledged(store: Store, acks: readonly string[]): void {
  const missing: string[] = [];
  for (const ack of acks) {
    const [kind, id, seq] = ack.split(' ');
    if (kind === 'session' && !store.sessions.get(id!)) missing.push(ack);
    else if (kind === 'event' && (store.events.get(Number(id)) as { seq?: unknown } | undefined)?.seq !== seq) missing.push(ack);
    else if (kind === 'tx' && (!store.sessions.get(id!) || store.audit.list({ sessionKey: id! }).length !== 1)) missing.push(ack);
  }
  expect(missing).toEqual([]);
}

describe('kill -9', () => {
  test('every acknowledged write survives SIGKILL in the middle of a burst, again and again', async () => {
    const dir = tempDir();
    const all: string[] = [];
    for (const killAfter of [1000, 1500, 1200]) {
      // Each round's writer starts from what the previous kill left (stale lock, journal to replay).
      const { acks, signal, stderr } = await writeUntilKilled(dir, killAfter);
      expect(stderr).not.toMatch(/write failed/);
      expect(signal).toBe('SIGKILL');
      expect(acks.length).toBeGreaterThanOrEqual(killAfter);
      all.push(...acks);
      const store = await Store.open({ dataDir: crashCopy(dir), log: recordingLog() });
      try {
        checkAcknowledged(store, all);
      } finally {
        await store.close();
      }
    }
  });

  test('a second process on the same data directory exits non-zero and names the holder', async () => {
    const dir = tempDir();
    const holder = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, 'hold'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((ready) => holder.stdout.on('data', (chunk: Buffer) => ready(Number(/ready (\d+)/.exec(chunk.toString())?.[1]))));
    const second = await execa(process.execPath, ['--import', 'tsx', CHILD, dir, 'open'], { cwd: ROOT, reject: false });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toBe(`another tmux-bridge (pid ${pid}) is using data directory ${dir}; stop it or use another --data-dir`);
    const exited = new Promise((gone) => holder.on('exit', gone));
    holder.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Released cleanly: the next start takes it without a stale-lock warning.
    const log = recordingLog();
    await (await Store.open({ dataDir: dir, log })).close();
    expect(log.warnings).toEqual([]);
  });
});
