/**
 * Input that passes for valid at first sight, sent to a real bridge on a real
 * tmux server: it must be refused with a 400 naming the field (or 415), never
 * reach tmux as flags or syntax, and never be a 500.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestBridge, useTestBridge } from '../helpers/bridge.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, AuditList, CliSession, Ok, SessionList } from '../../schemas/index.ts';

const ctx = useTestBridge();
const SHELL = 'bash --norc --noprofile -i';

async function create(name: string, extra: Record<string, unknown> = {}) {
  const res = await ctx.bridge.api.post('/api/cli-sessions', { name, shell: SHELL, workingDir: ctx.tmux.dir, ...extra }, CliSession);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The shell reads input: a command typed through the API has run. */
async function ready(s: { sessionKey: string; tmux: { paneId: string } }): Promise<void> {
  await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: 'echo $((20+22))-ready' }, Ok);
  await waitFor(async () => (await ctx.tmux.capture(s.tmux.paneId)).includes('42-ready'), 'the shell to answer');
}

describe('key names never become tmux flags', () => {
  it('refuses keys that are flags or unknown names with a 400 naming the key, and types nothing', async () => {
    const victim = await create('keys-victim');
    const attacker = await create('keys-attacker');
    await ready(victim);
    for (const keys of [
      ['-t', victim.tmux.paneId, 'e', 'c', 'h', 'o', 'Space', 'P', 'W', 'N', 'E', 'D', 'Enter'],
      ['-X'],
      ['-N', '99999', 'a'],
      ['NotAKey'],
      ['Enter', 'C-'],
    ]) {
      const res = await ctx.bridge.api.post(`/api/cli-sessions/${attacker.sessionKey}/keys`, { keys }, ApiErrorBody);
      expect(res.status, JSON.stringify(keys)).toBe(400);
      expect(res.body.error.message).toMatch(/keys\.\d+/);
    }
    // Nothing reached either pane; the audit log records nothing for the refused calls.
    expect(await ctx.tmux.capture(victim.tmux.paneId)).not.toContain('PWNED');
    const audit = await ctx.bridge.api.get(`/api/audit?sessionKey=${attacker.sessionKey}`, AuditList);
    expect(audit.body.entries.map((e: any) => e.preview)).toEqual([]);
  });

  it('real key names still work, with modifiers and in any case', async () => {
    const s = await create('keys-ok');
    await ready(s);
    const res = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/keys`, {
      keys: ['e', 'c', 'h', 'o', 'Space', '-', 'Z', 'Space', 'k', 'e', 'y', 's', '-', 'o', 'k', 'Enter'],
    }, Ok);
    expect(res.status).toBe(202);
    await waitFor(async () => (await ctx.tmux.capture(s.tmux.paneId)).includes('-Z keys-ok'), 'the typed command ran');
    for (const keys of [['C-c'], ['c-M-x'], ['F5'], ['BSpace'], ['KPEnter'], ['^C'], ['é'], [';'], ['ENTER']]) {
      expect((await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/keys`, { keys }, Ok)).status, JSON.stringify(keys)).toBe(202);
    }
  });

  it('a program whose first word looks like a flag is the program, not a new-session flag', async () => {
    const res = await ctx.bridge.api.post('/api/cli-sessions', { name: 'dash-shell', shell: '-v', workingDir: ctx.tmux.dir }, CliSession);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe('bad input that used to pass validation', () => {
  it('a line break in shell, env, workingDir or envWrapper is a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ shell: 'bash\nrm -rf /' }, /shell/],
      [{ env: { FOO: 'a\nb' } }, /env\.FOO/],
      [{ env: { FOO: 'a\rb' } }, /env\.FOO/],
      [{ workingDir: `${ctx.tmux.dir}\n` }, /workingDir/],
      [{ envWrapper: 'direnv exec .\nx' }, /envWrapper/],
      [{ shell: 'bash\u0000' }, /shell/],
    ];
    for (const [extra, field] of cases) {
      const res = await ctx.bridge.api.post('/api/cli-sessions', { name: 'bad-line', ...extra }, ApiErrorBody);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.body.error.message).toMatch(field);
    }
    expect((await ctx.bridge.api.get('/api/cli-sessions', SessionList)).body.sessions.some((s: any) => s.name === 'bad-line')).toBe(false);
  });

  it('a JSON body without content-type application/json is a 415 and creates nothing', async () => {
    const before = (await ctx.bridge.api.get('/api/cli-sessions', SessionList)).body.sessions.length;
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await fetch(new URL('api/cli-sessions', ctx.bridge.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.bridge.token}`, 'content-type': contentType },
        body: JSON.stringify({ name: 'not-json' }),
      });
      expect(res.status).toBe(415);
      expect((await res.json()).error.code).toBe('unsupported_media_type');
    }
    expect((await ctx.bridge.api.get('/api/cli-sessions', SessionList)).body.sessions.length).toBe(before);
    // A POST without a body at all is still fine where no body is needed.
    const s = await create('no-body-close');
    const closed = await fetch(new URL(`api/cli-sessions/${s.sessionKey}/close`, ctx.bridge.url), { method: 'POST', headers: { authorization: `Bearer ${ctx.bridge.token}` } });
    expect(closed.status).toBe(200);
  });
});

describe('names and activity', () => {
  it('names are trimmed; names that differ only in white space are refused', async () => {
    const s = await create('  spaced name  ');
    expect(s.name).toBe('spaced name');
    for (const name of ['spaced name', 'spaced name ', 'spaced  name']) {
      const res = await ctx.bridge.api.post('/api/cli-sessions', { name, shell: SHELL }, ApiErrorBody);
      expect(res.status, name).toBe(409);
      expect(res.body.error.code).toBe('name_taken');
    }
  });

  it("a closed session's lastActivityAt survives a restart and is its last activity, not its close", async () => {
    const tmux = new TestTmux();
    const dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
    let bridge = await startTestBridge(tmux, { dataDir });
    try {
      const make = async (name: string) => (await bridge.api.post('/api/cli-sessions', { name, shell: SHELL, workingDir: tmux.dir }, CliSession)).body;
      const closing = await make('activity-closed');
      const vanishing = await make('activity-vanished');
      for (const s of [closing, vanishing]) {
        await bridge.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: 'echo active' }, Ok);
        await waitFor(async () => (await tmux.capture(s.tmux.paneId)).includes('active\n'), 'the echo');
      }
      const activity = async (key: string) => Date.parse((await bridge.api.get(`/api/cli-sessions/${key}`, CliSession)).body.lastActivityAt);
      // The shell's prompt after the echo may still be on its way through the pipe: the
      // last activity is the one that no longer moves.
      const settled = (key: string) =>
        waitFor(async () => {
          const first = await activity(key);
          await new Promise((resolve) => setTimeout(resolve, 500));
          return (await activity(key)) === first ? first : undefined;
        }, 'the last activity to settle', 20_000, 0);
      const lastClosing = await settled(closing.sessionKey);
      const lastVanishing = await settled(vanishing.sessionKey);
      // Let time pass, so "now" and the last activity are told apart.
      await waitFor(() => Date.now() > Math.max(lastClosing, lastVanishing) + 2000, 'two seconds to pass', 10_000, 100);
      const closed = (await bridge.api.post(`/api/cli-sessions/${closing.sessionKey}/close`, undefined, CliSession)).body;
      expect(Date.parse(closed.lastActivityAt)).toBe(lastClosing);

      await bridge.bridge.close();
      // The second session ends while the bridge is away.
      await tmux.tmux('kill-session', '-t', '=activity-vanished');
      bridge = await startTestBridge(tmux, { dataDir });
      const afterClosed = (await bridge.api.get(`/api/cli-sessions/${closing.sessionKey}`, CliSession)).body;
      expect(afterClosed.status).toBe('closed');
      expect(Date.parse(afterClosed.lastActivityAt)).toBe(lastClosing);
      const afterVanished = (await bridge.api.get(`/api/cli-sessions/${vanishing.sessionKey}`, CliSession)).body;
      expect(afterVanished.status).toBe('closed');
      expect(Date.parse(afterVanished.lastActivityAt)).toBe(lastVanishing);
    } finally {
      await bridge.close();
      await tmux.kill();
    }
  });
});
