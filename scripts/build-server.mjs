/**
 * Bundles the server (server/cli.ts and the snapshot worker's entry) into
 * dist/server as plain JavaScript with source maps, so the command and
 * `npm start` run on bare Node: tsx's loader costs ~50 MB of RSS (a hooks
 * thread with esbuild loaded) and most of the start time (every module
 * transformed and resolved through it). Packages stay imports of node_modules
 * (zod is bundled, see below).
 *
 * Skips the build when nothing it reads changed since the last one (the hash of
 * server/, tmux/, base/, schemas/, client/i18n/, this file and the lockfile, kept in
 * dist/server/.build-stamp). `--force` builds anyway. Plain JavaScript so that
 * `npm start` can check the stamp without starting tsx.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashSources } from './source-hash.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const out = join(root, 'dist', 'server');
const stampFile = join(out, '.build-stamp');
// client/i18n: the catalogs and notification words the server sends notifications in (bridge.notify_language).
const SOURCES = ['server', 'tmux', 'base', 'schemas', 'client/i18n'];

/** @returns {Promise<string>} */
export function serverStamp() {
  return hashSources(root, SOURCES, [fileURLToPath(import.meta.url), join(root, 'scripts', 'source-hash.mjs'), join(root, 'package-lock.json')]);
}

/** True when there are server sources to build from (an installed package has only dist/server). */
export async function haveServerSources() {
  return stat(join(root, 'server', 'cli.ts')).then(() => true, () => false);
}

/** True when dist/server was built from exactly these sources. @param {string} stamp */
export async function serverUpToDate(stamp) {
  const previous = await readFile(stampFile, 'utf8').catch(() => '');
  const built = await stat(join(out, 'cli.js')).then(() => true, () => false);
  return built && previous === stamp;
}

/** Builds dist/server (esbuild is loaded only here). @param {string} stamp */
export async function buildServer(stamp) {
  const { build, stop } = await import('esbuild');
  // Chunk names carry a hash: clear old ones so dist/server holds one build.
  await rm(out, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: {
      cli: join(root, 'server', 'cli.ts'),
      // Started as a worker thread by server/store/replica.ts, next to the chunk that holds it.
      'snapshot-worker': join(root, 'server', 'store', 'snapshot-worker.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The subcommands (doctor, backup, import) are dynamic imports: chunks a serve never loads.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    // Packages stay imports of node_modules, except zod: bundled, only the parts the
    // schemas use are loaded (its package entry loads every locale, ~55 modules).
    external: Object.keys(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).dependencies).filter((name) => name !== 'zod'),
    // Smaller sources are smaller in memory (V8 keeps each module's text); names stay,
    // for stack traces; `node --enable-source-maps` maps lines back to server/.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    outdir: out,
    logLevel: 'warning',
    legalComments: 'none',
  });
  // esbuild's service process would otherwise live as long as the server started after it.
  await stop();
  await writeFile(stampFile, stamp);
}

/**
 * Builds dist/server unless it is up to date or there are no sources; says so
 * on stderr when it builds (unless TB_BUILD_QUIET is set).
 * @param {{ force?: boolean }} [options]
 * @returns {Promise<'built' | 'up to date' | 'no sources'>}
 */
export async function ensureServerBuilt(options = {}) {
  if (!(await haveServerSources())) return 'no sources';
  const stamp = await serverStamp();
  if (!options.force && (await serverUpToDate(stamp))) return 'up to date';
  const started = performance.now();
  await buildServer(stamp);
  if (!process.env.TB_BUILD_QUIET) console.error(`server built into dist/server in ${Math.round(performance.now() - started)} ms`);
  return 'built';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await ensureServerBuilt({ force: process.argv.includes('--force') });
  if (result !== 'built' && !process.env.TB_BUILD_QUIET) console.error(`server ${result === 'no sources' ? 'sources not present: using the prebuilt dist/server' : 'up to date (sources unchanged): not rebuilt'}`);
}
