import type { TmuxCommand } from './command.ts';

/**
 * Pasting large input: tmux reads the bytes from a file into a named buffer and
 * pastes it raw (`-r`: no LF→CR translation, `-d`: delete the buffer after).
 * 200 KB takes ~11 ms this way against seconds through send-keys.
 * No `-p`: the bytes come from a terminal that already added bracketed-paste
 * markers if the program asked for them.
 */
export function pasteFileCommands(paneId: string, bufferName: string, filePath: string): TmuxCommand[] {
  return [
    ['load-buffer', '-b', bufferName, filePath],
    ['paste-buffer', '-b', bufferName, '-t', paneId, '-r', '-d'],
  ];
}
