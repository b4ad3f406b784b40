import { describe, expect, it } from 'vitest';
import { SessionName } from '../../schemas/index.ts';
import { terminalSessionName } from '../../server/workbench/flows/runner.ts';

describe('the session name of a node that asks for a terminal', () => {
  it('is "<flow> - <node> <run>" in characters tmux takes, unique per run and attempt', () => {
    expect(terminalSessionName('Nightly: build.all', 'Lint', 'r_6b4092abf610fdd2', 1)).toBe('Nightly- build-all - Lint 6b4092');
    expect(terminalSessionName('Nightly', 'Lint', 'r_6b4092abf610fdd2', 2)).toBe('Nightly - Lint 6b4092-2');
  });

  it('is always a valid session name, whatever the flow and node are called', () => {
    const names = [
      terminalSessionName('每日构建', '检查', 'r_0123456789abcdef', 1),
      terminalSessionName(':::', '...', 'r_0123456789abcdef', 3),
      terminalSessionName('x'.repeat(200), 'y'.repeat(100), 'r_0123456789abcdef', 12),
      terminalSessionName('  spaced   out  ', 'tab\there', 'r_0123456789abcdef', 1),
    ];
    for (const name of names) expect(SessionName.safeParse(name).success, name).toBe(true);
    expect(names[2]!.length).toBeLessThanOrEqual(64);
  });
});
