import { computed, signal } from '@preact/signals';
import type { BridgeEvent, CliExecuteRequest, CliOutputChunk, ExecuteAccepted, ExecuteRequest, Execution, ToolInfo } from '../../schemas/index.ts';
import { Disposable } from '../lib/disposable.ts';
import type { ApiClient } from './api.ts';
import type { EventFeed } from './events.ts';
import { payloadOf } from './event-readers.ts';
import { withBase } from '../lib/base-path.ts';

/** An execution as the API sends it (docs/api.md "Executions"). */
export type RunView = Execution;

/** A stateless run's output as shown: chunks in order, stdout and stderr apart. */
export type RunChunk = Pick<CliOutputChunk, 'seq' | 'stream' | 'data'>;

/** Output kept per stateless run in the page (the server keeps the whole of it). */
const MAX_CHUNK_CHARS = 256 * 1024;

const newestFirst = (a: RunView, b: RunView) => b.startedAt.localeCompare(a.startedAt);

/**
 * Executions the pages know about, kept live by EXECUTION_UPDATED (no polling):
 * the running ones (for the cards' "executing" state), those of the issues a
 * drawer showed, of the sessions a terminal showed, and the stateless runs.
 */
export class ExecutionStore extends Disposable {
  readonly byId = signal<ReadonlyMap<string, RunView>>(new Map());
  /** Session key → its running execution. */
  readonly runningBySession = computed(() => {
    const out = new Map<string, RunView>();
    for (const run of this.byId.value.values()) if (run.status === 'running' && run.sessionKey) out.set(run.sessionKey, run);
    return out;
  });
  /** Stateless runs (`sessionKey` null), newest first. */
  readonly stateless = computed(() => [...this.byId.value.values()].filter((r) => r.sessionKey === null).sort(newestFirst));
  readonly available = signal(true);
  /** `GET /api/tools`, once asked for (undefined until then). */
  readonly tools = signal<readonly ToolInfo[] | undefined>(undefined);
  /** Stateless run id → its output chunks, for the runs whose output a page opened. */
  readonly chunks = signal<ReadonlyMap<string, readonly RunChunk[]>>(new Map());
  private started = false;
  private readonly sessionsShown = new Set<string>();
  private readonly queuesShown = new Set<string>();
  private statelessShown = false;

  constructor(
    private readonly api: ApiClient,
    feed: EventFeed,
  ) {
    super();
    this.register(feed.onEvent((event) => this.onEvent(event)));
    // Events missed while the socket was away: fetch again what the pages show.
    this.register(
      feed.onOpen(() => {
        if (this.started) void this.loadRunning();
        for (const key of this.sessionsShown) void this.loadSession(key);
        for (const id of this.queuesShown) void this.loadQueue(id);
        if (this.statelessShown) void this.loadStateless();
      }),
    );
  }

  /** Starts following running executions (once a page needs it). */
  use(): void {
    if (this.started) return;
    this.started = true;
    void this.loadRunning();
  }

  forIssue(issueId: string): RunView[] {
    return [...this.byId.value.values()].filter((r) => r.issueId === issueId).sort(newestFirst);
  }

  forSession(sessionKey: string): RunView[] {
    return [...this.byId.value.values()].filter((r) => r.sessionKey === sessionKey).sort(newestFirst);
  }

  async loadIssue(issueId: string): Promise<void> {
    this.merge(await this.fetch(`/api/executions?issueId=${encodeURIComponent(issueId)}`));
  }

  /** A queue's executions (the queues page links each item's terminal at its start). */
  async loadQueue(queueId: string): Promise<void> {
    this.queuesShown.add(queueId);
    this.merge(await this.fetch(`/api/executions?queueId=${encodeURIComponent(queueId)}`));
  }

  async loadSession(sessionKey: string): Promise<void> {
    this.sessionsShown.add(sessionKey);
    this.merge(await this.fetch(`/api/executions?sessionKey=${encodeURIComponent(sessionKey)}&limit=50`));
  }

  async loadStateless(): Promise<void> {
    this.statelessShown = true;
    this.merge(await this.fetch('/api/cli/executions'));
  }

  async loadTools(force = false): Promise<void> {
    if (this.tools.value && !force) return;
    this.tools.value = (await this.api.get('/api/tools', 'ToolList')).tools;
  }

  /** The issue drawer's Execute; `tool` left out: the session's own tool. */
  async execute(sessionKey: string, prompt: string, tool?: string): Promise<void> {
    await this.start(sessionKey, tool ? { prompt, tool } : { prompt });
  }

