import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { CLOSE_SESSION_GONE, ClientTerminalMessage, terminalCloseText, terminalErrorText, TerminalQuery, type ServerTerminalMessage } from '../../schemas/index.ts';
import { Disposable, toDisposable } from '../../base/lifecycle.ts';
import type { EventBus } from '../events/index.ts';
import { type SessionHosts, TerminalViewer, terminalError, type ViewerSocket } from '../sessions/index.ts';
import type { AuthGuard } from './auth.ts';
import { clientOf } from './client-identity.ts';
import { EventStreamLimits, streamEvents } from './event-streams.ts';
import { Traffic } from './traffic.ts';
import { stripBasePath } from './base-path.ts';
import { ApiError, errorDetail, errorMessage } from '../../base/errors.ts';

const TERMINAL_PATH = /^\/ws\/terminal\/([A-Za-z0-9_-]{1,100})$/;

function reject(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { code: String(status), message } });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 429: 'Too Many Requests' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * `/ws/terminal/:sessionKey` and `/ws/events`: authenticated and
 * Origin-checked before the upgrade, so a refused client never gets a socket.
 */
export class WebSockets extends Disposable {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024, perMessageDeflate: false });
  private readonly sockets = new Set<WebSocket>();
  private readonly eventLimits: EventStreamLimits;
  /** Terminal sockets per client: generous (one per open terminal), but not without end. */
  private readonly terminalLimits: EventStreamLimits;
  /** Terminal bytes in and out and viewers connected, for /metrics. */
  readonly traffic = new Traffic();

  constructor(
    server: Server,
    private readonly auth: AuthGuard,
    private readonly hub: SessionHosts,
    private readonly bus: EventBus,
    private readonly options: { readonly basePath?: string; readonly log?: (message: string) => void; readonly eventLimits?: EventStreamLimits; readonly terminalLimits?: EventStreamLimits } = {},
  ) {
    super();
    this.eventLimits = options.eventLimits ?? new EventStreamLimits();
    this.terminalLimits = options.terminalLimits ?? new EventStreamLimits({ perClient: 256, what: 'terminal sockets' });
    // Nothing a client sends may take the server down: whatever an upgrade
    // throws becomes a refusal for that one connection.
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        this.upgrade(req, socket, head);
      } catch (error) {
        this.options.log?.(`WebSocket upgrade of ${String(req.url).slice(0, 200)} failed: ${errorDetail(error)}`);
        if (!socket.destroyed) reject(socket, 400, 'the upgrade request could not be handled');
      }
    };
    server.on('upgrade', onUpgrade);
    this.register(
      toDisposable(() => {
        server.off('upgrade', onUpgrade);
        for (const ws of this.sockets) ws.close(1001, 'server stopping');
        this.wss.close();
      }),
    );
  }

  get connections(): number {
    return this.sockets.size;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Under --base-path the sockets live below it too (/tmux/ws/terminal/…).
    const pathname = stripBasePath(this.options.basePath ?? '', url.pathname);
    if (pathname === undefined) return reject(socket, 404, `no WebSocket at ${url.pathname}: this server lives under ${this.options.basePath}/`);
    url.pathname = pathname;
    const denied = this.auth.checkUpgrade(req);
    if (denied) return reject(socket, denied.status, denied.message);
    const terminal = TERMINAL_PATH.exec(url.pathname);
    if (terminal) {
      const key = terminal[1]!;
      const query = TerminalQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!query.success) return reject(socket, 400, query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      try {
        this.hub.paneOf(key);
      } catch (error) {
        if (error instanceof ApiError) return reject(socket, error.status, error.message);
        throw error;
      }
      const release = this.terminalLimits.acquire(req);
      if (!release) return reject(socket, 429, this.terminalLimits.tooManyMessage());
      socket.once('close', release);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.once('close', release);
        this.terminal(ws, key, query.data, clientOf(req));
      });
      return;
    }
    if (url.pathname === '/ws/events') {
      const since = Number(url.searchParams.get('since') ?? 0);
      const release = this.eventLimits.acquire(req);
      if (!release) return reject(socket, 429, this.eventLimits.tooManyMessage());
      socket.once('close', release);
      this.wss.handleUpgrade(req, socket, head, (ws) => this.events(ws, Number.isFinite(since) ? since : 0, release));
      return;
    }
    reject(socket, 404, `no WebSocket at ${url.pathname}`);
  }

  private track(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', () => ws.terminate());
  }

  private terminal(ws: WebSocket, key: string, query: TerminalQuery, client: string): void {
    this.track(ws);
    const socket: ViewerSocket = {
      sendJson: (message: ServerTerminalMessage) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      sendBinary: (data) => {
        if (ws.readyState !== ws.OPEN) return;
        this.traffic.bytesOut += data.byteLength;
        ws.send(data, { binary: true });
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      close: (code, reason) => ws.close(code, reason),
    };
    const viewer = new TerminalViewer(this.hub, key, socket, {
      mode: query.mode ?? 'control',
      since: query.since,
      streamId: query.stream,
      historyLines: query.history ?? 1000,
      acks: true,
      client,
    });
    this.traffic.viewers++;
    ws.on('close', () => {
      this.traffic.viewers--;
      viewer.dispose();
    });
    ws.on('message', (data, isBinary) => {
      try {
        this.terminalMessage(viewer, socket, data, isBinary);
      } catch (error) {
        this.options.log?.(`terminal ${key}: message not handled: ${errorMessage(error)}`);
      }
    });
    viewer.start().catch((error: unknown) => {
      socket.sendJson(terminalError(error));
      ws.close(CLOSE_SESSION_GONE, terminalCloseText.sessionUnavailable);
    });
  }

  private terminalMessage(viewer: TerminalViewer, socket: ViewerSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      const bytes = toBuffer(data);
      this.traffic.bytesIn += bytes.length;
      void viewer.input(bytes).catch((error: unknown) => socket.sendJson(terminalError(error)));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(toBuffer(data).toString('utf8'));
    } catch {
      socket.sendJson({ type: 'error', ...terminalErrorText.notJson() });
      return;
    }
    const message = ClientTerminalMessage.safeParse(parsed);
    if (!message.success) {
      socket.sendJson({ type: 'error', ...terminalErrorText.invalidMessage(message.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')) });
      return;
    }
    void viewer.message(message.data).catch((error: unknown) => socket.sendJson(terminalError(error)));
  }

  private events(ws: WebSocket, since: number, release: () => void): void {
    this.track(ws);
    const sub = streamEvents(
      this.bus,
      since,
      {
        writable: () => ws.readyState === ws.OPEN,
        buffered: () => ws.bufferedAmount,
        send: (event) => ws.send(JSON.stringify(event)),
        drop: (lastId) => {
          // It resumes from its last id.
          ws.close(4008, `too slow: reconnect with ?since=${lastId}`);
          // Its socket may not even read the close frame: let go of it shortly.
          setTimeout(() => ws.terminate(), 2000).unref();
        },
      },
      this.eventLimits,
    );
    ws.on('close', () => {
      sub.dispose();
      release();
    });
    ws.on('message', () => {
      // The events socket is read-only; anything sent is ignored.
    });
  }
}
