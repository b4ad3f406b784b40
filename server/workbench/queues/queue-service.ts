import { randomBytes } from 'node:crypto';
import { DEFAULT_MAX_CONCURRENT_SESSIONS } from '../../../schemas/queue.ts';
import type {
  AddItemsBody,
  CreateQueueBody,
  ExecutionGroup,
  ItemsFromIssues,
  MoveBody,
  NewQueueItem,
  Queue,
  QueueItem,
  QueueStatus,
  ReorderBody,
  UpdateQueueBody,
  UpdateQueueItemBody,
} from '../../../schemas/queue.ts';

import { ApiError } from '../../../base/errors.ts';
import { ruleIssue } from '../../../schemas/rule.ts';
import { groupItems, QueueShapeError, validateQueueShape } from './graph.ts';
import type { QueueIssues } from './ports.ts';
import type { QueueState } from './queue-state.ts';

const DEFAULT_GROUP: ExecutionGroup = { id: 'P1', type: 'parallel' };
export const DEFAULT_PROMPT_TEMPLATE = '{{title}}\n\n{{body}}';

function shapeError(error: QueueShapeError): ApiError {
  return new ApiError(400, 'invalid_queue', error.message, error.details);
}

function checked(queue: Queue): Queue {
  try {
    validateQueueShape(queue.items, queue.execution_groups);
  } catch (error) {
    if (error instanceof QueueShapeError) throw shapeError(error);
    throw error;
  }
  return queue;
}

/** Fills `{{title}}`, `{{body}}`, `{{id}}` (unknown names stay as written). */
export function fillTemplate(template: string, issue: { id: string; title: string; body: string }): string {
  return template.replace(/\{\{\s*(title|body|id)\s*\}\}/g, (_, name: 'title' | 'body' | 'id') => issue[name]);
}

/**
 * Queues and their items: create, edit, order, archive. Every change is
 * checked (groups known, dependencies known, no cycle) before it is stored;
 * the scheduler (scheduler.ts) drives the items' run statuses.
 */
export class QueueService {
  constructor(
    private readonly state: QueueState,
    private readonly issues: () => QueueIssues | undefined,
  ) {}

  /** Without a status: every queue that is not archived. */
  list(status?: QueueStatus): Queue[] {
    return this.state.list().filter((q) => (status ? q.status === status : q.status !== 'archived'));
  }

  get(id: string): Queue {
    return this.state.get(id);
  }

  /** Items of every queue made for this issue (the board shows their state). */
  itemsForIssue(issueId: string): Array<{ queueId: string; item: QueueItem }> {
    return this.state.list().flatMap((q) => q.items.filter((i) => i.issue_id === issueId).map((item) => ({ queueId: q.id, item })));
  }

  async create(body: CreateQueueBody): Promise<Queue> {
    const id = `q_${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')}`;
    const now = new Date().toISOString();
    const groups = body.execution_groups?.length ? body.execution_groups : [DEFAULT_GROUP];
    const queue: Queue = {
      id,
      name: body.name,
      status: body.status ?? 'active',
      execution_groups: groups,
      items: [],
      scheduler: { state: 'idle', maxConcurrentSessions: body.maxConcurrentSessions ?? DEFAULT_MAX_CONCURRENT_SESSIONS },
      createdAt: now,
      updatedAt: now,
    };
    const items = this.newItems(queue, body.items ?? []);
    return this.state.commit(checked({ ...queue, items }));
  }

  async update(id: string, body: UpdateQueueBody): Promise<Queue> {
    const queue = this.state.get(id);
    return this.state.commit(checked({ ...queue, name: body.name ?? queue.name, execution_groups: body.execution_groups ?? queue.execution_groups }));
  }

  async delete(id: string): Promise<void> {
    const queue = this.state.get(id);
    const running = queue.items.filter((i) => i.status === 'executing');
    if (running.length > 0) {
      throw new ApiError(409, 'queue_running', `items ${running.map((i) => i.item_id).join(', ')} are executing; stop the scheduler first`);
    }
    await this.state.remove(id);
  }

