import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useTestBridge, makeApi } from '../helpers/bridge.ts';
import { waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, BoardSettings, CliSession, ImportResult, Issue, IssueHistory, IssueList, IssuesExport, Ok, SessionList } from '../../schemas/index.ts';

const ctx = useTestBridge();
const api = makeApi(() => ctx.bridge);

async function create(body: Record<string, unknown>): Promise<any> {
  const res = await api.post('/api/issues', body, Issue);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function column(status: string): Promise<any[]> {
  const res = await api.get(`/api/issues?status=${status}`, IssueList);
  expect(res.status).toBe(200);
  return res.body.issues;
}

function eventsSocket(): { ws: WebSocket; events: any[]; open: Promise<unknown> } {
  const url = new URL('ws/events', ctx.bridge.url.replace(/^http/, 'ws'));
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${ctx.bridge.token}` } });
  const events: any[] = [];
  ws.on('message', (data) => events.push(JSON.parse(data.toString())));
  return { ws, events, open: new Promise((resolve) => ws.once('open', resolve)) };
}

describe('issues API', () => {
  it('creates, reads, edits and deletes an issue, with its history and an ISSUE_UPDATED event each time', async () => {
    const feed = eventsSocket();
    await feed.open;
    const issue = await create({ title: '  Fix the login  ', body: '# Steps\n\n1. open', priority: 'high', labels: ['bug', 'ui', 'bug'] });
    expect(issue).toMatchObject({ title: 'Fix the login', status: 'open', priority: 'high', labels: ['bug', 'ui'], sessions: [], lastRun: null });
    expect(issue.id).toMatch(/^ISS-\d+$/);
    await waitFor(() => feed.events.find((e) => e.type === 'ISSUE_UPDATED' && e.issue?.id === issue.id), 'created event');

    const got = await api.get(`/api/issues/${issue.id}`, Issue);
    expect(got.body).toEqual(issue);

    const patched = await api.patch(`/api/issues/${issue.id}`, { title: 'Fix the login form', labels: ['bug'], status: 'queued' }, Issue, { 'x-change-source': 'web' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Fix the login form', labels: ['bug'], status: 'queued', priority: 'high' });
    await waitFor(() => feed.events.find((e) => e.type === 'ISSUE_UPDATED' && e.issue?.title === 'Fix the login form'), 'edit event');

    const history = (await api.get(`/api/issues/${issue.id}/history`, IssueHistory)).body.history;
    expect(history.map((h: any) => [h.field, h.from, h.to, h.by])).toEqual([
      ['created', null, { title: 'Fix the login', status: 'open' }, 'api'],
      ['title', 'Fix the login', 'Fix the login form', 'web'],
      ['labels', ['bug', 'ui'], ['bug'], 'web'],
      ['status', 'open', 'queued', 'web'],
    ]);
    for (const h of history) expect(Date.parse(h.at)).not.toBeNaN();

    // A patch that changes nothing records nothing.
    await api.patch(`/api/issues/${issue.id}`, { title: 'Fix the login form' }, Issue);
    expect((await api.get(`/api/issues/${issue.id}/history`, IssueHistory)).body.history).toHaveLength(4);

    expect((await api.delete(`/api/issues/${issue.id}`, Ok)).status).toBe(200);
    await waitFor(() => feed.events.find((e) => e.type === 'ISSUE_UPDATED' && e.issueId === issue.id && e.deleted), 'deleted event');
    expect((await api.get(`/api/issues/${issue.id}`, ApiErrorBody)).status).toBe(404);
    expect((await api.get(`/api/issues/${issue.id}/history`, ApiErrorBody)).status).toBe(404);
    expect((await api.delete(`/api/issues/${issue.id}`, ApiErrorBody)).status).toBe(404);
    feed.ws.close();
  });

  it('filters by status, label and text on the server', async () => {
    const a = await create({ title: 'Filter alpha', body: 'needle in the body', labels: ['flt-x'] });
    const b = await create({ title: 'Filter beta 100%', labels: ['flt-x', 'flt-y'], status: 'in_progress' });
    const c = await create({ title: 'Filter gamma', labels: ['flt-y'], status: 'closed' });
    const ids = async (query: string) => (await api.get(`/api/issues?${query}`, IssueList)).body.issues.map((i: any) => i.id).filter((id: string) => [a.id, b.id, c.id].includes(id));
    expect(await ids('label=flt-x')).toEqual([a.id, b.id]);
    expect(await ids('label=flt-y&status=closed')).toEqual([c.id]);
    expect(await ids('status=open,in_progress&label=flt-y')).toEqual([b.id]);
    expect(await ids('q=NEEDLE')).toEqual([a.id]);
    expect(await ids('q=100%25')).toEqual([b.id]);
    expect(await ids('q=_')).toEqual([]);
    const bad = await api.get('/api/issues?status=open,doing', ApiErrorBody);
    expect(bad.status).toBe(400);
    expect((bad.body.error.details![0] as { path: unknown[] }).path).toContain('status');
  });

  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const before = (await api.get('/api/issues', IssueList)).body.issues.length;
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/issues', { title: '   ' }, 'title'],
      ['POST', '/api/issues', { title: 'x', status: 'doing' }, 'status'],
      ['POST', '/api/issues', { title: 'x', priority: 'p9' }, 'priority'],
      ['POST', '/api/issues', { title: 'x', body: 'é'.repeat(600 * 1024) }, 'body'],
      ['POST', '/api/issues', { title: 'x', extra: 1 }, ''],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await api.send(method, path, body, ApiErrorBody);
      expect(res.status, `${JSON.stringify(body).slice(0, 60)} → ${JSON.stringify(res.body).slice(0, 200)}`).toBe(400);
      if (field) expect(res.body.error.details!.some((d: any) => d.path[0] === field)).toBe(true);
    }
    expect((await api.get('/api/issues', IssueList)).body.issues.length).toBe(before);

    const issue = await create({ title: 'Stays as it is' });
    const badPatch = await api.patch(`/api/issues/${issue.id}`, { title: 'new', status: 'nope' }, ApiErrorBody);
    expect(badPatch.status).toBe(400);
    expect((badPatch.body.error.details![0] as { path: unknown[] }).path).toEqual(['status']);
    expect((await api.get(`/api/issues/${issue.id}`, Issue)).body.title).toBe('Stays as it is');

    // A move next to an issue of another column.
    const other = await create({ title: 'In another column', status: 'queued' });
    const badMove = await api.post(`/api/issues/${issue.id}/move`, { status: 'open', beforeId: other.id }, ApiErrorBody);
    expect(badMove.status).toBe(400);
    expect(badMove.body.error.details![0]).toMatchObject({ path: ['beforeId'], code: 'board_other_column', params: { issue: other.id, column: 'queued', status: 'open' } });
    expect((await api.get(`/api/issues/${issue.id}`, Issue)).body).toMatchObject({ status: 'open', sortOrder: issue.sortOrder });
    expect(((await api.post(`/api/issues/${issue.id}/move`, { status: 'open', afterId: 'ISS-999999' }, ApiErrorBody)).body.error.details![0] as { path: unknown[] }).path).toEqual(['afterId']);
    expect((await api.post(`/api/issues/${issue.id}/move`, { status: 'open', afterId: issue.id }, ApiErrorBody)).status).toBe(400);
    expect((await api.post(`/api/issues/${issue.id}/move`, { status: 'started' }, ApiErrorBody)).status).toBe(400);
    expect((await api.post('/api/issues/ISS-999999/move', { status: 'open' }, ApiErrorBody)).status).toBe(404);
    expect((await api.get('/api/issues/..%2Fetc', ApiErrorBody)).status).toBe(400);
    expect((await api.get(`/api/issues/${issue.id}/history`, IssueHistory)).body.history).toHaveLength(1);
  });

  it('keeps a strict order under 200 random moves, renumbering a column when its gaps run out', async () => {
    const statuses = ['open', 'queued', 'in_progress', 'resolved'] as const;
    const model = new Map<string, string[]>(statuses.map((s) => [s, []]));
    for (const s of statuses) for (const issue of await column(s)) await api.delete(`/api/issues/${issue.id}`, Ok);
    for (let i = 0; i < 16; i++) {
      const status = statuses[i % statuses.length]!;
      const issue = await create({ title: `order ${i}`, status });
      model.get(status)!.push(issue.id);
    }
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const all = () => [...model.values()].flat();
    let renumbered = 0;
    const feed = eventsSocket();
    await feed.open;
    for (let step = 0; step < 200; step++) {
      const ids = all();
      const id = ids[random(ids.length)]!;
      const from = statuses.find((s) => model.get(s)!.includes(id))!;
      // The second half squeezes into the same gap over and over, so the gaps run out.
      const to = step >= 120 ? 'open' : statuses[random(statuses.length)]!;
      const target = model.get(to)!.filter((x) => x !== id);
      const body: Record<string, unknown> = { status: to };
      let index = target.length;
      if (target.length > 0) {
        if (step >= 120) {
          index = 1;
          body.beforeId = target[1] ?? target[0];
          if (target.length < 2) index = 0;
        } else {
          const mode = random(3);
          if (mode === 0) {
            index = random(target.length);
            body.beforeId = target[index];
          } else if (mode === 1) {
            const at = random(target.length);
            body.afterId = target[at];
            index = at + 1;
          }
        }
      }
      const res = await api.post(`/api/issues/${id}/move`, body, Issue);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.status).toBe(to);
      model.set(from, model.get(from)!.filter((x) => x !== id));
      target.splice(index, 0, id);
      model.set(to, target);
    }
    for (const s of statuses) {
      const issues = await column(s);
      expect(issues.map((i) => i.id)).toEqual(model.get(s));
      const orders = issues.map((i) => i.sortOrder);
      expect(new Set(orders).size).toBe(orders.length);
      for (let i = 1; i < orders.length; i++) expect(orders[i]).toBeGreaterThan(orders[i - 1]);
      if (s === 'open') renumbered = Math.min(...orders.slice(1).map((o, i) => o - orders[i]!));
    }
    // After 80 halvings of one gap the server must have renumbered the column (and said so): the gaps are sane again.
    expect(renumbered).toBeGreaterThan(1e-6);
    await waitFor(() => feed.events.find((e) => e.type === 'ISSUE_UPDATED' && e.reordered && e.issue.status === 'open'), 'a renumbering event');
    feed.ws.close();
   }, 300_000); // 200 durable writes in sequence: minutes on a busy shared machine

  it('lists an issue’s sessions (GET /api/cli-sessions?issueId=) and derives its sessions field', async () => {
    const issue = await create({ title: 'With a terminal' });
    const feed = eventsSocket();
    await feed.open;
    const created = await api.post('/api/cli-sessions', {
      name: 'issue-term',
      tool: 'custom',
      shell: 'bash --noprofile --norc -i',
      workingDir: ctx.tmux.dir,
      envWrapper: 'env FOO=1',
      resumeKey: `issue-${issue.id}`,
      issueId: issue.id,
    }, CliSession);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await api.post('/api/cli-sessions', { name: 'not-issue-term', tool: 'custom', shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir }, CliSession);
    const listed = await api.get(`/api/cli-sessions?issueId=${issue.id}`, SessionList);
    expect(listed.body.sessions.map((s: any) => s.sessionKey)).toEqual([created.body.sessionKey]);
    const got = (await api.get(`/api/issues/${issue.id}`, Issue)).body;
    expect(got.sessions).toEqual([
      {
        sessionKey: created.body.sessionKey,
        resumeKey: `issue-${issue.id}`,
        tool: 'custom',
        model: null,
        workingDir: ctx.tmux.dir,
        envWrapper: 'env FOO=1',
        createdAt: created.body.createdAt,
      },
    ]);
    await waitFor(() => feed.events.find((e) => e.type === 'ISSUE_UPDATED' && e.issue?.id === issue.id && e.issue.sessions.length === 1), 'issue event for the session');
    feed.ws.close();
  });

  it('board settings: defaults, a PUT that is kept, bad values refused', async () => {
    const defaults = (await api.get('/api/board/settings', BoardSettings)).body;
    expect(defaults.autoStartOnInProgress).toMatchObject({ enabled: false, tool: 'claude' });
    expect(defaults.autoStartOnInProgress.promptTemplate).toContain('{{title}}');
    const next = { autoStartOnInProgress: { enabled: true, tool: 'codex', model: 'm1', promptTemplate: 'Do {{id}}: {{title}}' } };
    expect((await api.put('/api/board/settings', next, BoardSettings)).status).toBe(200);
    expect((await api.get('/api/board/settings', BoardSettings)).body).toEqual(next);
    const bad = await api.put('/api/board/settings', { autoStartOnInProgress: { enabled: true, tool: 'vim', promptTemplate: 'x' } }, ApiErrorBody);
    expect(bad.status).toBe(400);
    expect((bad.body.error.details![0] as { path: unknown[] }).path).toEqual(['autoStartOnInProgress', 'tool']);
    expect((await api.get('/api/board/settings', BoardSettings)).body).toEqual(next);
    await api.put('/api/board/settings', defaults, BoardSettings);
  });

  it('exports everything with history and imports it back into an empty board unchanged', async () => {
    const a = await create({ title: 'Round trip one', body: 'Body **bold**', labels: ['rt'], priority: 'urgent' });
    await api.patch(`/api/issues/${a.id}`, { body: 'Body changed' }, Issue);
    await api.post(`/api/issues/${a.id}/move`, { status: 'resolved' }, Issue);
    const exported = await api.get('/api/issues/export', IssuesExport);
    expect(exported.status).toBe(200);
    expect(exported.body.format).toBe('tmux-bridge.issues');
    const one = exported.body.issues.find((i: any) => i.id === a.id);
    expect(one!.history.map((h: any) => h.field)).toEqual(['created', 'body', 'status', 'sortOrder']);

    // Into an empty board: delete everything, import the file, export again.
    for (const issue of (await api.get('/api/issues', IssueList)).body.issues) await api.delete(`/api/issues/${issue.id}`, Ok);
    const imported = await api.post('/api/issues/import', exported.body, ImportResult);
    expect(imported.status, JSON.stringify(imported.body).slice(0, 300)).toBe(200);
    expect(imported.body).toMatchObject({ format: 'tmux-bridge', created: exported.body.issues.length, updated: 0, warnings: [] });
    const again = await api.get('/api/issues/export', IssuesExport);
    expect(again.body.issues).toEqual(exported.body.issues);

    // New issues never take an imported number.
    const fresh = await create({ title: 'After the import' });
    expect(exported.body.issues.map((i: any) => i.id)).not.toContain(fresh.id);

    // A file with one bad issue writes nothing.
    const broken = { ...exported.body, issues: [{ ...exported.body.issues[0], id: 'NEW-1' }, { ...exported.body.issues[0], id: 'NEW-2', status: 'doing' }] };
    const refused = await api.post('/api/issues/import', broken, ApiErrorBody);
    expect(refused.status).toBe(400);
    expect((refused.body.error.details![0] as { path: unknown[] }).path).toEqual(['issues', 1, 'status']);
    expect((await api.get('/api/issues/NEW-1', ApiErrorBody)).status).toBe(404);
  });

  it('imports a CCW issues file, mapping unknown statuses to open and saying so', async () => {
    const file = {
      issues: [
        { id: 'CCW-1', title: 'From CCW', context: 'The context', status: 'registered', priority: 2, labels: ['ccw'] },
        { id: 'CCW-2', title: 'Running there', body: 'b', status: 'in_progress', priority: 'critical', tags: ['t'] },
        { title: 'No id', status: 'completed' },
      ],
    };
    const res = await api.post('/api/issues/import', file, ImportResult);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ format: 'ccw', created: 3, updated: 0 });
    expect(res.body.warnings).toHaveLength(1);
    expect(res.body.warnings[0]).toContain('registered');
    expect((await api.get('/api/issues/CCW-1', Issue)).body).toMatchObject({ title: 'From CCW', body: 'The context', status: 'open', priority: 'high', labels: ['ccw'] });
    expect((await api.get('/api/issues/CCW-2', Issue)).body).toMatchObject({ status: 'in_progress', priority: 'urgent', labels: ['t'] });
    expect((await api.get(`/api/issues/${res.body.ids[2]}`, Issue)).body).toMatchObject({ title: 'No id', status: 'completed' });

    const bad = await api.post('/api/issues/import', [{ title: 'ok' }, { title: '' }], ApiErrorBody);
    expect(bad.status).toBe(400);
    expect((bad.body.error.details![0] as { path: unknown[] }).path).toEqual([1, 'title']);
    const big = await api.post('/api/issues/import', [{ title: 'big', context: 'x'.repeat(1024 * 1024 + 1) }], ApiErrorBody);
    expect(big.status).toBe(400);
    expect((big.body.error.details![0] as { path: unknown[] }).path).toEqual([0, 'context']);
    expect((await api.get('/api/issues?q=big', IssueList)).body.issues.filter((i: any) => i.title === 'big')).toEqual([]);
  });
});
