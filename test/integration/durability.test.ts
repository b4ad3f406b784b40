import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { BridgeProcess, useBridgeProcess } from '../helpers/bridge.ts';
import { AuditList, CliSession, EventPage, Ok, SessionList } from '../../schemas/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ctx = useBridgeProcess();

/** Runs `tmux-bridge <args>` and returns its exit code and output. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('nothing acknowledged is lost', () => {
  it('every acknowledged API write survives kill -9 in the middle of a burst', async () => {
    const { server } = ctx;
    const { body: s } = await server.api.post('/api/cli-sessions', { name: 'durable', shell: 'cat > /dev/null', resumeKey: 'resume-durable', model: 'm1', issueId: 'ISSUE-7' }, CliSession);
    // 1,000 acknowledged writes: each send is answered 202 only once its audit row is on disk.
    for (let i = 0; i < 1000; i += 20) {
      const batch = Array.from({ length: 20 }, (_, j) => server.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: `ack-${i + j}` }, Ok));
      for (const r of await Promise.all(batch)) expect(r.status).toBe(202);
    }
    // A further burst, killed in the middle.
    const acknowledged: number[] = [];
    let next = 1000;
    const sender = async () => {
      for (;;) {
        const id = next++;
        try {
          const r = await server.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: `ack-${id}` }, Ok);
          if (r.status === 202) acknowledged.push(id);
        } catch {
          return; // the server is gone
        }
      }
    };
    const senders = Array.from({ length: 8 }, sender);
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 5));
    await server.kill9();
    await Promise.all(senders);

    await server.start();
    const seen = new Set<string>();
    let before: number | undefined;
    for (;;) {
      const { body } = await server.api.get(`/api/audit?sessionKey=${s.sessionKey}&limit=1000${before ? `&before=${before}` : ''}`, AuditList);
      for (const e of body.entries) seen.add(e.preview);
      if (body.entries.length < 1000) break;
      before = body.entries[body.entries.length - 1]!.id;
    }
    for (let i = 0; i < 1000; i++) expect(seen.has(`ack-${i}\\r`)).toBe(true);
    const lost = acknowledged.filter((id) => !seen.has(`ack-${id}\\r`));
    expect(lost).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    // Session metadata survives too and is joined to the pane found in tmux.
    const { body: again } = await server.api.get(`/api/cli-sessions/${s.sessionKey}`, CliSession);
    expect(again).toMatchObject({ status: 'running', resumeKey: 'resume-durable', model: 'm1', issueId: 'ISSUE-7', tmux: { paneId: s.tmux.paneId } });
  }, 120_000);

  it('events keep their ids across restarts', async () => {
    const { server } = ctx;
    const { body: s } = await server.api.post('/api/cli-sessions', { name: 'ev-durable' }, CliSession);
    const { body: before } = await server.api.get('/api/events?limit=1000', EventPage);
    const created = before.events.find((e: any) => e.type === 'CLI_SESSION_CREATED' && e.sessionKey === s.sessionKey)!;
    expect(created).toBeDefined();
    await server.stop();
    await server.start();
    const { body: after } = await server.api.get(`/api/events?since=${created.id! - 1}&limit=1`, EventPage);
    expect(after.events[0]).toMatchObject({ id: created.id, type: 'CLI_SESSION_CREATED', sessionKey: s.sessionKey });
  });

  it('a second server on the same data directory exits non-zero and says who holds it', async () => {
    const second = await cli(['--port', '0', '--data-dir', ctx.dataDir, '--socket', ctx.tmux.socketName, '--tmux-config', '/dev/null']);
    expect(second.code).not.toBe(0);
    expect(second.output).toMatch(new RegExp(`pid ${ctx.server.pid}`));
    expect(second.output).toMatch(/data directory/);
  });

  it('starts after a torn last journal record; refuses a corrupted snapshot, names it and leaves it untouched', async () => {
    const { server, dataDir } = ctx;
    await server.api.post('/api/cli-sessions', { name: 'before-tear' }, CliSession);
    await server.kill9();
    const journalDir = join(dataDir, 'journal');
    const segments = readdirSync(journalDir).filter((f) => f.endsWith('.jnl')).sort();
    const last = join(journalDir, segments[segments.length - 1]!);
    // A record whose tail never reached the disk.
    writeFileSync(last, Buffer.concat([readFileSync(last), Buffer.from([0x54, 0x42, 0x4a, 0x31, 0xff, 0x00])]));
    await server.start();
    const { body } = await server.api.get('/api/cli-sessions', SessionList);
    expect(body.sessions.some((x: any) => x.name === 'before-tear')).toBe(true);

    await server.stop(); // a clean stop writes the snapshot
    const snapshot = join(dataDir, 'state.sqlite');
    const size = statSync(snapshot).size;
    truncateSync(snapshot, Math.floor(size / 2));
    const hash = sha(snapshot);
    const broken = new BridgeProcess(ctx.tmux, dataDir);
    await expect(broken.start()).rejects.toThrow(/state\.sqlite/);
    expect(sha(snapshot)).toBe(hash);
    expect(statSync(snapshot).size).toBe(Math.floor(size / 2));
  });

  it('imports a tmuxagent state.db with the CLI', async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run(`CREATE TABLE pane_offsets (host TEXT NOT NULL, pane_id TEXT NOT NULL, offset INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (host, pane_id));
      CREATE TABLE stage_state (host TEXT NOT NULL, pane_id TEXT NOT NULL, pipeline TEXT NOT NULL, stage TEXT NOT NULL, status TEXT NOT NULL, retries INTEGER NOT NULL DEFAULT 0, data TEXT, updated_at INTEGER NOT NULL, PRIMARY KEY (host, pane_id, pipeline, stage));
      CREATE TABLE approval_tokens (host TEXT NOT NULL, pane_id TEXT NOT NULL, stage TEXT NOT NULL, token TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (host, pane_id, stage));`);
    db.run(`INSERT INTO pane_offsets VALUES ('nas', '%3', 1234, 1700000000), ('local', '%1', 99, 1700000001)`);
    db.run(`INSERT INTO stage_state VALUES ('nas', '%3', 'ci', 'lint', 'COMPLETED', 0, '{}', 1700000000)`);
    db.run(`INSERT INTO approval_tokens VALUES ('nas', '%3', 'build', 'tok123', 1900000000)`);
    const dir = join(ctx.tmux.dir, 'tmuxagent');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'state.db');
    writeFileSync(file, db.export());
    const dataDir = join(ctx.tmux.dir, 'import-data');
    const result = await cli(['import-tmuxagent', file, '--data-dir', dataDir]);
    expect(result.output).toMatch(/2 pane offsets, 1 stage states, 1 approval tokens/);
    expect(result.code).toBe(0);
  });
});
