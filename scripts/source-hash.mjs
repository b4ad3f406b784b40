/**
 * The hash a build stamp holds: every file below `dirs` and each of `files`
 * (paths relative to the checkout, contents; a missing file counts as empty).
 * Shared by the client's and the server's stamps (client-stamp.mjs, build-server.mjs).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * @param {string} root the checkout
 * @param {readonly string[]} dirs folders below root, read whole
 * @param {readonly string[]} files single files (absolute paths)
 * @returns {Promise<string>}
 */
export async function hashSources(root, dirs, files) {
  /** @type {string[]} */
  const all = [...files];
  /** @param {string} dir */
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else all.push(path);
    }
  };
  for (const dir of dirs) await walk(join(root, dir));
  all.sort();
  const contents = await Promise.all(all.map((file) => readFile(file).catch(() => Buffer.alloc(0))));
  const hash = createHash('sha256');
  all.forEach((file, i) => {
    hash.update(file.slice(root.length));
    hash.update(contents[i]);
  });
  return hash.digest('hex');
}
