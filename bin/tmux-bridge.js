#!/usr/bin/env -S node --max-semi-space-size=1
// The `tmux-bridge` command: the server prebuilt into dist/server (plain JavaScript,
// no TypeScript loader at run time; scripts/build-server.mjs). In a source
// checkout (`npm start`), first rebuild the client and the server, each only when
// its sources changed; an installed package ships both prebuilt.
// --max-semi-space-size=1: V8's young generation otherwise grows to 2 × 16 MB while
// the modules load and keeps it (~15 MB of the idle RSS); the streaming path, whose
// bytes live outside the JS heap, measured no slower with it (docs/performance.md).
import { existsSync } from 'node:fs';

const scripts = new URL('../scripts/', import.meta.url);
if (existsSync(new URL('build-server.mjs', scripts))) {
  const { ensureClientBuilt } = await import(new URL('client-stamp.mjs', scripts).href);
  const { ensureServerBuilt } = await import(new URL('build-server.mjs', scripts).href);
  const [client] = await Promise.all([ensureClientBuilt(), ensureServerBuilt()]);
  if (client !== 0) process.exit(client);
}
await import('../dist/server/cli.js');
