import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeProcess } from '../helpers/bridge.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { CliSession, Ok } from '../../schemas/index.ts';

// The installed command as a user runs it: bin/tmux-bridge.js through its `#!/usr/bin/env -S …`
// line, which tunes malloc for the server's process only (docs/performance.md).
const ctx = {} as { tmux: TestTmux; server: BridgeProcess; dataDir: string };

beforeAll(async () => {
  ctx.tmux = new TestTmux();
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  ctx.server = new BridgeProcess(ctx.tmux, ctx.dataDir, [], 'command');
  await ctx.server.start();
}, 150_000);

afterAll(async () => {
  await ctx.server?.stop();
  await ctx.tmux?.kill();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');

describe('the command started through its #! line', () => {
  it("runs the server with its malloc setting, and tmux and the session's shell without it", async () => {
    // The node process itself: the command execs node in place of env.
    expect(readFileSync(`/proc/${ctx.server.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=1');
    expect(environ(ctx.server.pid!)).toContain('MALLOC_MMAP_THRESHOLD_=32768');
    const { status, body } = await ctx.server.api.post('/api/cli-sessions', { name: 'env-check', shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir }, CliSession);
    expect(status).toBe(201);
    const tmuxPid = Number((await ctx.tmux.tmux('display-message', '-p', '#{pid}')).trim());
    expect(environ(tmuxPid).some((v) => v.startsWith('MALLOC_MMAP_THRESHOLD_='))).toBe(false);
    await ctx.server.api.post(`/api/cli-sessions/${body.sessionKey}/send`, { text: 'echo "malloc=${MALLOC_MMAP_THRESHOLD_:-unset}"' }, Ok);
    await waitFor(async () => (await ctx.tmux.capture(body.tmux.paneId)).includes('malloc=unset\n'), 'the shell to say the variable is unset', 20_000);
  });
});
