import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, unlinkSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';

/**
 * Deleting a big file in one go frees all its blocks in one filesystem journal
 * commit; with online discard (TRIM) that commit takes ~60 ms for 50 MB, and
 * every fsync in the meantime — the store's journal writes — waits for it.
 * Shrinking the file step by step, each step committed on its own, bounds what
 * any one journal fsync can wait for.
 */
export const SHRINK_STEP_BYTES = 2 * 1024 * 1024;
const PAUSE_MS = 1;

const pause = new Int32Array(new SharedArrayBuffer(4));

/** For the worker thread, where blocking is fine. */
export function shrinkAndUnlinkSync(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    return;
  }
  try {
    for (let size = fstatSync(fd).size; size > 0; ) {
      size = Math.max(0, size - SHRINK_STEP_BYTES);
      ftruncateSync(fd, size);
      fdatasyncSync(fd);
      Atomics.wait(pause, 0, 0, PAUSE_MS);
    }
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
}

/** For the main thread: every step runs on the libuv pool. */
export async function shrinkAndUnlink(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    for (let size = (await handle.stat()).size; size > SHRINK_STEP_BYTES; ) {
      size = Math.max(0, size - SHRINK_STEP_BYTES);
      await handle.truncate(size);
      await handle.datasync();
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  } finally {
    await handle.close();
  }
  await unlink(path);
}
