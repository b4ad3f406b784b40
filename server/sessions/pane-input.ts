import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pasteFileCommands } from '../../tmux/buffers.ts';
import type { TmuxCommand } from '../../tmux/command.ts';
import { leaveModeCommand, sendBytesCommands, sendKeyNamesCommand } from '../../tmux/keys.ts';
import type { TmuxRunner } from '../../tmux/runner.ts';

/** Above this many bytes, input goes through a paste buffer instead of send-keys. */
export const PASTE_THRESHOLD = 256;

/**
 * Delivers input to panes in order. Typed bytes become `send-keys -H` commands
 * on the control client (no process per keystroke); large input is written to
 * a private file and pasted raw from a tmux buffer. Per pane, every write is
 * submitted to tmux only after the one before it.
 */
export class PaneInput {
  private readonly tails = new Map<string, Promise<unknown>>();
  private pasteCounter = 0;

  /**
   * `loadBuffer`: how bytes get into a tmux buffer on a server on another machine
   * (absent: through a private local file).
   */
  constructor(
    private readonly tmux: TmuxRunner,
    private readonly runDir: string,
    private readonly loadBuffer?: (bufferName: string, bytes: Uint8Array) => Promise<void>,
  ) {}

  /** Raw bytes, as a terminal would send them. `leaveMode`: the pane is in copy mode. */
  writeBytes(paneId: string, bytes: Uint8Array, leaveMode: boolean): Promise<void> {
    const prefix: TmuxCommand[] = leaveMode ? [leaveModeCommand(paneId)] : [];
    if (bytes.length <= PASTE_THRESHOLD) {
      return this.enqueue(paneId, () => this.now([...prefix, ...sendBytesCommands(paneId, bytes)]));
    }
    const load = this.loadBuffer;
    if (load) {
      return this.enqueue(paneId, () => {
        const name = `tb-paste-${process.pid}-${++this.pasteCounter}`;
        let markSubmitted!: () => void;
        const submitted = new Promise<void>((resolve) => (markSubmitted = resolve));
        const completion = load(name, bytes)
          .then(() => {
            const done = this.tmux.runList([...prefix, ['paste-buffer', '-b', name, '-t', paneId, '-r', '-d']]);
            markSubmitted();
            return done;
          })
          .catch((error: unknown) => {
            markSubmitted();
            throw error;
          });
        return { submitted, completion };
      });
    }
    return this.enqueue(paneId, () => {
      const id = ++this.pasteCounter;
      const file = join(this.runDir, `paste-${process.pid}-${id}.bin`);
      let markSubmitted!: () => void;
      const submitted = new Promise<void>((resolve) => (markSubmitted = resolve));
      const completion = writeFile(file, bytes, { mode: 0o600 })
        .then(
          () => {
            const done = this.tmux.runList([...prefix, ...pasteFileCommands(paneId, `tb-paste-${process.pid}-${id}`, file)]);
            markSubmitted();
            return done;
          },
          (error: unknown) => {
            markSubmitted();
            throw error;
          },
        )
        .finally(() => rm(file, { force: true }));
      return { submitted, completion };
    });
  }

  /** tmux key names (`C-c`, `Enter`). */
  writeKeys(paneId: string, keys: readonly string[], leaveMode: boolean): Promise<void> {
    const prefix: TmuxCommand[] = leaveMode ? [leaveModeCommand(paneId)] : [];
    return this.enqueue(paneId, () => this.now([...prefix, sendKeyNamesCommand(paneId, keys)]));
  }

  private now(commands: TmuxCommand[]): Submission {
    return { submitted: Promise.resolve(), completion: this.tmux.runList(commands) };
  }

  /**
   * The next write for a pane starts only once this one is submitted to tmux
   * (not completed): typing stays pipelined while a paste keeps its place.
   */
  private enqueue(paneId: string, submit: () => Submission): Promise<void> {
    const previous = this.tails.get(paneId);
    let submitted: Promise<void>;
    let completion: Promise<unknown>;
    if (!previous) {
      ({ submitted, completion } = submit());
    } else {
      const started = previous.then(submit);
      submitted = started.then((s) => s.submitted);
      completion = started.then((s) => s.completion);
    }
    const tail = submitted.catch(() => undefined);
    this.tails.set(paneId, tail);
    void tail.then(() => {
      if (this.tails.get(paneId) === tail) this.tails.delete(paneId);
    });
    return completion.then(() => undefined);
  }
}

interface Submission {
  readonly submitted: Promise<void>;
  readonly completion: Promise<unknown>;
}
