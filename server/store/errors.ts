/**
 * Errors the store throws at start or on write. Each message says what happened,
 * which file, and what to do about it: they end up in front of a human.
 */

/** A snapshot or journal file cannot be trusted. Nothing was modified or deleted. */
export class StoreCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    advice = 'tmux-bridge did not modify or delete it. Restore the file from a backup, or move it aside to start without it (the state it held is then lost).',
  ) {
    super(`data file ${file} is corrupt: ${detail}. ${advice}`);
    this.name = 'StoreCorruptError';
  }
}

/** Another live process holds the data directory. */
export class StoreLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | null,
    detail?: string,
  ) {
    const who = holderPid === null ? 'another tmux-bridge' : `another tmux-bridge (pid ${holderPid})`;
    super(
      `${who} is using data directory ${dataDir}${detail ? ` (${detail})` : ''}; stop it or use another --data-dir`,
    );
    this.name = 'StoreLockedError';
  }
}

/** The data directory was written by a newer tmux-bridge whose schema this build does not know. */
export class StoreVersionError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `data file ${file} has schema version ${found}, but this tmux-bridge knows versions up to ${supported}; ` +
        'upgrade tmux-bridge (the files were left untouched)',
    );
    this.name = 'StoreVersionError';
  }
}

/** A write after close(), or after a disk failure made the store read-only. */
export class StoreClosedError extends Error {
  constructor(reason: string) {
    super(`the store does not accept writes: ${reason}`);
    this.name = 'StoreClosedError';
  }
}
