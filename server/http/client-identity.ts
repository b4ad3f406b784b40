import type { IncomingMessage } from 'node:http';
import { fromLoopback } from './proxy.ts';

/** Who sent a request, for the audit log: the peer address and (shortened) user agent. */
export function clientOf(req: Pick<IncomingMessage, 'socket' | 'headers'>): string {
  const agent = String(req.headers['user-agent'] ?? '').slice(0, 80);
  // Behind a proxy on loopback every peer is 127.0.0.1: say whom the proxy was serving.
  const forwarded = fromLoopback(req) ? String(req.headers['x-forwarded-for'] ?? '').split(',').at(-1)?.trim() : '';
  return `${req.socket.remoteAddress ?? '?'}${forwarded ? ` (for ${forwarded.slice(0, 45)})` : ''}${agent ? ` ${agent}` : ''}`;
}
