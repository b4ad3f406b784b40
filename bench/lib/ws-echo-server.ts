/**
 * A minimal WebSocket echo server, run as a child process by the echo
 * scenario: the floor for "a byte into a Node server over a WebSocket and back
 * out", with no tmux behind it. Prints its port, then echoes binary frames.
 */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('listening', () => {
  const address = wss.address();
  if (typeof address === 'object' && address) console.log(`ws-echo listening on ${address.port}`);
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
});
process.on('SIGTERM', () => process.exit(0));
