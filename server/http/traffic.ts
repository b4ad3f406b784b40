/** Terminal WebSocket traffic, counted where it crosses the socket (read by /metrics). */
export class Traffic {
  /** Bytes of keyboard input received from terminal viewers. */
  bytesIn = 0;
  /** Bytes of terminal output sent to viewers (binary frames). */
  bytesOut = 0;
  /** Terminal viewers connected now. */
  viewers = 0;
}