  async setStatus(id: string, status: 'active' | 'inactive' | 'archived'): Promise<Queue> {
    const queue = this.state.get(id);
    if (status === 'archived' && queue.items.some((i) => i.status === 'executing')) {
      throw new ApiError(409, 'queue_running', 'items are still executing; stop the scheduler or wait before archiving');
    }
    if (queue.status === 'archived' && status !== 'archived') {
      // Taking a queue out of the archive brings it back idle.
      return this.state.commit({ ...queue, status, scheduler: { ...queue.scheduler, state: 'idle' } });
    }
    let scheduler = queue.scheduler;
    // An inactive queue starts nothing: a running scheduler pauses (its running items finish).
    if (status !== 'active' && scheduler.state === 'running') scheduler = { ...scheduler, state: 'paused' };
    if (status === 'archived') scheduler = { ...scheduler, state: 'idle' };
    return this.state.commit({ ...queue, status, scheduler });
  }

  async addItems(id: string, body: AddItemsBody): Promise<QueueItem[]> {
    const queue = this.state.get(id);
    let added: QueueItem[];
    if ('issue_ids' in body) added = this.itemsFromIssues(queue, body);
    else added = this.newItems(queue, 'items' in body ? body.items : [body]);
    await this.state.commit(checked({ ...queue, items: [...queue.items, ...added] }));
    return added;
  }

  async updateItem(id: string, itemId: string, body: UpdateQueueItemBody): Promise<QueueItem> {
    const queue = this.state.get(id);
    const item = this.state.item(id, itemId);
    if (item.status === 'executing') throw new ApiError(409, 'item_executing', `item ${itemId} is executing; wait for it to end or stop the scheduler`);
    const next: QueueItem = { ...item };
    for (const [key, value] of Object.entries(body)) if (value !== undefined) (next as Record<string, unknown>)[key] = value;
    if (body.execution_group && body.execution_group !== item.execution_group && body.execution_order === undefined) {
      next.execution_order = this.nextOrder(queue.items, body.execution_group);
    }
    const saved = await this.state.commit(checked({ ...queue, items: queue.items.map((i) => (i.item_id === itemId ? next : i)) }));
    return saved.items.find((i) => i.item_id === itemId)!;
  }

  /** Deletes an item; other items' dependencies on it are dropped with it. */
  async deleteItem(id: string, itemId: string): Promise<void> {
    const queue = this.state.get(id);
    const item = this.state.item(id, itemId);
    if (item.status === 'executing') throw new ApiError(409, 'item_executing', `item ${itemId} is executing; wait for it to end or stop the scheduler`);
    const items = queue.items
      .filter((i) => i.item_id !== itemId)
      .map((i) => (i.depends_on.includes(itemId) ? { ...i, depends_on: i.depends_on.filter((d) => d !== itemId) } : i));
    await this.state.commit(checked({ ...queue, items }));
  }

  /** Sets the order of a group: `itemIds` must be exactly that group's items. */
  async reorder(id: string, body: ReorderBody): Promise<Queue> {
    const queue = this.state.get(id);
    this.group(queue, body.execution_group);
    const members = new Set(groupItems(queue.items, body.execution_group).map((i) => i.item_id));
    const given = new Set(body.itemIds);
    const missing = [...members].filter((m) => !given.has(m));
    const extra = body.itemIds.filter((m) => !members.has(m));
    if (missing.length || extra.length || given.size !== body.itemIds.length) {
      const why =
        `itemIds must list every item of group ${body.execution_group} once` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (extra.length ? `; not in the group: ${extra.join(', ')}` : '');
      throw new ApiError(400, 'invalid_body', why, [ruleIssue('queue_reorder_items', ['itemIds'], why, { group: body.execution_group })]);
    }
    const order = new Map(body.itemIds.map((itemId, index) => [itemId, index]));
    const items = queue.items.map((i) => (order.has(i.item_id) ? { ...i, execution_order: order.get(i.item_id)! } : i));
    return this.state.commit(checked({ ...queue, items }));
  }

