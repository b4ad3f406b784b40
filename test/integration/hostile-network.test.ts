/**
 * Requests a hostile local page or an unlucky neighbour could send, against a
 * bridge running as its own process: nothing may take it down or lock the user out.
 */
import { describe, expect, it } from 'vitest';
import { useBridgeProcess } from '../helpers/bridge.ts';
import { rawRequest, rawUpgrade } from '../helpers/raw-http.ts';

const ctx = useBridgeProcess();

async function loginCookie(): Promise<string> {
  const res = await rawRequest(ctx.server.url, 'GET', `/login?token=${encodeURIComponent(ctx.server.token)}`, {});
  expect(res.status).toBe(303);
  const setCookie = [res.headers['set-cookie'] ?? []].flat();
  const cookie = setCookie.map((c) => c.split(';')[0]!).find((c) => c.startsWith('tb_'));
  expect(cookie).toBeDefined();
  return cookie!;
}

async function alive(): Promise<void> {
  const health = await fetch(new URL('healthz', ctx.server.url));
  expect(health.status).toBe(200);
  expect(ctx.server.pid).toBeDefined();
}

describe('malformed cookies', () => {
  const BAD = ['foo=%E0%A4%A', 'other=50%; x=%', 'a=%zz'];

  it('a WebSocket upgrade with a malformed cookie is refused and the server keeps serving', async () => {
    for (const cookie of BAD) {
      for (const path of ['/ws/events', '/ws/terminal/s_nothing']) {
        const res = await rawUpgrade(ctx.server.url, path, { cookie });
        expect(res.status).toBe(401);
        await alive();
      }
    }
  });

  it('over HTTP a malformed cookie is a 401, never a 500, and a valid login cookie beside it still works', async () => {
    for (const cookie of BAD) {
      const res = await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { cookie });
      expect(res.status).toBe(401);
      expect(res.body).not.toMatch(/URIError|at .*\.ts/);
    }
    const login = await loginCookie();
    const res = await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { cookie: `foo=%E0%A4%A; ${login}; bar=%` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).sessions).toBeInstanceOf(Array);
    const ws = await rawUpgrade(ctx.server.url, '/ws/events', { cookie: `foo=%E0%A4%A; ${login}` });
    expect(ws.status).toBe(101);
    await alive();
  });
});
