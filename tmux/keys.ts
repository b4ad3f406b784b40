import { hexWords, type TmuxCommand } from './command.ts';

/**
 * `send-keys -H` gets slow fast as one command grows (64 B ≈ 6 ms, 4 KiB ≈ 240 ms
 * in tmux 3.3), so typed input goes in small pieces; large input goes through a
 * paste buffer instead (see buffers.ts).
 */
export const SEND_KEYS_CHUNK = 48;

/** Raw bytes (escape sequences, UTF-8, NUL, `;`) delivered unchanged, as commands of ≤ SEND_KEYS_CHUNK bytes. */
export function sendBytesCommands(paneId: string, bytes: Uint8Array): TmuxCommand[] {
  const commands: TmuxCommand[] = [];
  for (let i = 0; i < bytes.length; i += SEND_KEYS_CHUNK) {
    commands.push(['send-keys', '-t', paneId, '-H', '--', ...hexWords(bytes.subarray(i, i + SEND_KEYS_CHUNK))]);
  }
  return commands;
}

/**
 * tmux key names (`C-c`, `Enter`, `Up`, `M-x`) in one command. `--` ends the
 * options: a "key" such as `-t` or `-N` is never read as a flag.
 */
export function sendKeyNamesCommand(paneId: string, keys: readonly string[]): TmuxCommand {
  return ['send-keys', '-t', paneId, '--', ...keys];
}

/** Leaves copy mode (and any other mode) so that keys reach the program again. */
export function leaveModeCommand(paneId: string): TmuxCommand {
  return ['copy-mode', '-q', '-t', paneId];
}
