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

describe('login sessions', () => {
  it('the cookie is a random session id, not the token; logout and revoke-all end sessions', async () => {
    const first = await loginCookie();
    const second = await loginCookie();
    expect(first).not.toContain(ctx.server.token);
    expect(first).not.toBe(second);
    for (const cookie of [first, second]) expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { cookie })).status).toBe(200);
    // The token itself in the cookie is no login.
    expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { cookie: `tb_session=${ctx.server.token}` })).status).toBe(401);

    const out = await rawRequest(ctx.server.url, 'POST', '/logout', { cookie: first });
    expect(out.status).toBe(200);
    expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { cookie: first })).status).toBe(401);
    expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { cookie: second })).status).toBe(200);

    const third = await loginCookie();
    const revoked = await rawRequest(ctx.server.url, 'POST', '/api/auth/revoke-sessions', { authorization: `Bearer ${ctx.server.token}` });
    expect(revoked.status).toBe(200);
    expect(JSON.parse(revoked.body).revoked).toBeGreaterThanOrEqual(2);
    for (const cookie of [second, third]) expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { cookie })).status).toBe(401);
  });

  it('accepts the bearer scheme in any letter case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { authorization: `${scheme} ${ctx.server.token}` })).status, scheme).toBe(200);
    }
  });
});

describe('DNS rebinding', () => {
  it('refuses a foreign Host header on HTTP and WebSocket; loopback names pass', async () => {
    const port = new URL(ctx.server.url).port;
    const auth = { authorization: `Bearer ${ctx.server.token}` };
    for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`]) {
      const res = await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { ...auth, host });
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body).error.code).toBe('forbidden_host');
      expect((await rawRequest(ctx.server.url, 'GET', '/', { host })).status).toBe(403);
      expect((await rawUpgrade(ctx.server.url, `/ws/events?token=${encodeURIComponent(ctx.server.token)}`, { host })).status).toBe(403);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { ...auth, host })).status, host).toBe(200);
    }
  });
});

describe('rate limit', () => {
  it('anonymous requests and wrong tokens never lock out a valid token', async () => {
    for (let i = 0; i < 40; i++) expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', {})).status).toBe(401);
    expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { authorization: `Bearer ${ctx.server.token}` })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { authorization: 'Bearer wrong-token-guess-123' })).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Retry-After says how long is left of the minute (the UI waits that long, then retries).
    const limited = await fetch(new URL('api/cli-sessions', ctx.server.url), { headers: { authorization: 'Bearer wrong-token-guess-123' } });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Guessing is slowed down; the user with the real token is not.
    expect((await rawRequest(ctx.server.url, 'GET', '/api/cli-sessions', { authorization: `Bearer ${ctx.server.token}` })).status).toBe(200);
    expect((await rawUpgrade(ctx.server.url, `/ws/events?token=${encodeURIComponent(ctx.server.token)}`, {})).status).toBe(101);
  });
});
