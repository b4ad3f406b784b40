import { describe, expect, it } from 'vitest';
import { runActions, runShellAction, sshArgs } from '../../server/agent/actions.ts';

describe('stage actions', () => {
  it('runs a shell action and keeps its output and exit code', async () => {
    const ok = await runShellAction('echo out; echo err >&2', { ssh: null, shellTimeoutMs: 10_000 });
    expect(ok).toMatchObject({ kind: 'shell', ok: true, exitCode: 0, timedOut: false, error: null });
    expect(ok.output.split('\n').sort()).toEqual(['err', 'out']);
    const failed = await runShellAction('exit 3', { ssh: null, shellTimeoutMs: 10_000 });
    expect(failed).toMatchObject({ ok: false, exitCode: 3, error: 'exited with code 3' });
  });

  it('stops a shell action at its time limit', async () => {
    const slow = await runShellAction('sleep 30', { ssh: null, shellTimeoutMs: 200 });
    expect(slow).toMatchObject({ ok: false, timedOut: true });
    expect(slow.error).toMatch(/timed out after 200 ms/);
  });

  it('keeps only the tail of a large output', async () => {
    const big = await runShellAction('head -c 100000 /dev/zero | tr "\\0" x; echo END', { ssh: null, shellTimeoutMs: 10_000 });
    expect(big.output.length).toBeLessThanOrEqual(4097);
    expect(big.output.endsWith('END')).toBe(true);
  });

  it('types send_keys through the injected function, one call per action, and runs actions in order', async () => {
    const calls: string[] = [];
    const outcomes = await runActions(
      [
        { kind: 'send_keys', command: 'npm run lint' },
        { kind: 'shell', command: 'echo hi' },
        { kind: 'send_keys', command: 'bad' },
      ],
      {
        paneId: '%3',
        ssh: null,
        shellTimeoutMs: 10_000,
        sendKeys: async (pane, text, { enter }) => {
          if (text === 'bad') throw new Error('pane %3 is gone');
          calls.push(`${pane}:${text}:${enter}`);
        },
      },
    );
    expect(calls).toEqual(['%3:npm run lint:true']);
    expect(outcomes.map((o) => [o.kind, o.ok, o.error])).toEqual([
      ['send_keys', true, null],
      ['shell', true, null],
      ['send_keys', false, 'pane %3 is gone'],
    ]);
  });

  it('does nothing in dry-run mode but reports every action', async () => {
    let typed = false;
    const outcomes = await runActions(
      [
        { kind: 'send_keys', command: 'rm -rf build' },
        { kind: 'shell', command: 'exit 1' },
      ],
      { paneId: '%1', ssh: null, shellTimeoutMs: 1000, dryRun: true, sendKeys: async () => void (typed = true) },
    );
    expect(typed).toBe(false);
    expect(outcomes.every((o) => o.dryRun && o.ok)).toBe(true);
  });

  it('builds tmuxagent-style ssh arguments', () => {
    expect(sshArgs({ host: '10.0.0.5', port: 2222, user: 'ops', key: '~/.ssh/k', timeoutSec: 30 }, "bash -lc 'make'")).toEqual([
      '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30', '-p', '2222', '-i', '~/.ssh/k', 'ops@10.0.0.5', "bash -lc 'make'",
    ]);
    expect(sshArgs({ host: 'h', port: 22, user: null, key: null, timeoutSec: 5 }, 'x').slice(-2)).toEqual(['h', 'x']);
  });
});
