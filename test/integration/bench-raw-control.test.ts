import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawControl } from '../../bench/lib/control.ts';
import { startBaselineServer, type BenchTmux } from '../../bench/lib/tmux.ts';
import { waitFor } from '../helpers/wait.ts';

// The bench's tmux-only echo baseline: keys as send-keys -H over a bare control
// client, the echo read from its %output. It must deliver the pane's bytes and nothing else.
let base: BenchTmux;

beforeAll(async () => {
  base = await startBaselineServer('test-raw-control');
});

afterAll(async () => {
  await base?.kill();
});

describe('bench RawControl', () => {
  it("hands over exactly the pane's bytes from %output, escapes undone", async () => {
    await base.run('new-session', '-d', '-s', 'echo', '-x', '80', '-y', '24', 'stty raw -echo; exec cat');
    const pane = await base.paneOf('echo');
    await waitFor(async () => (await base.run('display-message', '-p', '-t', pane, '#{pane_current_command}')).trim() === 'cat', 'cat in the pane', 30_000);
    const control = await RawControl.attach(base, 'echo');
    try {
      const chunks: Buffer[] = [];
      control.onOutput = (paneId, data) => {
        if (paneId === pane) chunks.push(data);
      };
      // Letters in "%output" itself, a backslash and a control byte (both octal-escaped on the wire), UTF-8.
      const bytes = Buffer.concat([Buffer.from('output\\'), Buffer.from([0x01]), Buffer.from('é')]);
      control.write([['send-keys', '-t', pane, '-H', ...[...bytes].map((b) => b.toString(16))]]);
      await waitFor(() => Buffer.concat(chunks).length >= bytes.length, 'the echo', 30_000);
      expect(Buffer.concat(chunks)).toEqual(bytes);
    } finally {
      await control.close();
    }
  });

  it('is attached once attach() resolves: a key sent at once comes back (tmux 3.3 may run early stdin lines first)', async () => {
    // The race showed about once in 20 attaches: 30 rounds.
    for (let round = 0; round < 30; round++) {
      await base.run('new-session', '-d', '-s', `r${round}`, '-x', '80', '-y', '24', 'stty raw -echo; exec cat');
      const pane = await base.paneOf(`r${round}`);
      await waitFor(async () => (await base.run('display-message', '-p', '-t', pane, '#{pane_current_command}')).trim() === 'cat', 'cat in the pane', 30_000);
      const control = await RawControl.attach(base, `r${round}`);
      try {
        const chunks: Buffer[] = [];
        control.onOutput = (paneId, data) => {
          if (paneId === pane) chunks.push(data);
        };
        control.write([['send-keys', '-t', pane, '-H', '6b']]);
        await waitFor(() => chunks.length > 0, `the echo in round ${round}`, 30_000);
        expect(Buffer.concat(chunks).toString()).toBe('k');
      } finally {
        await control.close();
        await base.run('kill-session', '-t', `=r${round}`);
      }
    }
  });
});
