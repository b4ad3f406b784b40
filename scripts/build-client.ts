/**
 * Bundles the web client (client/main.tsx) into dist/client with esbuild:
 * one minified ES module, its CSS (ours and xterm's), and index.html.
 * Prints the bundle sizes so growth is noticed.
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'client');
const watch = process.argv.includes('--watch');

await mkdir(out, { recursive: true });
const result = await build({
  entryPoints: { app: join(root, 'client', 'main.tsx') },
  bundle: true,
  format: 'esm',
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
const html = await readFile(join(root, 'client', 'index.html'), 'utf8');
await writeFile(join(out, 'index.html'), html);
await copyFile(join(root, 'client', 'favicon.svg'), join(out, 'favicon.svg')).catch(() => undefined);

const sizes: string[] = [];
for (const file of Object.keys(result.metafile.outputs)) {
  if (file.endsWith('.map')) continue;
  const bytes = (await stat(join(root, file))).size;
  const gz = gzipSync(await readFile(join(root, file))).length;
  sizes.push(`${file.replace(/^dist\/client\//, '')} ${(bytes / 1024).toFixed(1)} KiB (${(gz / 1024).toFixed(1)} KiB gzip)`);
}
if (!process.env.TB_BUILD_QUIET) console.error(`client built: ${sizes.join(', ')}`);
