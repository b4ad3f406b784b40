import { useEffect, useRef, useState } from 'preact/hooks';
import type { Queue, QueueItem } from '../../schemas/index.ts';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { LoadError, Loading } from '../components/board/States.tsx';
import { DependencyArrows } from '../components/queues/DependencyArrows.tsx';
import { GroupColumn } from '../components/queues/GroupColumn.tsx';
import { t, type MessageKey } from '../i18n/index.ts';
import { useServices } from '../services/index.ts';
import { addEnglish } from '../i18n/index.ts';
import { flows as flowsStrings } from '../i18n/en/flows.ts';
import { queues as queuesStrings } from '../i18n/en/queues.ts';
import { errorMessage } from '../../base/errors.ts';

// This chunk's English strings travel with it (the first paint carries only common and board).
addEnglish(flowsStrings);
addEnglish(queuesStrings);

/** The issues hub's tabs: the board and the queues. */
const HUB: ReadonlyArray<{ readonly href: string; readonly label: MessageKey }> = [
  { href: '/issues', label: 'queues.tabBoard' },
  { href: '/queues', label: 'queues.tabQueues' },
];

/** The queue item an event happened in, if any. */
function itemOf(target: EventTarget | null): string | undefined {
  return target instanceof Element ? ((target.closest('.queue-item') as HTMLElement | null)?.dataset.itemId ?? undefined) : undefined;
}

