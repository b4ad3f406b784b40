import { computed, signal } from '@preact/signals';
import { ISSUE_STATUSES } from '../../schemas/issue-constants.ts';
import type { BoardSettings, BridgeEvent, BridgeEventOf, CreateIssueBody, ImportResult, Issue, IssueHistoryEntry, IssueStatus, UpdateIssueBody } from '../../schemas/index.ts';
import type { ApiClient } from './api.ts';
import type { EventFeed } from './events.ts';
import { payloadOf } from './event-readers.ts';
import { LiveResource } from './resource.ts';

export type IssueMap = ReadonlyMap<string, Issue>;

/** The issue board's REST calls. */
export class IssuesApi {
  constructor(private readonly api: ApiClient) {}

  async list(query: URLSearchParams): Promise<Issue[]> {
    return (await this.api.get(`/api/issues?${query}`, 'IssueList')).issues;
  }

  get(id: string): Promise<Issue> {
    return this.api.get(`/api/issues/${encodeURIComponent(id)}`, 'Issue');
  }

  create(body: CreateIssueBody): Promise<Issue> {
    return this.api.send('POST', '/api/issues', body, 'Issue');
  }

  update(id: string, patch: UpdateIssueBody): Promise<Issue> {
    return this.api.send('PATCH', `/api/issues/${encodeURIComponent(id)}`, patch, 'Issue');
  }

  async remove(id: string): Promise<void> {
    await this.api.call('DELETE', `/api/issues/${encodeURIComponent(id)}`);
  }

  move(id: string, status: IssueStatus, beforeId?: string, afterId?: string): Promise<Issue> {
    return this.api.send('POST', `/api/issues/${encodeURIComponent(id)}/move`, { status, beforeId, afterId }, 'Issue');
  }

  async history(id: string): Promise<IssueHistoryEntry[]> {
    return (await this.api.get(`/api/issues/${encodeURIComponent(id)}/history`, 'IssueHistory')).history;
  }

  async settings(): Promise<BoardSettings> {
    return await this.api.get('/api/board/settings', 'BoardSettings');
  }

  async saveSettings(settings: BoardSettings): Promise<BoardSettings> {
    return await this.api.send('PUT', '/api/board/settings', settings, 'BoardSettings');
  }

  async exportAll(): Promise<unknown> {
    return this.api.raw('GET', '/api/issues/export');
  }

  async importFile(file: unknown): Promise<ImportResult> {
    return await this.api.send('POST', '/api/issues/import', file, 'ImportResult');
  }
}

export interface BoardFilters {
  readonly showClosed: boolean;
  readonly label: string;
  readonly q: string;
}

const VISIBLE = ISSUE_STATUSES.filter((s) => s !== 'closed');

/** Board order inside a column. */
export function byOrder(a: Issue, b: Issue): number {
  return a.sortOrder - b.sortOrder || a.id.localeCompare(b.id, undefined, { numeric: true });
}

/**
 * The board's issues, filtered on the server (status, label, text) and kept live by
 * ISSUE_UPDATED events. With a text or label filter an event may change whether an
 * issue matches, so the list is fetched again (debounced) instead of guessed.
 */
export class IssueBoardStore extends LiveResource<IssueMap> {
  protected readonly refetchOn = new Set<string>();
  readonly filters = signal<BoardFilters>({ showClosed: false, label: '', q: '' });
  readonly statuses = computed(() => (this.filters.value.showClosed ? [...ISSUE_STATUSES] : VISIBLE));
  readonly columns = computed(() => {
    const out = new Map<IssueStatus, Issue[]>(this.statuses.value.map((s) => [s, []]));
    for (const issue of this.data.value?.values() ?? []) out.get(issue.status)?.push(issue);
    for (const list of out.values()) list.sort(byOrder);
    return out;
  });

  constructor(
    feed: EventFeed,
    readonly api: IssuesApi,
  ) {
    super(feed);
  }

  setFilters(next: Partial<BoardFilters>): void {
    this.filters.value = { ...this.filters.value, ...next };
    if (this.isUsed) void this.refresh();
  }

  protected async load(): Promise<IssueMap> {
    const { showClosed, label, q } = this.filters.value;
    const query = new URLSearchParams();
    if (!showClosed) query.set('status', VISIBLE.join(','));
    if (label.trim()) query.set('label', label.trim());
    if (q.trim()) query.set('q', q.trim());
    const issues = await this.api.list(query);
    return new Map(issues.map((i) => [i.id, i]));
  }

  protected apply(data: IssueMap, event: BridgeEvent): IssueMap {
    if (event.type !== 'ISSUE_UPDATED') return data;
    const { label, q } = this.filters.value;
    if (label.trim() || q.trim()) {
      this.refetchSoon();
      return data;
    }
    return applyIssueEvent(data, event, this.filters.value.showClosed);
  }

  /** Puts an issue from an API answer. */
  put(issue: Issue): void {
    this.update((data) => applyIssueEvent(data, { type: 'ISSUE_UPDATED', at: '', issue }, this.filters.value.showClosed));
  }

  /**
   * Moves `id` into `status` at `index` of that column (as the user sees it): shown at
   * once, then the server's answer (or the old place, if it refuses).
   */
  async move(id: string, status: IssueStatus, index: number): Promise<void> {
    const data = this.data.value;
    const issue = data?.get(id);
    if (!data || !issue) return;
    const column = (this.columns.value.get(status) ?? []).filter((i) => i.id !== id);
    const clamped = Math.max(0, Math.min(index, column.length));
    const after = column[clamped - 1];
    const before = column[clamped];
    if (issue.status === status && (this.columns.value.get(status) ?? []).indexOf(issue) === clamped) return;
    const guess = after && before ? (after.sortOrder + before.sortOrder) / 2 : after ? after.sortOrder + 1024 : before ? before.sortOrder - 1024 : 1024;
    this.put({ ...issue, status, sortOrder: guess });
    try {
      this.put(await this.api.move(id, status, before?.id, after?.id));
    } catch (error) {
      this.put(issue);
      // The board may be stale (another browser moved things): take the server's view.
      void this.refresh();
      throw error;
    }
  }
}

/** An ISSUE_UPDATED event applied to a map of issues (idempotent). */
export function applyIssueEvent(data: IssueMap, event: BridgeEvent, showClosed: boolean): IssueMap {
  const p = payloadOf(event, 'ISSUE_UPDATED');
  if (!p) return data;
  const next = new Map(data);
  if ('deleted' in p) {
    next.delete(p.issueId);
    return next;
  }
  const issue = p.issue;
  if (issue.status === 'closed' && !showClosed) next.delete(issue.id);
  else next.set(issue.id, issue);
  for (const [id, order] of Object.entries(p.reordered ?? {})) {
    const known = next.get(id);
    if (known && id !== issue.id) next.set(id, { ...known, sortOrder: order });
  }
  return next;
}
