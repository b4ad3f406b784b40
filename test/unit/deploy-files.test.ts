import { execa } from 'execa';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exposureVerdict } from '../../server/ops/exposure.ts';
import { parseServeArgs, resolveOptions } from '../../server/options.ts';
import { exampleBlocks } from '../helpers/nginx.ts';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const UNIT = join(DEPLOY, 'tmux-bridge@.service');

/** `Key=value` lines of one section of a unit file. */
function section(text: string, name: string): Map<string, string> {
  const body = text.split(/^\[/m).find((part) => part.startsWith(`${name}]`)) ?? '';
  const out = new Map<string, string>();
  for (const line of body.split('\n').slice(1)) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) out.set(match[1]!, match[2]!);
  }
  return out;
}

describe('deploy/tmux-bridge@.service', () => {
  const text = readFileSync(UNIT, 'utf8');
  const service = section(text, 'Service');

  it('is a valid unit to systemd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-unit-'));
    try {
      // An instance of the template, as `systemctl enable tmux-bridge@root` would load it.
      copyFileSync(UNIT, join(dir, 'tmux-bridge@root.service'));
      const out = await execa('systemd-analyze', ['verify', join(dir, 'tmux-bridge@root.service')], { reject: false });
      expect(out.stderr).toBe('');
      expect(out.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as the instance user and restarts without killing tmux', () => {
    expect(service.get('User')).toBe('%i');
    expect(service.get('KillMode')).toBe('process');
    expect(service.get('Restart')).toBe('on-failure');
    expect(service.get('WorkingDirectory')).toBe('~');
  });

  it('starts tmux-bridge with options it accepts, on loopback behind the proxy', () => {
    const exec = service.get('ExecStart')!;
    const argv = exec.split(/\s+/);
    expect(argv.slice(0, 3)).toEqual(['/usr/bin/env', 'tmux-bridge', 'serve']);
    const options = resolveOptions(parseServeArgs(argv.slice(3), {}));
    expect(options).toMatchObject({ host: '127.0.0.1', port: 7690, trustProxy: true, metrics: true });
    expect(exposureVerdict(options).refuse).toBeUndefined();
  });
});

describe('deploy/nginx-tmux-bridge.conf', () => {
  it('upgrades WebSockets, passes the /tmux/ path unchanged and forwards the client', () => {
    const { map, location } = exampleBlocks(7690);
    expect(map).toMatch(/default upgrade;/);
    expect(location).toMatch(/^\s*location \/tmux\/ \{/);
    expect(location).toMatch(/proxy_pass http:\/\/127\.0\.0\.1:7690;/);
    expect(location).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(location).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(location).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
    expect(location).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
  });
});

describe('deploy/Caddyfile', () => {
  it('proxies /tmux/ unchanged (handle, not handle_path) to the loopback port', () => {
    const text = readFileSync(join(DEPLOY, 'Caddyfile'), 'utf8');
    expect(text).toMatch(/^\s*handle \/tmux\/\* \{/m);
    expect(text).not.toMatch(/^\s*handle_path/m);
    expect(text).toMatch(/reverse_proxy 127\.0\.0\.1:7690/);
  });
});