  /** `POST /api/cli-sessions/:key/execute`; the run shows at once, its end comes by event. */
  async start(sessionKey: string, body: ExecuteRequest): Promise<ExecuteAccepted> {
    return this.accepted(await this.api.send('POST', `/api/cli-sessions/${encodeURIComponent(sessionKey)}/execute`, body, 'ExecuteStarted'));
  }

  /** `POST /api/cli/execute`: a run without a terminal. */
  async startStateless(body: CliExecuteRequest): Promise<ExecuteAccepted> {
    const accepted = this.accepted(await this.api.send('POST', '/api/cli/execute', body, 'ExecuteStarted'));
    // Its output from the first chunk on: CLI_OUTPUT events are kept for it from now.
    if (!this.chunks.value.has(accepted.executionId)) this.setChunks(accepted.executionId, []);
    return accepted;
  }

  async cancel(executionId: string): Promise<void> {
    this.merge([await this.api.send('POST', `/api/executions/${encodeURIComponent(executionId)}/cancel`, undefined, 'Execution')]);
  }

  /** A session execution's exact pane bytes, as text (escape sequences left in). */
  async output(executionId: string): Promise<string> {
    const response = await fetch(withBase(`/api/executions/${encodeURIComponent(executionId)}/output`), { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`the output is not available (${response.status})`);
    return response.text();
  }

  /** A stateless run's stored output; live chunks are added by CLI_OUTPUT events. */
  async loadChunks(executionId: string): Promise<void> {
    const stored = (await this.api.get(`/api/cli/executions/${encodeURIComponent(executionId)}/output`, 'CliOutput')).chunks;
    // Chunks that came by event while the request ran are merged in by their sequence number.
    const live = this.chunks.value.get(executionId) ?? [];
    const bySeq = new Map<number, RunChunk>();
    for (const chunk of [...stored, ...live]) bySeq.set(chunk.seq, { seq: chunk.seq, stream: chunk.stream, data: chunk.data });
    this.setChunks(executionId, [...bySeq.values()].sort((a, b) => a.seq - b.seq));
  }

  private accepted(reply: ExecuteAccepted & { execution?: RunView }): ExecuteAccepted {
    if (reply.execution) this.merge([reply.execution]);
    return { executionId: reply.executionId, command: reply.command };
  }

  private setChunks(executionId: string, list: readonly RunChunk[]): void {
    let total = 0;
    let from = list.length;
    while (from > 0 && total + list[from - 1]!.data.length <= MAX_CHUNK_CHARS) total += list[--from]!.data.length;
    const next = new Map(this.chunks.value);
    next.set(executionId, from === 0 ? list : list.slice(from));
    this.chunks.value = next;
  }

  private async loadRunning(): Promise<void> {
    this.merge(await this.fetch('/api/executions?status=running'));
  }

  private async fetch(path: string): Promise<RunView[]> {
    try {
      const body = await this.api.get(path, 'ExecutionList');
      this.available.value = true;
      return body.executions;
    } catch {
      this.available.value = false;
      return [];
    }
  }

  private merge(runs: readonly RunView[]): void {
    if (runs.length === 0) return;
    const next = new Map(this.byId.value);
    for (const run of runs) {
      const known = next.get(run.executionId);
      // An older copy (a list fetched before the end event) never replaces an ended one.
      if (known && known.status !== 'running' && run.status === 'running') continue;
      next.set(run.executionId, run);
    }
    this.byId.value = next;
  }

  private onEvent(event: BridgeEvent): void {
    const run = payloadOf(event, 'EXECUTION_UPDATED') ?? payloadOf(event, 'CLI_EXECUTION_STARTED') ?? payloadOf(event, 'CLI_EXECUTION_COMPLETED');
    if (run) {
      if (run.execution) this.merge([run.execution]);
      // A run started elsewhere (curl, a flow) shows its output live on the runs page too.
      const started = payloadOf(event, 'CLI_EXECUTION_STARTED');
      if (started && this.statelessShown && !this.chunks.value.has(started.executionId)) this.setChunks(started.executionId, []);
      return;
    }
    const chunk = payloadOf(event, 'CLI_OUTPUT');
    if (chunk) {
      const list = this.chunks.value.get(chunk.executionId);
      // Only the runs a page shows keep their output here.
      if (!list || list.some((c) => c.seq === chunk.seq)) return;
      this.setChunks(chunk.executionId, [...list, { seq: chunk.seq, stream: chunk.stream, data: chunk.data }]);
    }
  }

}
