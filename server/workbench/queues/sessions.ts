import type { CliSession } from '../../../schemas/session-view.ts';
import type { Queue, QueueItem } from '../../../schemas/queue.ts';
import { isShellCommand } from '../../sessions/index.ts';


/** Where an item runs: an existing session, a new one, or not yet (its session is busy). */
export type SessionChoice = { kind: 'existing'; sessionKey: string } | { kind: 'new' } | { kind: 'wait'; reason: string };

/** tmux session names allow letters, digits, space, _ + @ - (schemas/session.ts SessionName). */
export function sessionPrefix(queue: Pick<Queue, 'name' | 'id'>): string {
  const name = queue.name
    .replace(/[^A-Za-z0-9_ +@-]+/g, '-')
    .replace(/^[^A-Za-z0-9_]+/, '')
    .slice(0, 32)
    .replace(/[ -]+$/, '');
  return name || queue.id;
}

/** A new session's name: the queue and the item ("nightly-T-3"), made unique among live names. */
export function newSessionName(queue: Pick<Queue, 'name' | 'id'>, item: Pick<QueueItem, 'item_id'>, taken: ReadonlySet<string>): string {
  const base = `${sessionPrefix(queue)}-${item.item_id}`.slice(0, 58);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * Picks the session for an item, in this order: its pinned `sessionKey`; a
 * session bound to its `resumeKey` (the same conversation: wait while busy);
 * an idle session of the same issue and tool; an idle session this queue made
 * before for the same tool (items without an issue share the queue's
 * sessions); else a new one. `isFree` says a live session is idle and not
 * claimed by another start.
 */
export function chooseSession(
  queue: Pick<Queue, 'name' | 'id'>,
  item: QueueItem,
  sessions: readonly CliSession[],
  isIdle: (sessionKey: string) => boolean,
): SessionChoice {
  const live = sessions.filter((s) => s.status === 'running');
  // Executions type a command at a shell prompt: a pane running something else (an editor, a REPL) is not free.
  const atPrompt = new Set(live.filter((s) => !s.currentCommand || isShellCommand(s.currentCommand)).map((s) => s.sessionKey));
  const isFree = (key: string) => atPrompt.has(key) && isIdle(key);
  if (item.sessionKey) {
    const pinned = live.find((s) => s.sessionKey === item.sessionKey);
    if (pinned) return isFree(pinned.sessionKey) ? { kind: 'existing', sessionKey: pinned.sessionKey } : { kind: 'wait', reason: `session ${pinned.name} is busy` };
    // A pinned session that is gone: fall through to the other rules.
  }
  if (item.resumeKey) {
    const bound = live.find((s) => s.resumeKey === item.resumeKey);
    if (bound) return isFree(bound.sessionKey) ? { kind: 'existing', sessionKey: bound.sessionKey } : { kind: 'wait', reason: `session ${bound.name} (resume key ${item.resumeKey}) is busy` };
  }
  if (item.issue_id) {
    const same = live.find((s) => s.issueId === item.issue_id && s.tool === item.tool && isFree(s.sessionKey));
    if (same) return { kind: 'existing', sessionKey: same.sessionKey };
  } else {
    const prefix = `${sessionPrefix(queue)}-`;
    const pooled = live.find((s) => s.name.startsWith(prefix) && s.issueId === null && s.resumeKey === null && s.tool === item.tool && isFree(s.sessionKey));
    if (pooled) return { kind: 'existing', sessionKey: pooled.sessionKey };
  }
  return { kind: 'new' };
}
