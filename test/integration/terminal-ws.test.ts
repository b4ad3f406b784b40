import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Terminal } from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { useTestBridge } from '../helpers/bridge.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { waitFor } from '../helpers/tmux.ts';
import { AuditList, CliSession, Ok } from '../../schemas/index.ts';

const ctx = useTestBridge();

const BASH = 'bash --norc --noprofile -i';

async function newShell(name: string, extra: Record<string, unknown> = {}): Promise<{ key: string; paneId: string }> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, shell: BASH, workingDir: ctx.tmux.dir, ...extra }, CliSession);
  expect(status).toBe(201);
  // A prompt the tests can wait for.
  await ctx.bridge.api.post(`/api/cli-sessions/${body.sessionKey}/send`, { text: "PS1='$ '" }, Ok);
  await waitFor(async () => (await ctx.tmux.capture(body.tmux.paneId)).trimEnd().endsWith('$'), 'prompt');
  return { key: body.sessionKey, paneId: body.tmux.paneId };
}

async function connect(key: string, options: ConstructorParameters<typeof TerminalClient>[3] = {}): Promise<TerminalClient> {
  const client = new TerminalClient(ctx.bridge.url, ctx.bridge.token, key, options);
  await client.ready();
  return client;
}

/** Renders snapshot bytes in a headless xterm of the hello's size. */
async function render(client: TerminalClient, scrollback = 10_000): Promise<Terminal> {
  const term = new Terminal({ cols: client.hello!.cols, rows: client.hello!.rows, scrollback, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(client.snapshot, resolve));
  return term;
}

function screenLines(term: Terminal): string[] {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < term.rows; y++) lines.push((buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? '').trimEnd());
  return lines;
}

