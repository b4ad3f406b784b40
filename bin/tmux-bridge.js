#!/usr/bin/env node
// The `tmux-bridge` command: the TypeScript sources run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli.ts');
