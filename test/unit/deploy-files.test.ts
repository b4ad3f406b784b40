import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exposureVerdict } from '../../server/ops/exposure.ts';
import { parseServeArgs, resolveOptions } from '../../server/options.ts';
import { parse as parseYaml } from 'yaml';
import { exampleBlocks, NGINX } from '../helpers/nginx.ts';
import { selfSignedCert } from '../helpers/tls.ts';

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

describe('deploy/nginx-tmux-bridge.conf as a site of Debian\'s nginx', () => {
  it('passes nginx -t as it ships, with only the host name\'s certificate files swapped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-nginx-t-'));
    const tls = await selfSignedCert();
    try {
      // Debian's layout: nginx.conf includes sites-enabled/* inside http {}.
      mkdirSync(join(dir, 'sites-enabled'));
      const site = readFileSync(join(DEPLOY, 'nginx-tmux-bridge.conf'), 'utf8')
        .replace('/etc/letsencrypt/live/bridge.example.org/fullchain.pem', tls.certFile)
        .replace('/etc/letsencrypt/live/bridge.example.org/privkey.pem', tls.keyFile);
      expect(site).not.toContain('/etc/letsencrypt');
      writeFileSync(join(dir, 'sites-enabled', 'tmux-bridge'), site);
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, t)};`).join('\n');
      writeFileSync(
        join(dir, 'nginx.conf'),
        `pid ${join(dir, 'nginx.pid')};\nerror_log stderr;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n${temp}\n  include ${join(dir, 'sites-enabled')}/*;\n}\n`,
      );
      const out = await execa(NGINX, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { reject: false });
      expect(out.stderr).toContain('test is successful');
      expect(out.stderr).not.toMatch(/\[(warn|emerg|alert|crit)\]/);
      expect(out.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(tls.dir, { recursive: true, force: true });
    }
  });

  it('keeps /metrics off the internet (Prometheus scrapes loopback)', () => {
    const text = readFileSync(join(DEPLOY, 'nginx-tmux-bridge.conf'), 'utf8');
    expect(text).toMatch(/location = \/tmux\/metrics \{\s*return 404;\s*\}/);
  });
});

describe('deploy/prometheus-tmux-bridge.yml', () => {
  it('scrapes the port and base path the unit and the nginx site use, with the metrics token file', () => {
    const config = parseYaml(readFileSync(join(DEPLOY, 'prometheus-tmux-bridge.yml'), 'utf8')) as { scrape_configs: any[] };
    expect(config.scrape_configs).toHaveLength(1);
    const job = config.scrape_configs[0];
    const unit = resolveOptions(parseServeArgs(section(readFileSync(UNIT, 'utf8'), 'Service').get('ExecStart')!.split(/\s+/).slice(3), {}));
    expect(job.static_configs).toEqual([{ targets: [`${unit.host}:${unit.port}`] }]);
    // The base path comes from TMUX_BRIDGE_PUBLIC_URL, the URL nginx serves: /tmux/.
    const { location } = exampleBlocks(unit.port);
    const base = /location (\S+)\/ \{/.exec(location)![1]!;
    expect(job.metrics_path).toBe(`${base}/metrics`);
    expect(job.authorization).toEqual({ type: 'Bearer', credentials_file: '/etc/prometheus/tmux-bridge.token' });
    expect(job.scheme ?? 'http').toBe('http');
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
