import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTmux } from '../../tmux/version.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeTmux(name: string, output: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho '${output}'\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('tmux version check at start', () => {
  it('accepts the installed tmux', async () => {
    const version = await requireTmux('tmux');
    expect(version.major).toBeGreaterThanOrEqual(3);
  });

  it('refuses a tmux older than 3.2 and says to upgrade', async () => {
    await expect(requireTmux(fakeTmux('old-tmux', 'tmux 3.1c'))).rejects.toThrow(/tmux 3\.1c is too old.*3\.2 or newer.*upgrade/);
  });

  it('says how to install tmux when it is missing', async () => {
    await expect(requireTmux(join(dir, 'no-such-tmux'))).rejects.toThrow(/tmux was not found.*install it/);
  });
});
