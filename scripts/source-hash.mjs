/**
 * The hash a build stamp holds: every file below `dirs` and each of `files`
 * (paths relative to the checkout, contents; a missing file counts as empty).
 * Shared by the client's and the server's stamps (client-stamp.mjs, build-server.mjs).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Synchronous on purpose: it runs before the server starts, and one file at a time
 * through one hash keeps the command's memory flat (reading them all at once through
 * the thread pool left megabytes in malloc's per-thread arenas of the server's process).
 * @param {string} root the checkout
 * @param {readonly string[]} dirs folders below root, read whole
 * @param {readonly string[]} files single files (absolute paths)
 * @returns {Promise<string>}
 */
export async function hashSources(root, dirs, files) {
  /** @type {string[]} */
  const all = [...files];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else all.push(path);
    }
  };
  for (const dir of dirs) walk(join(root, dir));
  all.sort();
  const hash = createHash('sha256');
  for (const file of all) {
    hash.update(file.slice(root.length));
    try {
      hash.update(readFileSync(file));
    } catch {
      // a missing file counts as empty
    }
  }
  return hash.digest('hex');
}
