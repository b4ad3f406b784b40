/**
 * The hash of everything the client bundle is made from (client and schema
 * sources, the build script, this file, the lockfile), kept in
 * dist/client/.build-stamp by scripts/build-client.ts.
 *
 * Plain JavaScript so that `npm start` (bin/tmux-bridge.js) can compare it
 * without starting tsx (~0.2 s): the build runs only when the stamp differs.
 */
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashSources } from './source-hash.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const out = join(root, 'dist', 'client');
export const stampFile = join(out, '.build-stamp');

/** @returns {Promise<string>} */
export function sourceStamp() {
  return hashSources(root, ['client', 'schemas', 'base'], [join(root, 'scripts', 'build-client.ts'), fileURLToPath(import.meta.url), join(root, 'scripts', 'source-hash.mjs'), join(root, 'package-lock.json')]);
}

/** True when dist/client was built from exactly these sources. @param {string} stamp */
export async function upToDate(stamp) {
  const previous = await readFile(stampFile, 'utf8').catch(() => '');
  const built = await stat(join(out, 'index.html')).then(() => true, () => false);
  return built && previous === stamp;
}

/**
 * Runs the client build when the stamp differs (the build compares it again and
 * writes it). Without client sources (an installed package) there is nothing to do.
 * @returns {Promise<number>} the build's exit status, 0 when none was needed
 */
export async function ensureClientBuilt() {
  const haveSources = await stat(join(root, 'client', 'main.tsx')).then(() => true, () => false);
  if (!haveSources || (await upToDate(await sourceStamp()))) return 0;
  const build = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-client.ts')], { stdio: 'inherit' });
  return build.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(await ensureClientBuilt());
}
