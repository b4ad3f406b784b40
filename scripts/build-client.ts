/**
 * Bundles the web client (client/main.tsx) into dist/client with esbuild:
 * minified ES modules, their CSS (ours and xterm's), and index.html.
 *
 * Code splitting: the terminal pages (xterm.js, most of the bytes) are a dynamic
 * import, so they land in a chunk of their own that the board pages never wait
 * for. Chunks the entry imports statically are announced in index.html with
 * <link rel="modulepreload">, so the browser fetches them in parallel with app.js.
 * Prints every file's size, and what the first paint needs, so growth is noticed.
 *
 * Skips the build when nothing it reads changed since the last one (scripts/client-stamp.mjs), so `npm start` is fast on a warm start. `--force` builds anyway.
 */
import { copyFile, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { out, root, sourceStamp, stampFile, upToDate } from './client-stamp.mjs';

const watch = process.argv.includes('--watch');

// An installed package ships dist/client prebuilt and may not carry the sources.
const haveSources = await stat(join(root, 'client', 'main.tsx')).then(() => true, () => false);
if (!haveSources) {
  if (!process.env.TB_BUILD_QUIET) console.error('client sources not present: using the prebuilt dist/client');
  process.exit(0);
}
const stamp = await sourceStamp();
if (!watch && !process.argv.includes('--force')) {
  if (await upToDate(stamp)) {
    if (!process.env.TB_BUILD_QUIET) console.error('client up to date (sources unchanged): not rebuilt');
    process.exit(0);
  }
}
// esbuild is loaded only when there is something to build.
const { build } = await import('esbuild');

// Chunk names carry a hash: clear old ones so dist/client holds one build.
await rm(join(out, 'chunks'), { recursive: true, force: true });
await mkdir(out, { recursive: true });
const result = await build({
  entryPoints: {
    app: join(root, 'client', 'main.tsx'),
    // Stylesheets of lazily loaded parts, at fixed names (client/lib/stylesheet.ts).
    'styles/terminal': join(root, 'client', 'styles', 'terminal.bundle.css'),
    'styles/queues': join(root, 'client', 'styles', 'queues.bundle.css'),
  },
  bundle: true,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'es2022',
  minify: !watch,
  sourcemap: true,
  outdir: out,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.css': 'css' },
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});
const outputs = result.metafile.outputs;
const rel = (file: string) => file.replace(/^dist\/client\//, '');
// The app's own entry: lazily imported pages are entry points too, and may come first.
const entry = Object.keys(outputs).find((file) => outputs[file]!.entryPoint?.endsWith('client/main.tsx') && file.endsWith('.js'))!;
/** The files the first paint needs: the entry and what it imports statically (transitively). */
const initial = new Set<string>([entry]);
for (const file of initial) for (const imp of outputs[file]!.imports) if (imp.kind === 'import-statement' && !imp.external) initial.add(imp.path);
const preload = [...initial].filter((file) => file !== entry).map((file) => `    <link rel="modulepreload" href="/${rel(file)}" />\n`);
const html = await readFile(join(root, 'client', 'index.html'), 'utf8');
await writeFile(join(out, 'index.html'), html.replace('  </head>', `${preload.join('')}  </head>`));
await copyFile(join(root, 'client', 'favicon.svg'), join(out, 'favicon.svg')).catch(() => undefined);
// Installable to a home screen: the web manifest and its icons.
await copyFile(join(root, 'client', 'manifest.webmanifest'), join(out, 'manifest.webmanifest'));
await cp(join(root, 'client', 'icons'), join(out, 'icons'), { recursive: true });

const sizes: string[] = [];
let initialGz = 0;
let totalGz = 0;
for (const file of Object.keys(outputs)) {
  if (file.endsWith('.map')) continue;
  const bytes = (await stat(join(root, file))).size;
  const gz = gzipSync(await readFile(join(root, file))).length;
  totalGz += gz;
  if (initial.has(file) || file === outputs[entry]!.cssBundle) initialGz += gz;
  sizes.push(`${rel(file)} ${(bytes / 1024).toFixed(1)} KiB (${(gz / 1024).toFixed(1)} KiB gzip)`);
}
if (!process.env.TB_BUILD_QUIET) {
  console.error(`client built: ${sizes.join(', ')}`);
  console.error(`first paint loads ${(initialGz / 1024).toFixed(1)} KiB gzip (JS + CSS); everything ${(totalGz / 1024).toFixed(1)} KiB gzip`);
}
// What the first paint costs, for the size check in the tests (test/unit/client-bundle-size.test.ts).
await writeFile(join(out, 'sizes.json'), `${JSON.stringify({ firstPaintGzipBytes: initialGz, totalGzipBytes: totalGz })}\n`);
await writeFile(stampFile, stamp);
