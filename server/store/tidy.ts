import { open, readdir, rm, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SNAPSHOT_FILE, type Recovered } from './recovery.ts';
import { SNAPSHOT_TEMP_INFIX } from './replica-protocol.ts';
import type { StoreLogger } from './types.ts';

/**
 * Removes what a crash left behind, once recovery has found the files good and
 * before anything new is written: the torn tail of the last segment (cut away,
 * so that segment can be followed by a new one), segments the snapshot already
 * holds, and half-written snapshot files. Returns the segments kept.
 */
export async function tidyAfterCrash(dataDir: string, state: Recovered, log: StoreLogger): Promise<Recovered['segments']> {
  const kept = [];
  for (const segment of state.segments) {
    const torn = state.torn?.path === segment.path ? state.torn : undefined;
    if (torn) {
      log.warn(
        `ignored a torn record at the end of ${segment.path} (${torn.bytes} bytes at byte ${torn.offset}: ${torn.reason}); ` +
          'it was being written when the process stopped and was never acknowledged',
      );
    }
    if (segment.lastLsn === undefined || segment.lastLsn <= state.snapshotLsn) {
      // Holds nothing the snapshot lacks. (An empty last segment would also clash with the next one's name.)
      await unlink(segment.path);
      continue;
    }
    if (torn) {
      await truncate(segment.path, torn.offset);
      const handle = await open(segment.path, 'r+');
      await handle.sync().finally(() => handle.close());
    }
    kept.push(segment);
  }
  for (const name of await readdir(dataDir)) {
    if (name.startsWith(`${SNAPSHOT_FILE}${SNAPSHOT_TEMP_INFIX}`)) await rm(join(dataDir, name), { force: true });
  }
  return kept;
}