  /** Moves an item to position `index` of a group (the same or another); both groups are renumbered. */
  async move(id: string, body: MoveBody): Promise<Queue> {
    const queue = this.state.get(id);
    this.group(queue, body.execution_group);
    const item = this.state.item(id, body.itemId);
    const source = groupItems(queue.items, item.execution_group).filter((i) => i.item_id !== item.item_id);
    const target = item.execution_group === body.execution_group ? source : groupItems(queue.items, body.execution_group);
    const moved = { ...item, execution_group: body.execution_group };
    target.splice(Math.min(body.index, target.length), 0, moved);
    const renumbered = new Map<string, QueueItem>();
    source.forEach((i, index) => renumbered.set(i.item_id, { ...i, execution_order: index }));
    target.forEach((i, index) => renumbered.set(i.item_id, { ...i, execution_order: index }));
    const items = queue.items.map((i) => renumbered.get(i.item_id) ?? i);
    return this.state.commit(checked({ ...queue, items }));
  }

  private group(queue: Queue, groupId: string): ExecutionGroup {
    const group = queue.execution_groups.find((g) => g.id === groupId);
    if (!group) {
      const why = `queue ${queue.id} has no execution group "${groupId}" (groups: ${queue.execution_groups.map((g) => g.id).join(', ')})`;
      throw new ApiError(400, 'invalid_body', why, [
        ruleIssue('queue_no_group', ['execution_group'], why, { group: groupId }),
      ]);
    }
    return group;
  }

  private nextOrder(items: readonly QueueItem[], groupId: string): number {
    return items.filter((i) => i.execution_group === groupId).reduce((max, i) => Math.max(max, i.execution_order + 1), 0);
  }

  private newItems(queue: Queue, inputs: readonly NewQueueItem[]): QueueItem[] {
    const taken = new Set(queue.items.map((i) => i.item_id));
    for (const input of inputs) {
      if (input.item_id && taken.has(input.item_id)) {
        const why = `item id "${input.item_id}" is already used in queue ${queue.id}`;
        throw new ApiError(400, 'invalid_body', why, [
          ruleIssue('queue_item_taken', ['item_id'], why, { item: input.item_id }),
        ]);
      }
      if (input.item_id) taken.add(input.item_id);
    }
    const out: QueueItem[] = [];
    for (const input of inputs) {
      const group = input.execution_group ?? queue.execution_groups[0]?.id ?? DEFAULT_GROUP.id;
      const itemId = input.item_id ?? this.state.reserveItemId(queue.id, taken);
      taken.add(itemId);
      out.push({
        item_id: itemId,
        issue_id: input.issue_id ?? null,
        title: input.title ?? null,
        tool: input.tool ?? 'bash',
        prompt: input.prompt,
        resumeKey: input.resumeKey ?? null,
        resumeStrategy: input.resumeStrategy ?? null,
        sessionKey: input.sessionKey ?? null,
        execution_group: group,
        execution_order: input.execution_order ?? this.nextOrder([...queue.items, ...out], group),
        depends_on: [...new Set(input.depends_on ?? [])],
        status: 'pending',
        blocked_reason: null,
        executionId: null,
        started_at: null,
        completed_at: null,
        result: null,
        failure_reason: null,
        attempts: 0,
      });
    }
    return out;
  }

  /** One item per issue: an issue already in the queue is not added twice. */
  private itemsFromIssues(queue: Queue, body: ItemsFromIssues): QueueItem[] {
    const issues = this.issues();
    if (!issues) throw new ApiError(409, 'issues_unavailable', 'the issue board is not available in this server');
    const unknown = body.issue_ids.filter((id) => !issues.get(id));
    if (unknown.length) {
      throw new ApiError(400, 'invalid_body', `unknown issues: ${unknown.join(', ')}`, unknown.map((id) => ruleIssue('queue_unknown_issue', ['issue_ids'], `unknown issue ${id}`, { issue: id })));
    }
    const present = new Set(queue.items.map((i) => i.issue_id).filter(Boolean));
    const template = body.prompt_template ?? DEFAULT_PROMPT_TEMPLATE;
    const inputs: NewQueueItem[] = [...new Set(body.issue_ids)]
      .filter((id) => !present.has(id))
      .map((id) => {
        const issue = issues.get(id)!;
        return { issue_id: id, title: issue.title, prompt: fillTemplate(template, issue) || issue.title, tool: body.tool, execution_group: body.execution_group };
      });
    return this.newItems(queue, inputs);
  }
}
