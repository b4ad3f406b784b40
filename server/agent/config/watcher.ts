/**
 * Live reload of hosts.yaml and policy.yaml. A valid new config replaces the current
 * one (`onReloaded`); an invalid one is reported (`onError`) and the current one keeps
 * running. Directories are watched rather than files because editors save by writing
 * a new file and renaming it over the old one, which a file watch would lose; a slow
 * poll backs `fs.watch` up where it misses events (network filesystems, missing dirs).
 * A content hash makes repeated events for the same bytes a no-op.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Emitter } from '../../../base/emitter.ts';
import { Disposable, disposableInterval, disposableTimeout, toDisposable, type IDisposable } from '../../../base/lifecycle.ts';
import { configHash, parseAgentConfig, readConfigText, type ConfigText, type LoadAgentConfigOptions } from './load.ts';
import type { AgentConfig, ConfigIssue } from './types.ts';

export interface ConfigWatcherOptions extends LoadAgentConfigOptions {
  /** Quiet time after the last file event before reloading (editors write in bursts). */
  readonly debounceMs?: number;
  /** Safety-net poll period; 0 turns polling off. */
  readonly pollMs?: number;
}

export interface ConfigReloaded {
  readonly config: AgentConfig;
  readonly warnings: readonly ConfigIssue[];
}

export interface ConfigRejected {
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
  /** The config that keeps running. */
  readonly current: AgentConfig;
}

export type CheckOutcome = 'unchanged' | 'reloaded' | 'rejected';

export class ConfigWatcher extends Disposable {
  private readonly reloadedEmitter = this.register(new Emitter<ConfigReloaded>());
  private readonly errorEmitter = this.register(new Emitter<ConfigRejected>());
  /** A valid new config is running. */
  readonly onReloaded = this.reloadedEmitter.event;
  /** The files changed into something invalid; `current` keeps running. */
  readonly onError = this.errorEmitter.event;

  private currentConfig: AgentConfig;
  private rejectedHash: string | null = null;
  private debounce: IDisposable | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly debounceMs: number;

  constructor(
    initial: AgentConfig,
    private readonly options: ConfigWatcherOptions,
  ) {
    super();
    this.currentConfig = initial;
    this.debounceMs = options.debounceMs ?? 150;
    const files = [options.hostsPath, options.policyPath].filter((file): file is string => !!file).map((file) => resolve(file));
    const byDir = new Map<string, Set<string>>();
    for (const file of files) {
      const names = byDir.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byDir.set(dirname(file), names);
    }
    for (const [dir, names] of byDir) this.watchDir(dir, names);
    const pollMs = options.pollMs ?? 2000;
    if (pollMs > 0 && files.length > 0) this.register(disposableInterval(() => this.schedule(), pollMs));
    this.register(toDisposable(() => this.debounce?.dispose()));
  }

  get current(): AgentConfig {
    return this.currentConfig;
  }

  private watchDir(dir: string, names: ReadonlySet<string>): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (_event, filename) => {
        // Some platforms give no filename: then any change in the directory counts.
        if (filename === null || names.has(filename.toString())) this.schedule();
      });
    } catch {
      return; // Directory missing or not watchable: the poll still notices changes.
    }
    watcher.on('error', () => watcher.close());
    this.register(toDisposable(() => watcher.close()));
  }

  /** Check again after the debounce delay (file events come in bursts). */
  schedule(): void {
    if (this.isDisposed) return;
    this.debounce?.dispose();
    this.debounce = disposableTimeout(() => {
      this.debounce = undefined;
      void this.check();
    }, this.debounceMs);
  }

  /**
   * Read both files now and reload if their content changed (also for SIGHUP or a
   * "reload" button). Checks run one after another, each on the files as they are
   * when it starts.
   */
  check(): Promise<CheckOutcome> {
    const run = this.queue.then(() => this.checkOnce());
    this.queue = run.catch(() => 'unchanged' as const);
    return run;
  }

  private async checkOnce(): Promise<CheckOutcome> {
    const texts: { hosts?: ConfigText; policy?: ConfigText } = {};
    const fileErrors: ConfigIssue[] = [];
    for (const key of ['hosts', 'policy'] as const) {
      const path = key === 'hosts' ? this.options.hostsPath : this.options.policyPath;
      if (!path) continue;
      const read = await readConfigText(path);
      if ('error' in read) fileErrors.push(read.error);
      else texts[key] = read.text;
    }
    if (this.isDisposed) return 'unchanged';

    const hash = fileErrors.length > 0 ? `error:${fileErrors.map((e) => e.message).join('|')}` : configHash(texts.hosts?.text ?? null, texts.policy?.text ?? null);
    if (hash === this.currentConfig.hash) {
      if (this.rejectedHash !== null) {
        // Back to the running content after a rejected edit: tell listeners the error is gone.
        this.rejectedHash = null;
        this.reloadedEmitter.fire({ config: this.currentConfig, warnings: [] });
        return 'reloaded';
      }
      return 'unchanged';
    }
    if (hash === this.rejectedHash) return 'unchanged';

    const result = fileErrors.length > 0 ? { ok: false as const, errors: fileErrors, warnings: [] } : parseAgentConfig(texts, this.options);
    if (!result.ok) {
      this.rejectedHash = hash;
      this.errorEmitter.fire({ errors: result.errors, warnings: result.warnings, current: this.currentConfig });
      return 'rejected';
    }
    this.rejectedHash = null;
    this.currentConfig = result.config;
    this.reloadedEmitter.fire({ config: result.config, warnings: result.warnings });
    return 'reloaded';
  }
}
