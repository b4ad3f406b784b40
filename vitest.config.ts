import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests never read the developer's shell profile: login shells started in test
// panes get a private, empty HOME.
const home = join(tmpdir(), 'tb-test-home');
mkdirSync(home, { recursive: true });

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { HOME: home },
    // Integration tests drive real tmux servers and real browsers: give them room,
    // but keep files parallel (each uses its own tmux socket).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 3,
    reporters: ['default'],
  },
});
