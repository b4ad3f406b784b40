import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionHosts } from '../../server/sessions/session-hosts.ts';
import { ShellReadiness } from '../../server/workbench/executions/shell-ready.ts';
import { PaneStream } from '../../tmux/pane-stream.ts';

const PROMPT = '\x1b[?2004hbash-5.2$ ';
const KEY = 's_test';

/** A hub with one pane at a bash prompt, whose stream the test writes. */
function setup() {
  const stream = new PaneStream({ paneId: '%1', ringBytes: 1024 * 1024 });
  let command = 'bash';
  const asked: string[] = [];
  const hub = {
    paneOf: () => ({ paneId: '%1', dead: false, currentCommand: command }),
    outputStream: async () => stream,
  } as unknown as SessionHosts;
  const readiness = new ShellReadiness(hub, {
    currentCommand: async () => {
      asked.push(command);
      return command;
    },
    cursorX: async () => 0,
  });
  const write = (text: string) => stream.append(Buffer.from(text));
  /** Starts a wait and tells whether it has resolved yet. */
  const waiting = () => {
    let done = false;
    const promise = readiness.wait(KEY).then((s) => {
      done = true;
      return s;
    });
    return { promise, done: () => done };
  };
  return { stream, readiness, write, waiting, asked, setCommand: (c: string) => (command = c) };
}

describe('ShellReadiness: when a shell takes the next command', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // The stream takes a last-data time of 0 for "nothing yet": start the clock later.
    vi.advanceTimersByTime(10_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a fresh shell is ready once its prompt stayed quiet for the full quiet time', async () => {
    const { write, waiting } = setup();
    write(PROMPT);
    const w = waiting();
    await vi.advanceTimersByTimeAsync(100);
    expect(w.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(w.done()).toBe(true);
  });

  it('after an end marker, the prompt seen before means ready at once', async () => {
    const { stream, write, waiting, readiness } = setup();
    write(PROMPT);
    const first = waiting();
    await vi.advanceTimersByTimeAsync(200);
    expect(first.done()).toBe(true);
    // An execution: the typed line, its output, its end marker; then the same prompt again.
    write(" bash '/x/run.sh'\r\n\x1b[?2004l\r\x1b]7717;tb:n:begin\x07");
    write('\x1b]7717;tb:n:end:0\x07');
    readiness.ended(KEY, stream.offset);
    const next = waiting();
    await vi.advanceTimersByTimeAsync(1);
    expect(next.done()).toBe(false); // no prompt yet
    write(PROMPT);
    await vi.advanceTimersByTimeAsync(0);
    expect(next.done()).toBe(true);
  });

  it('after an end marker, other bytes need a short quiet, not the full one; and the end is used once', async () => {
    const { stream, write, waiting, readiness } = setup();
    write('\x1b]7717;tb:n:end:0\x07');
    readiness.ended(KEY, stream.offset);
    const next = waiting();
    write('user@host:~/work (main) $ ');
    await vi.advanceTimersByTimeAsync(5);
    expect(next.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(next.done()).toBe(true);
    // The next wait has no fresh end: the full quiet again.
    write('more');
    const again = waiting();
    await vi.advanceTimersByTimeAsync(60);
    expect(again.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(again.done()).toBe(true);
  });

  it('never takes a pane that runs something other than a shell, prompt or not', async () => {
    const { stream, write, waiting, readiness, setCommand } = setup();
    write(PROMPT);
    const first = waiting();
    await vi.advanceTimersByTimeAsync(200);
    expect(first.done()).toBe(true);
    write('\x1b]7717;tb:n:end:0\x07');
    readiness.ended(KEY, stream.offset);
    setCommand('vim');
    const next = waiting();
    write(PROMPT);
    await vi.advanceTimersByTimeAsync(1000);
    expect(next.done()).toBe(false);
    setCommand('bash');
    await vi.advanceTimersByTimeAsync(200);
    expect(next.done()).toBe(true);
  });

  it('an end seen long ago does not count: the full quiet applies', async () => {
    const { stream, write, waiting, readiness } = setup();
    write(PROMPT);
    await vi.advanceTimersByTimeAsync(200);
    write('\x1b]7717;tb:n:end:0\x07');
    readiness.ended(KEY, stream.offset);
    await vi.advanceTimersByTimeAsync(6000);
    write(PROMPT);
    const next = waiting();
    await vi.advanceTimersByTimeAsync(50);
    expect(next.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(next.done()).toBe(true);
  });
});
