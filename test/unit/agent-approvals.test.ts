import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApprovalService,
  MemoryApprovalPersistence,
  approvalDirProblem,
  approvalFilePath,
  approvalNotice,
  parseApprovalText,
  readApprovalFile,
  signApprovalToken,
  tokenDigest,
  verifyApprovalToken,
  type ApprovalDecided,
} from '../../server/agent/approvals/index.ts';
import { nextEvent } from '../../base/emitter.ts';

const SECRET = 'test-secret-0123456789';
const claims = { id: 'ap_1', host: 'local', pane: '%3', pipeline: 'ci', stage: 'build', expires: 2_000_000_000 };

describe('approval tokens', () => {
  it('signs and verifies, base64url only', () => {
    const token = signApprovalToken(SECRET, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyApprovalToken(SECRET, token, 1_000_000_000_000)).toEqual({ ok: true, claims });
  });

  it('calls a token forged when the signature, the payload or the secret differ, or it is malformed', () => {
    const token = signApprovalToken(SECRET, claims);
    const [payload, sig] = token.split('.') as [string, string];
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, stage: 'deploy' })).toString('base64url');
    const flipped = `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [`${otherPayload}.${sig}`, `${payload}.${flipped}`, `${payload}.`, 'nonsense', '', `${token}.x`]) {
      expect(verifyApprovalToken(SECRET, bad, 0)).toEqual({ ok: false, reason: 'forged' });
    }
    expect(verifyApprovalToken('another-secret', token, 0)).toEqual({ ok: false, reason: 'forged' });
  });

  it('calls a correctly signed token expired after its time', () => {
    const token = signApprovalToken(SECRET, { ...claims, expires: 100 });
    expect(verifyApprovalToken(SECRET, token, 99_000).ok).toBe(true);
    expect(verifyApprovalToken(SECRET, token, 100_000)).toMatchObject({ ok: false, reason: 'expired' });
  });
});

describe('approval request files', () => {
  it('uses tmuxagent paths: <dir>/<host>/<pane with % as pct>__<stage>.txt', () => {
    expect(approvalFilePath('/a', 'local', '%3', 'build')).toBe('/a/local/pct3__build.txt');
    expect(approvalFilePath('/a', 'h/../x', '%12', 'de/ploy')).toBe('/a/h_.._x/pct12__de_ploy.txt');
  });

  it('reads the first word outside comments, in any case', () => {
    expect(parseApprovalText('# header\nPENDING\n')).toBe('pending');
    for (const word of ['approve', 'APPROVED', 'Yes', 'approve.']) expect(parseApprovalText(`# x\n\n  ${word}\n`)).toBe('approve');
    for (const word of ['reject', 'Rejected', 'NO']) expect(parseApprovalText(`${word} because\n`)).toBe('reject');
    expect(parseApprovalText('# approve\nmaybe\napprove\n')).toBe('pending');
    expect(parseApprovalText('')).toBe('pending');
  });
});

