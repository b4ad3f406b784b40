import { describe, expect, it } from 'vitest';
import { BridgeOptions, FLAG_HELP, parseServeArgs, resolveOptions } from '../../server/options.ts';

/** Each option is defined once; the flag table, the environment and --help all come from it. */
describe('serve options', () => {
  const flags = [...FLAG_HELP.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);

  it('--help lists every flag the parser takes, and the parser takes every flag --help lists', () => {
    expect(flags.length).toBeGreaterThanOrEqual(23);
    for (const flag of flags) {
      const switchFlag = !new RegExp(`^ {2}${flag} \\S`, 'm').test(FLAG_HELP);
      const argv = switchFlag ? [flag] : [flag, flag === '--port' ? '8000' : 'x'];
      expect(() => parseServeArgs(argv, {}), flag).not.toThrow();
    }
    expect(() => parseServeArgs(['--no-such-flag'], {})).toThrow(/unknown option "--no-such-flag"[\s\S]*--host HOST/);
    expect(() => parseServeArgs(['--port'], {})).toThrow(/option --port needs a value/);
  });

  it('--help says defaults and environment variables, and every listed variable is read', () => {
    expect(FLAG_HELP).toMatch(/^ {2}--host HOST {12}listen address \(127\.0\.0\.1\) \[TMUX_BRIDGE_HOST\]$/m);
    expect(FLAG_HELP).toMatch(/--port PORT .*\(7690\) \[TMUX_BRIDGE_PORT\]/);
    expect(FLAG_HELP).toMatch(/--history-limit N .*\(50000\)$/m);
    expect(FLAG_HELP).toMatch(/^ {2}\[TMUX_BRIDGE_TOKEN\] {4}use this access token/m);
    expect(FLAG_HELP).toMatch(/archived-queues \(365:5000\)/);
    expect(FLAG_HELP).toMatch(/closed-issues \(kept until set\)/);
    for (const line of FLAG_HELP.split('\n')) expect(line.length, line).toBeLessThanOrEqual(115);
    const variables = [...FLAG_HELP.matchAll(/\[(TMUX_BRIDGE_[A-Z_]+)\]/g)].map((m) => m[1]!);
    expect(variables).toHaveLength(10);
    const values: Record<string, string> = { TMUX_BRIDGE_PORT: '8123', TMUX_BRIDGE_PUBLIC_URL: 'https://example.test/tmux/', TMUX_BRIDGE_BASE_PATH: '/tmux' };
    for (const name of variables) {
      const parsed = parseServeArgs([], { [name]: values[name] ?? 'abcdefghijklmnopqrstuvwxyz' });
      expect(Object.values(parsed), name).toHaveLength(1);
    }
  });

  it('flags win over the environment; lists repeat and split at commas', () => {
    const input = parseServeArgs(
      ['--port=8001', '--allowed-hosts', 'a.test, b.test', '--allowed-hosts=c.test', '--allow-origin', 'https://x.test,https://y.test', '--quiet', '--retention', 'events=1'],
      { TMUX_BRIDGE_PORT: '8000', TMUX_BRIDGE_HOST: '0.0.0.0' },
    );
    expect(input).toEqual({
      host: '0.0.0.0',
      port: '8001',
      allowedHosts: ['a.test', 'b.test', 'c.test'],
      allowOrigin: ['https://x.test,https://y.test'],
      quiet: true,
      retention: ['events=1'],
    });
    const options = resolveOptions({ ...input, allowOrigin: [] });
    expect(options).toMatchObject({ host: '0.0.0.0', port: 8001, quiet: true, socket: 'tmux-bridge', historyLimit: 50_000, ringBytes: 2 * 1024 * 1024 });
    expect(Object.keys(BridgeOptions.shape)).toContain('ringBytes');
  });
});
