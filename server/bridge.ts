import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TmuxAddress } from '../tmux/address.ts';
import { disarmPipeCommands } from '../tmux/pipe.ts';
import { TmuxServer } from '../tmux/server.ts';
import { loadOrCreateToken } from './auth/token.ts';
import { EventBus, MemoryEventSink, type EventSink } from './events/event-bus.ts';
import { createApp } from './http/app.ts';
import { AuthGuard } from './http/auth.ts';
import { eventRoutes, sseRoute } from './http/routes/events.ts';
import { sessionRoutes } from './http/routes/sessions.ts';
import { WebSockets } from './http/websockets.ts';
import { resolveOptions, type BridgeOptions, type BridgeOptionsInput } from './options.ts';
import { SessionHub } from './sessions/session-hub.ts';
import { MemorySessionMetaRepository, type SessionMetaRepository } from './sessions/session-meta.ts';

export const VERSION = '0.1.0';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Bridge {
  readonly url: string;
  readonly loginUrl: string;
  readonly port: number;
  readonly token: string;
  readonly options: BridgeOptions;
  readonly tmux: TmuxServer;
  readonly hub: SessionHub;
  readonly bus: EventBus;
  /** Stops serving; tmux sessions keep running. */
  close(): Promise<void>;
}

export interface BridgeOverrides {
  readonly log?: (message: string) => void;
  readonly clientDir?: string;
  readonly eventSink?: EventSink;
  readonly sessionRepository?: SessionMetaRepository;
}

/** The composition root: tmux, sessions, events, HTTP and WebSockets. */
export async function startBridge(input: BridgeOptionsInput, overrides: BridgeOverrides = {}): Promise<Bridge> {
  const options = resolveOptions(input);
  const log = overrides.log ?? ((message: string) => console.error(message));
  const token = await loadOrCreateToken(options.dataDir, options.token);
  const address = new TmuxAddress({ socketName: options.socket, socketPath: options.socketPath, configFile: options.tmuxConfig });
  const runDir = TmuxServer.runDirFor(options.dataDir, address);

  const tmux = await TmuxServer.start({
    socketName: options.socket,
    socketPath: options.socketPath,
    configFile: options.tmuxConfig,
    runDir,
    ringBytes: options.ringBytes,
    pollIntervalMs: options.pollIntervalMs,
    historyLimit: options.historyLimit,
  });
  const disposables: Array<{ dispose(): void }> = [tmux];
  try {
    tmux.control.onDisconnect((reason) => log(`tmux control client lost (${reason}); reconnecting`));
    tmux.streams.onError(({ paneId, error }) => log(`pane ${paneId}: output stream problem: ${error.message}`));

    const bus = new EventBus(overrides.eventSink ?? new MemoryEventSink());
    disposables.push(bus);
    const hub = new SessionHub(tmux, bus, overrides.sessionRepository ?? new MemorySessionMetaRepository(), { runDir });
    disposables.push(hub);
    await hub.start();

    let port = options.port;
    const auth = new AuthGuard({ token, allowOrigins: options.allowOrigin, listenHost: options.host, port: () => port });
    const app = createApp({
      auth,
      token,
      clientDir: overrides.clientDir ?? join(ROOT, 'dist', 'client'),
      health: () => ({ ok: true, version: VERSION, tmux: { version: tmux.version.text, socket: address.label } }),
      api: [
        ['/cli-sessions', sessionRoutes(hub)],
        ['/events', eventRoutes(bus)],
      ],
      sse: sseRoute(bus),
      log,
    });
    const server: Server = createServer(app);
    const sockets = new WebSockets(server, auth, hub, bus);
    disposables.push(sockets);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const url = `http://${host}:${port}/`;

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        sockets.dispose();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // Stop our pipes so no orphaned `cat` waits for a reader that is gone.
        await Promise.allSettled(
          tmux.monitor.list().filter((p) => tmux.streams.state(p.paneId) === 'streaming').map((p) => tmux.control.runList(disarmPipeCommands(p.paneId))),
        );
        hub.dispose();
        bus.dispose();
        tmux.dispose();
      })());

    return { url, loginUrl: `${url}login?token=${encodeURIComponent(token)}`, port, token, options, tmux, hub, bus, close };
  } catch (error) {
    for (const d of disposables.reverse()) d.dispose();
    throw error;
  }
}
