/**
 * Revocation by token rotation (a new token ends every login made with the old one)
 * and the Host check (`--allowed-hosts`, `--public-url` behind `--trust-proxy`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../server/bridge.ts';
import type { BridgeOptionsInput } from '../../server/options.ts';
import { rawRequest, rawUpgrade } from '../helpers/raw-http.ts';
import { TestTmux } from '../helpers/tmux.ts';

let tmux: TestTmux;
const dirs: string[] = [];

beforeAll(() => {
  tmux = new TestTmux();
});

afterAll(async () => {
  await tmux?.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  dirs.push(dir);
  return dir;
}

async function withBridge<T>(options: Partial<BridgeOptionsInput>, run: (bridge: Bridge) => Promise<T>): Promise<T> {
  const bridge = await startBridge({ port: 0, socket: tmux.socketName, tmuxConfig: tmux.configFile, pollIntervalMs: 200, ...options, dataDir: options.dataDir ?? dataDir() }, { log: () => undefined });
  try {
    return await run(bridge);
  } finally {
    await bridge.close();
  }
}

async function login(bridge: Bridge): Promise<string> {
  const res = await rawRequest(bridge.url, 'GET', `/login?token=${encodeURIComponent(bridge.token)}`, {});
  expect(res.status).toBe(303);
  const cookie = [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!).find((c) => c.startsWith('tb_'));
  expect(cookie).toBeDefined();
  return cookie!;
}

const list = (bridge: Bridge, headers: Record<string, string>) => rawRequest(bridge.url, 'GET', '/api/cli-sessions', headers).then((r) => r.status);

describe('revocation by token rotation', () => {
  it('a login survives a restart with the same token and ends when the token changes', async () => {
    const dir = dataDir();
    const oldToken = 'old-token-0123456789abcdef';
    const newToken = 'new-token-0123456789abcdef';
    const cookie = await withBridge({ dataDir: dir, token: oldToken }, async (bridge) => {
      const c = await login(bridge);
      expect(await list(bridge, { cookie: c })).toBe(200);
      return c;
    });
    await withBridge({ dataDir: dir, token: oldToken }, async (bridge) => {
      expect(await list(bridge, { cookie })).toBe(200);
    });
    await withBridge({ dataDir: dir, token: newToken }, async (bridge) => {
      expect(await list(bridge, { cookie })).toBe(401);
      expect((await rawUpgrade(bridge.url, '/ws/events', { cookie })).status).toBe(401);
      expect(await list(bridge, { authorization: `Bearer ${oldToken}` })).toBe(401);
      expect(await list(bridge, { authorization: `Bearer ${newToken}` })).toBe(200);
      // Going back to the old token does not bring the old logins back: they were deleted.
    });
    await withBridge({ dataDir: dir, token: oldToken }, async (bridge) => {
      expect(await list(bridge, { cookie })).toBe(401);
    });
  });
});

describe('Host check', () => {
  it('--allowed-hosts serves the names given (any case) on HTTP and WebSocket, and nothing else', async () => {
    await withBridge({ allowedHosts: ['bridge.example'] }, async (bridge) => {
      const auth = { authorization: `Bearer ${bridge.token}` };
      for (const host of [`bridge.example:${bridge.port}`, 'BRIDGE.example', `127.0.0.1:${bridge.port}`]) {
        expect(await list(bridge, { ...auth, host }), host).toBe(200);
      }
      const refused = await rawRequest(bridge.url, 'GET', '/api/cli-sessions', { ...auth, host: `evil.example:${bridge.port}` });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatch(/forbidden_host/);
      expect((await rawUpgrade(bridge.url, `/ws/events?token=${bridge.token}`, { host: `bridge.example:${bridge.port}` })).status).toBe(101);
      expect((await rawUpgrade(bridge.url, `/ws/events?token=${bridge.token}`, { host: `evil.example:${bridge.port}` })).status).toBe(403);
    });
  });

  it('behind --trust-proxy the --public-url name is served and a rebound name is still refused', async () => {
    await withBridge({ trustProxy: true, publicUrl: 'https://bridge.example.org/tmux/' }, async (bridge) => {
      const auth = { authorization: `Bearer ${bridge.token}` };
      const url = (path: string) => `/tmux${path}`;
      expect((await rawRequest(bridge.url, 'GET', url('/api/cli-sessions'), { ...auth, host: 'bridge.example.org' })).status).toBe(200);
      // A page on a rebound name talks to the loopback port directly, around the proxy.
      expect((await rawRequest(bridge.url, 'GET', url('/api/cli-sessions'), { ...auth, host: `attacker.example:${bridge.port}` })).status).toBe(403);
    });
  });

  it('behind --trust-proxy with no name given, the proxy decides (the check is skipped)', async () => {
    await withBridge({ trustProxy: true }, async (bridge) => {
      expect(await list(bridge, { authorization: `Bearer ${bridge.token}`, host: 'whatever.example' })).toBe(200);
    });
  });
});

describe('a wrong login link', () => {
  it('says so in the browser’s language, and after 30 tries says to wait', async () => {
    await withBridge({}, async (bridge) => {
      const wrong = (language?: string) => rawRequest(bridge.url, 'GET', '/login?token=wrong', language ? { 'accept-language': language } : {});
      const english = await wrong();
      expect(english.status).toBe(401);
      expect(english.body).toContain('<html lang="en">');
      expect(english.body).toContain('That login link is not valid. Use the URL the server printed when it started.');
      const chinese = await wrong('zh-CN,zh;q=0.9,en;q=0.8');
      expect(chinese.status).toBe(401);
      expect(chinese.body).toContain('<html lang="zh-CN">');
      expect(chinese.body).toContain('这个登录链接无效');
      expect(chinese.body).toContain('<meta charset="utf-8">');
      let last = chinese;
      for (let i = 0; i < 30 && last.status !== 429; i++) last = await wrong('zh');
      expect(last.status).toBe(429);
      expect(last.body).toContain('错误登录链接过多');
      expect((await wrong('en-US')).body).toContain('Too many wrong login links from this address.');
    });
  });
});
