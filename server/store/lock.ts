import { readFileSync, renameSync, unlinkSync, writeFileSync, linkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StoreLockedError } from './errors.ts';
import type { StoreLogger } from './types.ts';

export const LOCK_FILE = 'lock';

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** Kernel start time of the process (Linux /proc), to see through pid reuse. */
  readonly procStart: string | null;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), and the state field. */
function procStat(pid: number): { start: string; state: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', start: fields[19] ?? '' };
  } catch {
    return null;
  }
}

type Liveness = { alive: true } | { alive: false; why: string };

function liveness(info: LockInfo): Liveness {
  if (info.host !== hostname()) {
    // A lock from another machine (a shared filesystem) cannot be checked from here.
    return { alive: true };
  }
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return { alive: false, why: `process ${info.pid} is gone` };
    // EPERM: it exists and belongs to someone else.
  }
  const stat = procStat(info.pid);
  if (stat?.state === 'Z') return { alive: false, why: `process ${info.pid} has exited` };
  if (stat && info.procStart && stat.start !== info.procStart) {
    return { alive: false, why: `pid ${info.pid} now belongs to another process` };
  }
  return { alive: true };
}

function readLock(path: string): LockInfo | undefined {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (!Number.isSafeInteger(data.pid) || typeof data.host !== 'string') return undefined;
    return { pid: data.pid!, host: data.host, startedAt: String(data.startedAt ?? ''), procStart: data.procStart ?? null };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    return undefined;
  }
}

/**
 * One writer per data directory: `<dataDir>/lock`, created with O_EXCL and
 * holding the owner's pid. A lock whose process is gone (kill -9, crash) is
 * taken over with a warning; a live one refuses the start.
 */
export class DataDirLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly info: LockInfo,
  ) {}

  static acquire(dataDir: string, log: StoreLogger): DataDirLock {
    const path = join(dataDir, LOCK_FILE);
    const info: LockInfo = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      procStart: procStat(process.pid)?.start ?? null,
    };
    // Written whole under a private name, then linked into place: link() fails if
    // the lock exists (like O_EXCL), and nobody ever sees a half-written lock.
    const draft = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.new`;
    writeFileSync(draft, `${JSON.stringify(info)}\n`, { mode: 0o644 });
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          linkSync(draft, path);
          return new DataDirLock(path, info);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        DataDirLock.handleExisting(path, info, dataDir, log);
      }
    } finally {
      unlinkSync(draft);
    }
    throw new StoreLockedError(dataDir, null, `could not take ${path}`);
  }

  /** Throws if a live process holds the lock; removes it if its holder is gone. */
  private static handleExisting(path: string, info: LockInfo, dataDir: string, log: StoreLogger): void {
    let holder: LockInfo | undefined;
    try {
      holder = readLock(path);
    } catch {
      return; // Removed between our attempt and this read: try again.
    }
    if (holder) {
      const state = liveness(holder);
      if (state.alive) {
        const where = holder.host === info.host ? undefined : `on host ${holder.host}; delete ${path} if that process is gone`;
        throw new StoreLockedError(dataDir, holder.pid, where);
      }
      log.warn(`taking over the lock of data directory ${dataDir}: ${state.why} (it did not shut down cleanly)`);
    } else {
      log.warn(`taking over the unreadable lock file ${path}`);
    }
    DataDirLock.removeStale(path, holder, dataDir);
  }

  /**
   * Moves the stale lock aside under a private name first, so that of two
   * starters racing for the same stale lock only one removes it, and a fresh
   * lock created meanwhile by the other is put back rather than deleted.
   */
  private static removeStale(path: string, seen: LockInfo | undefined, dataDir: string): void {
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let moved: LockInfo | undefined;
    try {
      moved = readLock(aside);
    } catch {
      moved = undefined;
    }
    if (moved && seen && (moved.pid !== seen.pid || moved.startedAt !== seen.startedAt)) {
      // We moved someone's fresh lock: put it back (link fails if yet another lock appeared).
      try {
        linkSync(aside, path);
      } catch {
        // Nothing better to do; the next attempt sees whichever lock is there.
      }
      unlinkSync(aside);
      throw new StoreLockedError(dataDir, moved.pid);
    }
    unlinkSync(aside);
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      const current = readLock(this.path);
      if (current && current.pid === this.info.pid && current.startedAt === this.info.startedAt) unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}
