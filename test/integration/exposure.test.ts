import { execa } from 'execa';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposureVerdict } from '../../server/ops/exposure.ts';
import { resolveOptions } from '../../server/options.ts';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { httpsRequest, selfSignedCert } from '../helpers/tls.ts';
import { TestTmux } from '../helpers/tmux.ts';
import WebSocket from 'ws';
import { CliSession, SessionList } from '../../schemas/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let tmux: TestTmux;
beforeAll(() => {
  tmux = new TestTmux();
});
afterAll(async () => {
  await tmux?.kill();
});

async function newSession(bridge: TestBridge, name: string): Promise<string> {
  const { status, body } = await bridge.api.post('/api/cli-sessions', { name, shell: 'bash --norc --noprofile -i', workingDir: tmux.dir, tool: 'bash' }, CliSession);
  expect(status).toBe(201);
  return body.sessionKey;
}

describe('exposure rules', () => {
  it('refuses a non-loopback address without TLS unless --insecure-listen, and says why', async () => {
    const refused = exposureVerdict(resolveOptions({ host: '0.0.0.0' }));
    expect(refused.refuse).toMatch(/clear text .*--tls-cert .*127\.0\.0\.1 behind nginx or Caddy .*--insecure-listen/);
    const allowed = exposureVerdict(resolveOptions({ host: '0.0.0.0', insecureListen: true }));
    expect(allowed.refuse).toBeUndefined();
    expect(allowed.warnings.join('\n')).toMatch(/--insecure-listen: .*clear text/);
    expect(exposureVerdict(resolveOptions({ host: '0.0.0.0', tlsCert: 'c.pem', tlsKey: 'k.pem' })).refuse).toBeUndefined();
    expect(exposureVerdict(resolveOptions({ host: '127.0.0.1' })).refuse).toBeUndefined();
    expect(() => resolveOptions({ tlsCert: 'c.pem' })).toThrow(/--tls-cert and --tls-key go together/);
    expect(resolveOptions({ publicUrl: 'https://example.com/tmux/' }).basePath).toBe('/tmux');
    expect(resolveOptions({ basePath: 'tmux/' }).basePath).toBe('/tmux');

    // The command line prints the reason and exits before anything listens.
    const env = { ...process.env };
    delete env.TMUX;
    const out = await execa(process.execPath, [join(ROOT, 'bin', 'tmux-bridge.js'), '--host', '0.0.0.0', '--port', '0', '--socket', tmux.socketName], { env, reject: false, timeout: 60_000 });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toMatch(/refusing to start: listening on 0\.0\.0\.0 without TLS/);
    expect(out.stdout).not.toMatch(/listening on/);
  });
});

describe('HTTPS and WSS with --tls-cert/--tls-key', () => {
  it('serves pages, API and terminals over TLS with a Secure cookie', async () => {
    const tls = await selfSignedCert();
    const bridge = await startTestBridge(tmux, { tlsCert: tls.certFile, tlsKey: tls.keyFile });
    try {
      expect(bridge.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const health = await httpsRequest('GET', new URL('healthz', bridge.url).href, tls.cert);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ ok: true });

      const login = await httpsRequest('GET', `${bridge.url}login?token=${encodeURIComponent(bridge.token)}`, tls.cert);
      expect(login.status).toBe(303);
      const cookie = String(login.headers['set-cookie']);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/HttpOnly/);

      // The API, the events socket and a terminal over WSS.
      const list = await httpsRequest('GET', new URL('api/cli-sessions', bridge.url).href, tls.cert, { authorization: `Bearer ${bridge.token}` });
      expect(list.status).toBe(200);
      const created = await new Promise<any>((resolve, reject) => {
        const ws = new WebSocket(`${bridge.url.replace(/^https/, 'wss')}ws/events`, { ca: tls.cert, headers: { authorization: `Bearer ${bridge.token}` } });
        ws.once('open', () => {
          ws.close();
          resolve(true);
        });
        ws.once('error', reject);
      });
      expect(created).toBe(true);
      const made = await httpsRequest('POST', new URL('api/cli-sessions', bridge.url).href, tls.cert, { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' }, JSON.stringify({ name: 'over-tls', shell: 'bash --norc --noprofile -i', workingDir: tmux.dir, tool: 'bash' }));
      expect(made.status).toBe(201);
      const key = JSON.parse(made.body).sessionKey as string;
      const client = new TerminalClient(bridge.url, bridge.token, key, { ca: tls.cert });
      await client.ready();
      client.send('echo tls-$((20+3))\r');
      await client.waitForText('tls-23');
      await client.close();
    } finally {
      await bridge.close();
      rmSync(tls.dir, { recursive: true, force: true });
    }
  });
});

describe('behind a reverse proxy: --base-path and --trust-proxy', () => {
  it('answers only under the base path, for pages, login, API and WebSockets', async () => {
    const bridge = await startTestBridge(tmux, { basePath: '/tmux/', trustProxy: true });
    try {
      expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tmux\/$/);
      const origin = new URL(bridge.url).origin;

      const page = await fetch(bridge.url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<meta name="tb-base-path" content="/tmux" />');
      expect(html).toContain('src="/tmux/app.js"');
      expect(html).not.toMatch(/(href|src)="\/(?!tmux\/)/);
      expect((await fetch(`${origin}/tmux/app.js`)).status).toBe(200);
      expect((await fetch(`${origin}/tmux/sessions`)).status).toBe(200);

      const root = await fetch(`${origin}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/tmux/');
      expect((await fetch(`${origin}/api/cli-sessions`, { headers: { authorization: `Bearer ${bridge.token}` } })).status).toBe(404);
      expect((await bridge.api.get('/api/cli-sessions', SessionList)).status).toBe(200);

      // Login through a TLS proxy: cookie scoped to the base path and Secure, redirect to the app.
      const login = await fetch(`${origin}/tmux/login?token=${encodeURIComponent(bridge.token)}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/tmux/');
      const cookie = login.headers.get('set-cookie')!;
      expect(cookie).toMatch(/Path=\/tmux/);
      expect(cookie).toMatch(/Secure/);
      const plain = await fetch(`${origin}/tmux/login?token=${encodeURIComponent(bridge.token)}`, { redirect: 'manual' });
      expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);

      // A cookie-authenticated change from the proxy's public origin is allowed; another origin is not.
      const session = cookie.split(';')[0]!;
      const body = JSON.stringify({ name: 'via-proxy', shell: 'bash --norc --noprofile -i', workingDir: tmux.dir, tool: 'bash' });
      const headers = { cookie: session, 'content-type': 'application/json', 'x-forwarded-host': 'bridge.example.org', 'x-forwarded-proto': 'https' };
      const ok = await fetch(`${origin}/tmux/api/cli-sessions`, { method: 'POST', body, headers: { ...headers, origin: 'https://bridge.example.org' } });
      expect(ok.status).toBe(201);
      const evil = await fetch(`${origin}/tmux/api/cli-sessions`, { method: 'POST', body, headers: { ...headers, origin: 'https://evil.example.org' } });
      expect(evil.status).toBe(403);

      // WebSockets live below the base path too.
      const key = await newSession(bridge, 'under-base');
      const client = new TerminalClient(bridge.url, bridge.token, key);
      await client.ready();
      client.send('echo base-$((40+2))\r');
      await client.waitForText('base-42');
      await client.close();
      const outside = new TerminalClient(`${origin}/`, bridge.token, key);
      expect(await outside.refusedStatus()).toBe(404);
    } finally {
      await bridge.close();
    }
  });
});