describe('terminal WebSocket: input and output', () => {
  it('typed bytes reach the pane and output comes back: echo, UTF-8, Ctrl-C, arrow keys', async () => {
    const { key, paneId } = await newShell('ws-io');
    const client = await connect(key);
    expect(client.hello).toMatchObject({ type: 'hello', sessionKey: key, cols: 120, rows: 30, mode: 'control' });
    expect(client.hello!.snapshotBytes).toBeGreaterThan(0);

    client.send('echo hello-$((40+2))\r');
    await client.waitForText('hello-42');

    client.send('echo 你好-🙂-ünï\r');
    await client.waitForText('你好-🙂-ünï\r\n');
    expect(await ctx.tmux.capture(paneId)).toContain('你好-🙂-ünï');

    client.send('sleep 100\r');
    await waitFor(async () => (await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{pane_current_command}')) === 'sleep', 'sleep');
    client.send('\x03');
    await waitFor(async () => (await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{pane_current_command}')) === 'bash', 'Ctrl-C');

    client.send('echo from-history-$((1+1))\r');
    await client.waitForText('from-history-2\r\n');
    const before = client.text.split('from-history-2\r\n').length;
    client.send('\x1b[A'); // Up: the last command again
    await waitFor(async () => (await ctx.tmux.capture(paneId)).trimEnd().endsWith('$ echo from-history-$((1+1))'), 'history recalled');
    client.send('\r');
    await waitFor(() => client.text.split('from-history-2\r\n').length === before + 1, 'recalled command ran');
    await client.close();
  });

  it('a 100 KB paste arrives intact', async () => {
    const { key, paneId } = await newShell('ws-paste');
    const client = await connect(key);
    const file = join(ctx.tmux.dir, 'paste.out');
    // Raw mode: the tty passes every byte through unchanged.
    client.send(`stty raw -echo; head -c 102400 > ${file}; stty sane; echo paste-$((1+1))-done\r`);
    await waitFor(async () => (await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{pane_current_command}')) === 'head', 'head waiting');
    const alphabet = 'abcdefghijklmnopqrstuvwxyz ;\\\'"$#{}~0123456789\t\r\n';
    const payload = Buffer.alloc(102400);
    const random = randomBytes(payload.length);
    for (let i = 0; i < payload.length; i++) payload[i] = alphabet.charCodeAt(random[i]! % alphabet.length);
    Buffer.from('你好🙂').copy(payload, 500);
    client.send(payload);
    await client.waitForText('paste-2-done');
    const written = await readFile(file);
    expect(written.length).toBe(payload.length);
    expect(written.equals(payload)).toBe(true);
    await client.close();
  });

  it('typing is recorded in the audit log with its client', async () => {
    const { key } = await newShell('ws-audit');
    const client = await connect(key);
    client.send('echo audited-');
    client.send('$((5+5))\r');
    await client.waitForText('audited-10');
    const entry = await waitFor(async () => {
      const { body } = await ctx.bridge.api.get(`/api/audit?sessionKey=${key}`, AuditList);
      return (body.entries as any[]).find((e) => e.source === 'ws' && e.preview.includes('echo audited-$((5+5))'));
    }, 'audit entry');
    expect(entry.bytes).toBe('echo audited-$((5+5))\r'.length);
    expect(entry.client).toMatch(/^(::ffff:)?127\.0\.0\.1/);
    await client.close();
  });

  it('mode=view never writes to the pane', async () => {
    const { key, paneId } = await newShell('ws-view');
    const viewer = await connect(key, { mode: 'view' });
    expect(viewer.hello!.mode).toBe('view');
    viewer.send('echo view-must-not-type\r');
    await waitFor(() => viewer.messages.some((m) => m.type === 'error'), 'refusal');
    expect(await ctx.tmux.capture(paneId)).not.toContain('view-must-not-type');
    await viewer.close();
  });
});

describe('terminal WebSocket: screens and resume', () => {
  it('a late viewer gets the exact screen of a pane with 5,000 lines of history', async () => {
    const { key, paneId } = await newShell('ws-late');
    await ctx.bridge.api.post(`/api/cli-sessions/${key}/send`, { text: "seq 1 5000; printf '\\033[31mred\\033[0m plain\\n'" }, Ok);
    await waitFor(async () => (await ctx.tmux.capture(paneId)).includes('red plain'), 'output done');
    const client = await connect(key, { history: 2000 });
    const term = await render(client);
    expect(screenLines(term)).toEqual((await ctx.tmux.capture(paneId)).split('\n'));
    // Scrollback holds the history that was asked for.
    const buffer = term.buffer.active;
    expect(buffer.baseY).toBeGreaterThanOrEqual(2000);
    expect(buffer.getLine(buffer.baseY - 1)?.translateToString(true)).toBe(
      (await ctx.tmux.tmux('capture-pane', '-p', '-t', paneId, '-S', '-1', '-E', '-1')).trimEnd(),
    );
    // Colours survive: "red" is drawn in palette colour 1.
    const y = screenLines(term).findIndex((l) => l.startsWith('red plain'));
    expect(buffer.getLine(buffer.baseY + y)!.getCell(0)!.getFgColor()).toBe(1);
    // Cursor where tmux has it.
    const [cx, cy] = (await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{cursor_x} #{cursor_y}')).split(' ').map(Number);
    expect([buffer.cursorX, buffer.cursorY]).toEqual([cx, cy]);
    await client.close();
  });

  it('a late viewer of a full-screen program in the alternate screen gets that screen', async () => {
    const { key, paneId } = await newShell('ws-alt');
    await ctx.bridge.api.post(`/api/cli-sessions/${key}/send`, { text: 'seq 1 300 > big.txt; seq 1 5000; less big.txt' }, Ok);
    await waitFor(async () => (await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{alternate_on}')) === '1' && (await ctx.tmux.capture(paneId)).includes('big.txt'), 'less running');
    const client = await connect(key);
    const term = await render(client);
    expect(term.buffer.active.type).toBe('alternate');
    expect(screenLines(term)).toEqual((await ctx.tmux.capture(paneId)).split('\n'));
    // The normal screen beneath holds what was there before less started.
    const normal = term.buffer.normal;
    const normalScreen: string[] = [];
    for (let y = 0; y < term.rows; y++) normalScreen.push(normal.getLine(normal.baseY + y)?.translateToString(true) ?? '');
    expect(normalScreen).toEqual((await ctx.tmux.tmux('capture-pane', '-p', '-a', '-t', paneId)).split('\n'));
    // Leaving less restores the normal screen in the viewer too.
    client.send('q');
    await waitFor(async () => (await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{alternate_on}')) === '0', 'less quit');
    await waitFor(() => client.text.includes('\x1b[?1049l'), 'alternate screen left');
    await new Promise<void>((resolve) => term.write(client.streamBytes, resolve));
    expect(term.buffer.active.type).toBe('normal');
    await client.close();
  });

  it('a second viewer sees the same screen as the first', async () => {
    const { key } = await newShell('ws-two');
    const first = await connect(key);
    first.send('printf "one\\ntwo\\n"\r');
    await first.waitForText('two');
    const second = await connect(key);
    const a = await render(first);
    await new Promise<void>((resolve) => a.write(first.streamBytes, resolve));
    const b = await render(second);
    expect(screenLines(b)).toEqual(screenLines(a));
    await first.close();
    await second.close();
  });

  it('reconnecting with since= after 50 KB of output gets exactly the missed bytes', async () => {
    const { key } = await newShell('ws-resume');
    const reference = await connect(key);
    const client = await connect(key);
    client.send('echo before-disconnect\r');
    await client.waitForText('before-disconnect\r\n');
    await waitFor(() => reference.position >= client.position, 'reference caught up');
    const { position, hello } = client;
    const firstRun = client.received.slice();
    await client.close();

    // 50 KB while nobody but the reference is watching.
    await ctx.bridge.api.post(`/api/cli-sessions/${key}/send`, { text: 'head -c 38000 /dev/urandom | base64 -w 100; echo gap-$((2+3))-done' }, Ok);
    await reference.waitForText('gap-5-done\r\n');
    const missedBytes = reference.position - position;
    expect(missedBytes).toBeGreaterThan(50_000);

    const again = await connect(key, { since: position, stream: hello!.stream });
    expect(again.hello!.snapshotBytes).toBe(0);
    expect(again.hello!.offset).toBe(position);
    await waitFor(() => again.position >= reference.position, 'missed bytes delivered');

    const start = firstRun[0]!.offset;
    const mine = Buffer.concat([...firstRun, ...again.received].map((c) => c.data));
    const theirs = Buffer.concat(reference.received.map((c) => c.data));
    const refStart = reference.received[0]!.offset;
    // Contiguous, nothing twice: exactly (end - start) bytes, equal to the reference's.
    expect(mine.length).toBe(again.position - start);
    expect(mine.equals(theirs.subarray(start - refStart, again.position - refStart))).toBe(true);
    await again.close();
    await reference.close();
  });

  it('a since= that is no longer available (or from another run) gets a fresh screen', async () => {
    const { key } = await newShell('ws-stale');
    const client = await connect(key, { since: 5, stream: 'not-this-stream' });
    expect(client.hello!.snapshotBytes).toBeGreaterThan(0);
    await client.close();
  });
});
