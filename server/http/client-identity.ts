import type { IncomingMessage } from 'node:http';

/** Who sent a request, for the audit log: the peer address and (shortened) user agent. */
export function clientOf(req: Pick<IncomingMessage, 'socket' | 'headers'>): string {
  const agent = String(req.headers['user-agent'] ?? '').slice(0, 80);
  return `${req.socket.remoteAddress ?? '?'}${agent ? ` ${agent}` : ''}`;
}
