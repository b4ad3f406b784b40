/**
 * A stand-in for the issue board's server side, for browser tests at a scale a real
 * server makes slow to set up (1,000 issues). It serves the built client
 * (dist/client), the issue API with the shapes of schemas/issue.ts (list, move with
 * the same fractional ordering code as the server) and /ws/events, which carries
 * ISSUE_UPDATED for every move. Behaviour against the real server is tested in
 * issues-board.test.ts; this file only feeds the same shapes.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ISSUE_STATUSES, MoveIssueBody, type BridgeEventOf, type Issue, type IssueStatus } from '../../schemas/index.ts';
import { place, renumbered } from '../../server/workbench/issues/ordering.ts';

const CLIENT = join(import.meta.dirname, '..', '..', 'dist', 'client');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml', '.map': 'application/json' };

export class FakeIssueServer {
  readonly issues = new Map<string, Issue>();
  readonly requests: string[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<WebSocket>();
  url = '';

  constructor(count: number) {
    const at = new Date().toISOString();
    const statuses = ISSUE_STATUSES.filter((s) => s !== 'closed');
    for (let i = 1; i <= count; i++) {
      const status = statuses[i % statuses.length]!;
      this.issues.set(`ISS-${i}`, {
        id: `ISS-${i}`,
        title: `Issue number ${i}: ${['fix the flaky login', 'add retries to the uploader', 'document the queue API', 'speed up the board'][i % 4]}`,
        body: `Body of issue ${i}`,
        status,
        priority: (['low', 'medium', 'high', 'urgent'] as const)[i % 4]!,
        labels: i % 3 === 0 ? ['bug'] : i % 3 === 1 ? ['ui', 'docs'] : [],
        sortOrder: i * 1024,
        sessions: [],
        createdAt: at,
        updatedAt: at,
        lastRun: null,
      });
    }
  }

  column(status: IssueStatus): Issue[] {
    return [...this.issues.values()].filter((i) => i.status === status).sort((a, b) => a.sortOrder - b.sortOrder);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    const wss = new WebSocketServer({ server: this.server, path: '/ws/events' });
    wss.on('connection', (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async body(req: IncomingMessage): Promise<unknown> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text ? JSON.parse(text) : {};
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/api/')) {
      this.requests.push(`${req.method} ${url.pathname}`);
      if (url.pathname === '/api/issues' && req.method === 'GET') {
        const statuses = url.searchParams.get('status')?.split(',');
        return this.json(res, 200, { issues: [...this.issues.values()].filter((i) => !statuses || statuses.includes(i.status)) });
      }
      const move = /^\/api\/issues\/([^/]+)\/move$/.exec(url.pathname);
      if (move && req.method === 'POST') {
        const issue = this.issues.get(move[1]!);
        const body = MoveIssueBody.safeParse(await this.body(req));
        if (!issue || !body.success) return this.json(res, 400, { error: { code: 'invalid_body', message: 'bad move' } });
        let column = this.column(body.data.status).filter((i) => i.id !== issue.id);
        let placed = place(column, body.data.beforeId, body.data.afterId);
        if (!placed.ok && 'renumber' in placed) {
          for (const p of renumbered(column)) this.issues.set(p.id, { ...this.issues.get(p.id)!, sortOrder: p.sortOrder });
          column = this.column(body.data.status).filter((i) => i.id !== issue.id);
          placed = place(column, body.data.beforeId, body.data.afterId);
        }
        if (!placed.ok) return this.json(res, 400, { error: { code: 'invalid_body', message: 'bad neighbour' } });
        const moved: Issue = { ...issue, status: body.data.status, sortOrder: placed.sortOrder, updatedAt: new Date().toISOString() };
        this.issues.set(moved.id, moved);
        const event: BridgeEventOf<'ISSUE_UPDATED'> = { type: 'ISSUE_UPDATED', at: moved.updatedAt, issue: moved };
        for (const ws of this.sockets) ws.send(JSON.stringify(event));
        return this.json(res, 200, moved);
      }
      if (url.pathname === '/api/cli-sessions') return this.json(res, 200, { sessions: [] });
      if (url.pathname === '/api/executions') return this.json(res, 200, { executions: [] });
      if (url.pathname === '/api/approvals') return this.json(res, 200, { approvals: [] });
      return this.json(res, 404, { error: { code: 'not_found', message: `no fake route ${url.pathname}` } });
    }
    const file = url.pathname.includes('.') ? join(CLIENT, url.pathname) : join(CLIENT, 'index.html');
    try {
      const data = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(data);
    } catch {
      res.writeHead(404).end();
    }
  }
}