/** `/queues`: the queues, the selected one as its groups, its scheduler, live over /ws/events. */
export function QueuesPage() {
  const { queues, sessions, router } = useServices();
  const [error, setError] = useState<string | undefined>();
  const [now, setNow] = useState(Date.now());
  const params = new URLSearchParams(router.search.value);
  useEffect(() => {
    queues.use();
    void sessions.refresh();
  }, []);
  const data = queues.data.value;
  const list = [...(data?.values() ?? [])].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const selectedId = params.get('queue') ?? list.find((q) => q.status === 'active')?.id ?? list[0]?.id;
  const queue = selectedId ? data?.get(selectedId) : undefined;
  const executing = queue?.items.some((i) => i.status === 'executing') ?? false;
  // Running items show their time so far: one clock tick a second while something runs (display only; the data comes by events).
  useEffect(() => {
    if (!executing) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [executing]);

  const run = async (what: () => Promise<unknown>) => {
    setError(undefined);
    try {
      const answer = await what();
      if (answer && typeof answer === 'object' && 'execution_groups' in answer) queues.put(answer as Queue);
    } catch (e) {
      setError(t('queues.error', { message: errorMessage(e) }));
    }
  };
  const select = (id: string) => router.navigate(`/queues?queue=${encodeURIComponent(id)}`, { replace: true });
  const create = async () => {
    const name = window.prompt(t('queues.newName'));
    if (!name?.trim()) return;
    await run(async () => {
      const q = await queues.api.create(name.trim());
      queues.put(q);
      select(q.id);
    });
  };

  return (
    <div class="queues-page">
      <PageHeader title={t('queues.title')}>
        <button type="button" class="primary" onClick={() => void create()}>
          {t('queues.new')}
        </button>
      </PageHeader>
      <nav class="hub-tabs" aria-label={t('queues.hubLabel')}>
        {HUB.map((tab) => (
          <a key={tab.href} href={tab.href} aria-current={router.path.value === tab.href ? 'page' : undefined} onClick={(e) => router.handleLinkClick(e, tab.href)}>
            {t(tab.label)}
          </a>
        ))}
      </nav>
      {error && (
        <p class="queues-error" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        queues.error.value ? <LoadError what={t('queues.loading')} message={queues.error.value} onRetry={() => void queues.refresh()} /> : <Loading what={t('queues.loading')} />
      ) : list.length === 0 ? (
        <p class="page-message">{t('queues.none')}</p>
      ) : (
        <div class="queues-layout">
          <nav class="queue-list" aria-label={t('queues.list')}>
            <ul>
              {list.map((q) => (
                <li key={q.id}>
                  <a
                    href={`/queues?queue=${encodeURIComponent(q.id)}`}
                    aria-current={q.id === selectedId ? 'true' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      select(q.id);
                    }}
                  >
                    <span class="queue-name">{q.name}</span>
                    <span class={`queue-status status-${q.status}`}>{t(`queues.status.${q.status}` as MessageKey)}</span>
                    <span class={`queue-sched sched-${q.scheduler.state}`}>{t(`queues.scheduler.${q.scheduler.state}` as MessageKey)}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {queue && <QueueView queue={queue} now={now} run={run} />}
        </div>
      )}
    </div>
  );
}

function QueueView({ queue, now, run }: { queue: Queue; now: number; run: (what: () => Promise<unknown>) => Promise<void> }) {
  const { queues, sessions, router, executions } = useServices();
  // The items' executions (where each started, for the session links); new ones come by event.
  useEffect(() => void executions.loadQueue(queue.id), [queue.id]);
  const api = queues.api;
  const byId = new Map(queue.items.map((i) => [i.item_id, i]));
  const groups = queue.execution_groups;
  const itemsOf = (group: string) => queue.items.filter((i) => i.execution_group === group).sort((a, b) => a.execution_order - b.execution_order);
  const state = queue.scheduler.state;
  const done = queue.items.filter((i) => i.status === 'completed' || i.skipped).length;
  const running = queue.items.filter((i) => i.status === 'executing').length;
  const [prompt, setPrompt] = useState('');
  const [title, setTitle] = useState('');
  const [group, setGroup] = useState(groups[0]?.id ?? 'P1');
  const [deps, setDeps] = useState('');
  const groupsRef = useRef<HTMLDivElement>(null);
  // The item under the pointer or keyboard focus: its dependency arrows come forward.
  const [hot, setHot] = useState<string | undefined>();
  const hasDeps = queue.items.some((i) => i.depends_on.length > 0);

  const onMove = (itemId: string, how: 'up' | 'down' | 'prev' | 'next') => {
    const item = byId.get(itemId)!;
    const gi = groups.findIndex((g) => g.id === item.execution_group);
    const members = itemsOf(item.execution_group);
    const at = members.findIndex((i) => i.item_id === itemId);
    if (how === 'up' || how === 'down') void run(() => queues.move(queue.id, itemId, item.execution_group, Math.max(0, at + (how === 'up' ? -1 : 1))));
    else {
      const target = groups[gi + (how === 'prev' ? -1 : 1)];
      if (target) void run(() => queues.move(queue.id, itemId, target.id, itemsOf(target.id).length));
    }
    // Keep the keyboard where it was: on the moved item's same button after the re-render.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`.queue-item[data-item-id="${CSS.escape(itemId)}"] .item-moves button:not([disabled])`)?.focus());
  };
  const onAction = (itemId: string, action: 'retry' | 'skip' | 'delete') =>
    void run(() => (action === 'delete' ? api.deleteItem(queue.id, itemId) : api.itemAction(queue.id, itemId, action)));
  const onExecute = (itemId: string, sessionKey: string | undefined) => void run(() => api.execute(queue.id, itemId, sessionKey));
  const onOpenSession = (href: string) => router.navigate(href);
  const runs = executions.byId.value;
  const startOf = (executionId: string) => runs.get(executionId)?.offsetStart ?? null;

  return (
    <section class="queue-view" aria-labelledby="queue-title">
      <header class="queue-head">
        <h2 id="queue-title">{queue.name}</h2>
        <p class="queue-counts">{t('queues.counts', { done, total: queue.items.length, running })}</p>
        <div class="queue-status-actions">
          {queue.status !== 'active' ? (
            <button type="button" onClick={() => void run(() => api.setStatus(queue.id, 'activate'))}>
              {t('queues.activate')}
            </button>
          ) : (
            <button type="button" onClick={() => void run(() => api.setStatus(queue.id, 'deactivate'))}>
              {t('queues.deactivate')}
            </button>
          )}
          {running === 0 && (
            <button type="button" onClick={() => void run(() => api.setStatus(queue.id, 'archive'))}>
              {t('queues.archive')}
            </button>
          )}
        </div>
      </header>
      <div class="scheduler-bar" role="group" aria-label={t('queues.scheduler')}>
        <span class={`scheduler-state sched-${state}`} data-state={state} role="status">
          {t('queues.scheduler')}: {t(`queues.scheduler.${state}` as MessageKey)}
        </span>
        {state !== 'running' && state !== 'paused' && (
          <button type="button" class="primary" onClick={() => void run(() => api.scheduler(queue.id, 'start'))}>
            {t('queues.start')}
          </button>
        )}
        {state === 'running' && (
          <button type="button" onClick={() => void run(() => api.scheduler(queue.id, 'pause'))}>
            {t('queues.pause')}
          </button>
        )}
        {state === 'paused' && (
          <button type="button" class="primary" onClick={() => void run(() => api.scheduler(queue.id, 'resume'))}>
            {t('queues.resume')}
          </button>
        )}
        {(state === 'running' || state === 'paused') && (
          <button type="button" class="danger" onClick={() => void run(() => api.scheduler(queue.id, 'stop'))}>
            {t('queues.stop')}
          </button>
        )}
        <label class="max-sessions">
          {t('queues.maxConcurrent')}
          <input
            type="number"
            min={1}
            max={64}
            value={queue.scheduler.maxConcurrentSessions}
            onChange={(e) => {
              const n = Number(e.currentTarget.value);
              if (Number.isInteger(n) && n >= 1 && n <= 64) void run(() => api.setMax(queue.id, n));
            }}
          />
        </label>
      </div>
      <p class="queue-hint">{t('queues.dragHint')}</p>
      {hasDeps && <p class="queue-hint">{t('queues.arrowsHint')}</p>}
      <div
        class={`queue-groups${hasDeps ? ' has-deps' : ''}`}
        ref={groupsRef}
        onPointerOver={(e) => setHot(itemOf(e.target))}
        onPointerLeave={() => setHot(undefined)}
        onFocusIn={(e) => setHot(itemOf(e.target))}
        onFocusOut={() => setHot(undefined)}
      >
        <DependencyArrows container={groupsRef} items={queue.items} hot={hot} />
        {groups.map((g, k) => (
          <GroupColumn
            key={g.id}
            queue={queue}
            group={g}
            index={k}
            items={itemsOf(g.id)}
            byId={byId}
            sessions={sessions.byKey.value}
            now={now}
            onDrop={(itemId, target, index) => void run(() => queues.move(queue.id, itemId, target, index))}
            onMove={onMove}
            onAction={onAction}
            onExecute={onExecute}
            onOpenSession={onOpenSession}
            startOf={startOf}
          />
        ))}
      </div>
      <form
        class="queue-add"
        onSubmit={(e) => {
          e.preventDefault();
          if (!prompt.trim()) return;
          const depends = deps
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean);
          void run(async () => {
            await api.addItem(queue.id, { prompt: prompt.trim(), ...(title.trim() ? { title: title.trim() } : {}), execution_group: group, ...(depends.length ? { depends_on: depends } : {}) });
            setPrompt('');
            setTitle('');
            setDeps('');
          });
        }}
      >
        <h3>{t('queues.addItem')}</h3>
        <label>
          {t('queues.prompt')}
          <input value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} required />
        </label>
        <label>
          {t('queues.itemTitle')}
          <input value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <label>
          {t('queues.group')}
          <select value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.id} ({t(`queues.group.${g.type}` as MessageKey)})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('queues.dependsOn')}
          <input value={deps} onInput={(e) => setDeps(e.currentTarget.value)} placeholder="T-1, T-2" />
        </label>
        <button type="submit" class="primary">
          {t('queues.addItem')}
        </button>
      </form>
    </section>
  );
}

export type { QueueItem };
