/**
 * Watches the request files of pending approvals and reports the first decision
 * written into each. A poll is the ground truth (tmuxagent polled too, and fs.watch
 * misses edits on some filesystems); directory watches only make it react sooner.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ApprovalDecision } from '../../../schemas/agent.ts';
import { Emitter } from '../../../base/emitter.ts';
import { Disposable, disposableInterval, disposableTimeout, toDisposable, type IDisposable } from '../../../base/lifecycle.ts';
import { readApprovalFileOwned } from './files.ts';

export interface FileDecisionEvent {
  /** The key given to `track` (the approval id). */
  readonly key: string;
  readonly path: string;
  readonly decision: ApprovalDecision;
  /** The uid owning the file when it was read: who wrote the decision. */
  readonly uid: number | null;
}

export interface ApprovalFileWatcherOptions {
  /** Poll period; 0 polls only on `checkNow()` and directory events. */
  readonly pollMs?: number;
  /** Wait after a directory event before reading (editors write in steps). */
  readonly settleMs?: number;
}

export class ApprovalFileWatcher extends Disposable {
  private readonly decisionEmitter = this.register(new Emitter<FileDecisionEvent>());
  readonly onDecision = this.decisionEmitter.event;
  private readonly errorEmitter = this.register(new Emitter<{ path: string; error: unknown }>());
  /** A file could not be read (permissions, ...); the approval stays pending. */
  readonly onError = this.errorEmitter.event;

  private readonly tracked = new Map<string, string>();
  private readonly dirWatchers = new Map<string, { watcher: FSWatcher; users: number }>();
  private settle: IDisposable | undefined;
  private checking: Promise<void> | undefined;
  private readonly settleMs: number;

  constructor(options: ApprovalFileWatcherOptions = {}) {
    super();
    this.settleMs = options.settleMs ?? 100;
    const pollMs = options.pollMs ?? 1000;
    if (pollMs > 0) this.register(disposableInterval(() => void this.checkNow(), pollMs));
    this.register(
      toDisposable(() => {
        this.settle?.dispose();
        for (const { watcher } of this.dirWatchers.values()) watcher.close();
        this.dirWatchers.clear();
      }),
    );
  }

  get size(): number {
    return this.tracked.size;
  }

  track(key: string, path: string): void {
    if (this.isDisposed) return;
    const old = this.tracked.get(key);
    if (old === path) return;
    if (old !== undefined) this.untrack(key);
    this.tracked.set(key, path);
    this.watchDir(dirname(path));
  }

  untrack(key: string): void {
    const path = this.tracked.get(key);
    if (path === undefined) return;
    this.tracked.delete(key);
    const dir = dirname(path);
    const entry = this.dirWatchers.get(dir);
    if (entry && --entry.users <= 0) {
      entry.watcher.close();
      this.dirWatchers.delete(dir);
    }
  }

  /** Read every tracked file now; resolves after the decisions found were reported. */
  checkNow(): Promise<void> {
    this.checking ??= this.checkAll().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkAll(): Promise<void> {
    for (const [key, path] of [...this.tracked]) {
      let decision, uid;
      try {
        ({ decision, uid } = await readApprovalFileOwned(path));
      } catch (error) {
        this.errorEmitter.fire({ path, error });
        continue;
      }
      // Still tracked with the same file (not decided elsewhere meanwhile)?
      if (this.isDisposed || this.tracked.get(key) !== path) continue;
      if (decision === 'approve' || decision === 'reject') {
        this.untrack(key);
        this.decisionEmitter.fire({ key, path, decision, uid });
      }
    }
  }

  private watchDir(dir: string): void {
    const entry = this.dirWatchers.get(dir);
    if (entry) {
      entry.users++;
      return;
    }
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename !== null && !filename.toString().endsWith('.txt')) return;
        if (filename !== null && ![...this.tracked.values()].some((path) => basename(path) === filename.toString())) return;
        this.settle?.dispose();
        this.settle = disposableTimeout(() => void this.checkNow(), this.settleMs);
      });
      watcher.on('error', () => {
        watcher.close();
        this.dirWatchers.delete(dir);
      });
      this.dirWatchers.set(dir, { watcher, users: 1 });
    } catch {
      // Directory not there (yet): the poll covers it.
    }
  }
}