describe('ApprovalService', () => {
  let dir: string;
  let persistence: MemoryApprovalPersistence;
  let service: ApprovalService;
  let now: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tb-approvals-'));
    persistence = new MemoryApprovalPersistence();
    now = Date.UTC(2025, 0, 1);
    service = new ApprovalService({
      persistence,
      secret: SECRET,
      approvalDir: dir,
      baseUrl: 'http://127.0.0.1:7690/',
      pollMs: 0,
      clock: () => now,
    });
  });

  afterEach(() => {
    service.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const key = { host: 'local', paneId: '%3', pipeline: 'ci', stage: 'build' };
  const ask = () => service.request({ ...key, kind: 'require_approval', prompt: null });

  it('writes the request file with a header and PENDING, and gives signed links', async () => {
    const { approval, links, created } = await ask();
    expect(created).toBe(true);
    expect(approval.file).toBe(join(dir, 'local', 'pct3__build.txt'));
    const text = readFileSync(approval.file, 'utf8');
    expect(text).toMatch(/^# tmux-bridge approval request\n/);
    expect(text).toMatch(/\nPENDING\n$/);
    expect(await readApprovalFile(approval.file)).toBe('pending');
    expect(links.approve).toBe(`http://127.0.0.1:7690/a/${links.token}/approve`);
    expect(links.reject).toBe(`http://127.0.0.1:7690/a/${links.token}/reject`);
    expect(approval.expiresAt).toBe(new Date(now + 24 * 3600 * 1000).toISOString());
    // Asking again while pending returns the same approval.
    expect((await ask()).approval.id).toBe(approval.id);
    const notice = approvalNotice(approval, links, 'Approval required: ci/build', 'waiting');
    expect(notice.body).toContain(approval.file);
    expect(notice.body).toContain(links.approve!);
  });

  it('decides from the file: "approve" written by a human, file removed, onDecided fired once', async () => {
    const { approval } = await ask();
    const decided = nextEvent<ApprovalDecided>(service.onDecided);
    writeFileSync(approval.file, '# my note\nApproved\n');
    await service.checkFiles();
    const event = await decided;
    expect(event.decision).toBe('approve');
    expect(event.approval).toMatchObject({ status: 'approved', decidedVia: 'file' });
    expect(existsSync(approval.file)).toBe(false);
    expect(await service.pending()).toEqual([]);
  });

  it('notices a file decision through the directory watch, without an explicit check', async () => {
    const { approval } = await ask();
    const decided = nextEvent<ApprovalDecided>(service.onDecided);
    writeFileSync(approval.file, 'no\n');
    expect((await decided).decision).toBe('reject');
  });

  it('decides through the web API once; a second decision is refused', async () => {
    const { approval } = await ask();
    const first = await service.decide(approval.id, 'reject', { via: 'web', by: 'alice', note: 'not today' });
    expect(first).toMatchObject({ ok: true, decision: 'reject', approval: { status: 'rejected', decidedBy: 'alice', note: 'not today' } });
    expect(existsSync(approval.file)).toBe(false);
    expect(await service.decide(approval.id, 'approve', { via: 'web' })).toMatchObject({ ok: false, code: 'not_pending' });
    expect(await service.decide('ap_missing', 'approve', { via: 'web' })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('decides through a signed link once; forged and expired links decide nothing', async () => {
    const { approval, links } = await ask();
    expect(await service.lookupToken(links.token)).toMatchObject({ ok: true, approval: { id: approval.id } });
    expect(await service.decideByToken(`${links.token}x`, 'approve')).toMatchObject({ ok: false, code: 'forged' });

    const decided = await service.decideByToken(links.token, 'approve', { by: 'link user' });
    expect(decided).toMatchObject({ ok: true, approval: { status: 'approved', decidedVia: 'link' } });
    expect(await service.decideByToken(links.token, 'reject')).toMatchObject({ ok: false, code: 'used' });
    expect(await service.lookupToken(links.token)).toMatchObject({ ok: false, code: 'used' });

    const second = await service.request({ ...key, stage: 'deploy', kind: 'ask_human', prompt: 'keeps failing' });
    now += 25 * 3600 * 1000;
    expect(await service.decideByToken(second.links.token, 'approve')).toMatchObject({ ok: false, code: 'expired' });
    expect((await service.pending()).map((a) => a.stage)).toEqual(['deploy']);
    // The file and the API still work after the link expired.
    expect(await service.decide(second.approval.id, 'approve', { via: 'web' })).toMatchObject({ ok: true });
  });

  it('refuses a token whose one-time use was already recorded by the store', async () => {
    const { approval, links } = await ask();
    persistence.useToken(tokenDigest(links.token), approval);
    expect(await service.decideByToken(links.token, 'approve')).toMatchObject({ ok: false, code: 'used' });
  });

  it('cancels a pending approval (stage reset) and removes its file', async () => {
    const { approval } = await ask();
    const cancelled = await service.cancel(key, 'reset by bob');
    expect(cancelled).toMatchObject({ status: 'cancelled', note: 'reset by bob' });
    expect(existsSync(approval.file)).toBe(false);
    expect(await service.cancel(key, 'again')).toBeNull();
  });

  it('keeps a decision written while the server was down, and overwrites stale files for new requests', async () => {
    const { approval } = await ask();
    writeFileSync(approval.file, 'approve\n');
    service.dispose();
    service = new ApprovalService({ persistence, secret: SECRET, approvalDir: dir, pollMs: 0, clock: () => now });
    const decided = nextEvent<ApprovalDecided>(service.onDecided);
    await service.resume();
    await service.checkFiles();
    expect((await decided).approval).toMatchObject({ id: approval.id, status: 'approved' });

    // A leftover "approve" file from before must not decide a new request.
    writeFileSync(approval.file, 'approve\n');
    const next = await ask();
    expect(await readApprovalFile(next.approval.file)).toBe('pending');
  });

  it('still creates the approval when the request file cannot be written, and reports why', async () => {
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, '');
    service.dispose();
    service = new ApprovalService({ persistence, secret: SECRET, approvalDir: blocked, pollMs: 0, clock: () => now });
    const failed = nextEvent<unknown>(service.onError);
    const { approval, created } = await ask();
    expect(created).toBe(true);
    expect(String(await failed)).toMatch(/ENOTDIR|EEXIST|not a directory/);
    expect(await service.decide(approval.id, 'approve', { via: 'web' })).toMatchObject({ ok: true });
  });

  it('resume() rewrites missing request files of pending approvals after a restart', async () => {
    const { approval } = await ask();
    rmSync(approval.file);
    service.dispose();
    service = new ApprovalService({ persistence, secret: SECRET, approvalDir: dir, pollMs: 0, clock: () => now });
    expect(await service.resume()).toBe(1);
    expect(await readApprovalFile(approval.file)).toBe('pending');
    writeFileSync(approval.file, 'yes');
    const decided = nextEvent<ApprovalDecided>(service.onDecided);
    await service.checkFiles();
    expect((await decided).approval.id).toBe(approval.id);
  });
});

describe('approval directory safety and who decided', () => {
  let dir: string;
  let persistence: MemoryApprovalPersistence;
  let service: ApprovalService | undefined;
  const key = { host: 'local', paneId: '%3', pipeline: 'ci', stage: 'build' };
  const isRoot = process.getuid?.() === 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tb-approvals-safe-'));
    persistence = new MemoryApprovalPersistence();
  });

  afterEach(() => {
    service?.dispose();
    service = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (approvalDir: string, files: boolean | (() => boolean) = true) =>
    (service = new ApprovalService({ persistence, secret: SECRET, approvalDir, pollMs: 0, files }));

  it('creates the approval directory and its host directory with mode 0700', async () => {
    const root = join(dir, 'a', 'approvals');
    const { approval } = await start(root).request({ ...key, kind: 'require_approval', prompt: null });
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'local')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(approval.file).mode & 0o777).toBe(0o600);
  });

  it('names what is wrong with a directory others can write to', async () => {
    expect(await approvalDirProblem(join(dir, 'missing'))).toBeNull();
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(await approvalDirProblem(open)).toMatch(/writable by every user \(mode 0777\).*chmod 700/);
    // A world-writable parent without the sticky bit lets anyone swap the directory.
    expect(await approvalDirProblem(join(open, 'inner'))).toMatch(/inside .*open, which every user can write to/);
    // /tmp is world-writable but sticky: fine.
    expect(await approvalDirProblem(join(dir, 'fine'))).toBeNull();
    if (isRoot) {
      const theirs = join(dir, 'theirs');
      mkdirSync(theirs, { mode: 0o700 });
      chownSync(theirs, 4242, 4242);
      expect(await approvalDirProblem(theirs)).toMatch(/belongs to uid 4242/);
      expect(await approvalDirProblem(join(theirs, 'x'))).toMatch(/inside .*theirs, which belongs to uid 4242/);
    }
  });

  it('writes no request file into a world-writable directory, and the web still decides', async () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const failed = nextEvent<unknown>(start(open).onError);
    const { approval } = await service!.request({ ...key, kind: 'require_approval', prompt: null });
    expect(String(await failed)).toMatch(/writable by every user/);
    expect(existsSync(approval.file)).toBe(false);
    expect(await service!.decide(approval.id, 'approve', { via: 'web' })).toMatchObject({ ok: true });
  });

  it('ignores a decision written after the directory became writable by others', async () => {
    const root = join(dir, 'approvals');
    const { approval } = await start(root).request({ ...key, kind: 'require_approval', prompt: null });
    chmodSync(root, 0o777);
    const failed = nextEvent<unknown>(service!.onError);
    writeFileSync(approval.file, 'approve\n');
    await service!.checkFiles();
    expect(String(await failed)).toMatch(/decision written into .* was ignored/);
    expect((await service!.pending()).map((a) => a.id)).toEqual([approval.id]);
  });

  it('records the uid owning the file that decided', async () => {
    const { approval } = await start(join(dir, 'approvals')).request({ ...key, kind: 'require_approval', prompt: null });
    const decided = nextEvent<ApprovalDecided>(service!.onDecided);
    writeFileSync(approval.file, 'approve\n');
    // Root can play another user writing the file; anyone else records themselves.
    const writer = isRoot ? 4242 : process.getuid!();
    if (isRoot) chownSync(approval.file, 4242, 4242);
    await service!.checkFiles();
    const by = (await decided).approval.decidedBy;
    expect(by).toMatch(new RegExp(`^uid ${writer}( \\(.+\\))?$`));
  });

  it('with approvals.file off: no request file, a file written by hand decides nothing, the web decides', async () => {
    let files = true;
    const root = join(dir, 'approvals');
    start(root, () => files);
    const first = await service!.request({ ...key, kind: 'require_approval', prompt: null });
    expect(existsSync(first.approval.file)).toBe(true);
    // Switched off (a config reload): the pending request's file goes away.
    files = false;
    await service!.refreshFiles();
    expect(existsSync(first.approval.file)).toBe(false);
    const second = await service!.request({ ...key, stage: 'deploy', kind: 'require_approval', prompt: null });
    expect(second.approval.file).toBe('');
    expect(approvalNotice(second.approval, second.links, 't', 'b').body).not.toMatch(/File:/);
    // Someone writes the old path by hand: nothing reads it.
    mkdirSync(join(root, 'local'), { recursive: true });
    writeFileSync(first.approval.file, 'approve\n');
    await service!.checkFiles();
    expect((await service!.pending()).map((a) => a.stage).sort()).toEqual(['build', 'deploy']);
    expect(await service!.decide(second.approval.id, 'approve', { via: 'web', by: 'alice' })).toMatchObject({ ok: true });
  });
});

