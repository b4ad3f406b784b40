import { computed, signal } from '@preact/signals';
import type { BridgeEvent, Execution } from '../../schemas/index.ts';
import { Disposable } from '../lib/disposable.ts';
import type { ApiClient } from './api.ts';
import type { EventFeed } from './events.ts';
import { isObject } from './guards.ts';
import { withBase } from '../lib/base-path.ts';

/** An execution as the API sends it (API.md "Executions"). */
export type RunView = Execution;

function isRun(value: unknown): value is RunView {
  return isObject(value) && typeof value.executionId === 'string' && typeof value.status === 'string' && typeof value.startedAt === 'string';
}

/**
 * Executions the board knows about, kept live by EXECUTION_UPDATED: the running ones
 * (for the cards' "executing" state) and those of the issues a drawer showed.
 */
export class ExecutionStore extends Disposable {
  readonly byId = signal<ReadonlyMap<string, RunView>>(new Map());
  /** Session key → its running execution. */
  readonly runningBySession = computed(() => {
    const out = new Map<string, RunView>();
    for (const run of this.byId.value.values()) if (run.status === 'running' && run.sessionKey) out.set(run.sessionKey, run);
    return out;
  });
  readonly available = signal(true);
  private started = false;

  constructor(
    private readonly api: ApiClient,
    feed: EventFeed,
  ) {
    super();
    this.register(feed.onEvent((event) => this.onEvent(event)));
    this.register(feed.onOpen(() => this.started && void this.loadRunning()));
  }

  /** Starts following running executions (once a page needs it). */
  use(): void {
    if (this.started) return;
    this.started = true;
    void this.loadRunning();
  }

  forIssue(issueId: string): RunView[] {
    return [...this.byId.value.values()].filter((r) => r.issueId === issueId).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async loadIssue(issueId: string): Promise<void> {
    this.merge(await this.fetch(`/api/executions?issueId=${encodeURIComponent(issueId)}`));
  }

  /** `tool` left out: the session's own tool. */
  async execute(sessionKey: string, prompt: string, tool?: string): Promise<void> {
    await this.api.call('POST', `/api/cli-sessions/${encodeURIComponent(sessionKey)}/execute`, tool ? { prompt, tool } : { prompt });
  }

  async output(executionId: string): Promise<string> {
    const response = await fetch(withBase(`/api/executions/${encodeURIComponent(executionId)}/output`), { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`the output is not available (${response.status})`);
    return response.text();
  }

  private async loadRunning(): Promise<void> {
    this.merge(await this.fetch('/api/executions?status=running'));
  }

  private async fetch(path: string): Promise<RunView[]> {
    try {
      const body = await this.api.call('GET', path);
      this.available.value = true;
      return isObject(body) && Array.isArray(body.executions) ? body.executions.filter(isRun) : [];
    } catch {
      this.available.value = false;
      return [];
    }
  }

  private merge(runs: readonly RunView[]): void {
    if (runs.length === 0) return;
    const next = new Map(this.byId.value);
    for (const run of runs) next.set(run.executionId, run);
    this.byId.value = next;
  }

  private onEvent(event: BridgeEvent): void {
    if (event.type !== 'EXECUTION_UPDATED' || !isRun(event.execution)) return;
    this.merge([event.execution]);
  }
}
