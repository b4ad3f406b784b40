import type { IncomingMessage } from 'node:http';

const LOOPBACK_PEER = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** The request came straight from this machine (a reverse proxy on loopback, or a local client). */
export function fromLoopback(req: Pick<IncomingMessage, 'socket'>): boolean {
  return LOOPBACK_PEER.test(req.socket.remoteAddress ?? '');
}

function lastListed(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  const parts = (joined ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return parts.at(-1);
}

/**
 * Who is on the other end. Behind a trusted proxy on loopback that is the last
 * X-Forwarded-For entry (the address the proxy itself saw; earlier entries are
 * whatever the client claimed), otherwise the socket's peer.
 */
export function peerAddress(req: Pick<IncomingMessage, 'socket' | 'headers'>, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? '?';
  if (!trustProxy || !fromLoopback(req)) return peer;
  return lastListed(req.headers['x-forwarded-for']) ?? peer;
}

/** The host the browser used: X-Forwarded-Host from a trusted proxy, else Host. */
export function requestHost(req: Pick<IncomingMessage, 'socket' | 'headers'>, trustProxy: boolean): string | undefined {
  if (trustProxy && fromLoopback(req)) return lastListed(req.headers['x-forwarded-host']) ?? req.headers.host;
  return req.headers.host;
}
