#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=32768 node --max-semi-space-size=1
// The `tmux-bridge` command: the server prebuilt into dist/server (plain JavaScript,
// no TypeScript loader at run time; scripts/build-server.mjs). In a source
// checkout (`npm start`), first rebuild the client and the server, each only when
// its sources changed; an installed package ships both prebuilt.
// The first line keeps the idle server small (docs/performance.md, "Warm start and idle memory"):
// - MALLOC_MMAP_THRESHOLD_=32768: glibc serves allocations of 32 KiB and more with their own
//   mappings, given back when freed; by default the threshold climbs and the start's compile
//   buffers stay in malloc's arenas for good (~10 MB).
// - --max-semi-space-size=1: V8's young generation otherwise grows to 2 × 16 MB while the
//   modules load and keeps it; the streaming path keeps its bytes outside the JS heap.
import { existsSync } from 'node:fs';

// Only this process's malloc is tuned: tmux, shells and agents started from here get the
// environment the user had.
delete process.env.MALLOC_MMAP_THRESHOLD_;

const scripts = new URL('../scripts/', import.meta.url);
if (existsSync(new URL('build-server.mjs', scripts))) {
  const { ensureClientBuilt } = await import(new URL('client-stamp.mjs', scripts).href);
  const { ensureServerBuilt } = await import(new URL('build-server.mjs', scripts).href);
  const [client] = await Promise.all([ensureClientBuilt(), ensureServerBuilt()]);
  if (client !== 0) process.exit(client);
}
await import('../dist/server/cli.js');
