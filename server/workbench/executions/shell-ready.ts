import type { PaneStream } from '../../../tmux/pane-stream.ts';
import { ApiError } from '../../../base/errors.ts';
import { isShellCommand, type SessionHosts } from '../../sessions/index.ts';

/** A shell is ready for input once it printed something (its prompt) and then stayed quiet this long. */
const READY_QUIET_MS = 150;
/**
 * After an execution's end marker the shell prints its prompt and nothing else: a
 * much shorter quiet says it is done (a prompt seen before is recognised at once).
 */
const AFTER_END_QUIET_MS = 12;
const READY_TIMEOUT_MS = 20_000;
/** A current command the caller asked this recently is not asked again. */
const KNOWN_FRESH_MS = 50;
/** An end seen longer ago than this no longer speaks for what the pane shows. */
const END_FRESH_MS = 5000;
/** A prompt longer than this is not remembered (it is probably not a prompt). */
const MAX_PROMPT_BYTES = 256;
/** Sessions whose prompt and last end are remembered (closed ones age out). */
const MAX_REMEMBERED = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function bytesFrom(stream: PaneStream, offset: number): Buffer | undefined {
  const chunks = stream.readFrom(offset);
  return chunks ? Buffer.concat(chunks) : undefined;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
}

/**
 * Knows when a shell session is ready for the next typed command. In general: the
 * pane sits at a shell that printed something and then went quiet for 150 ms. Right
 * after an execution ended in the session (its end marker seen), the shell prints
 * only its prompt: the prompt it printed last time, once seen again, means ready at
 * once; otherwise a short quiet after new bytes does. This keeps a queue's step from
 * one item to the next in a session at a few milliseconds instead of the long quiet.
 */
export class ShellReadiness {
  /** Session → stream offset just past the last execution's end marker, and when it was seen. */
  private readonly ends = new Map<string, { readonly offset: number; readonly at: number }>();
  /** Session → the bytes of its prompt (after the last newline) when it was last found ready. */
  private readonly prompts = new Map<string, Buffer>();

  constructor(
    private readonly hub: Pick<SessionHosts, 'paneOf' | 'outputStream'>,
    private readonly ask: {
      readonly currentCommand: (key: string, paneId: string, known: string) => Promise<string>;
      readonly cursorX: (key: string, paneId: string) => Promise<number>;
    },
  ) {}

  /** An execution's end marker was seen in the session's stream, ending at `offset`. */
  ended(sessionKey: string, offset: number): void {
    remember(this.ends, sessionKey, { offset, at: performance.now() });
  }

  /**
   * Waits until the pane sits at a shell that printed its prompt and went quiet.
   * A prompt printed before the stream was armed is not in the stream: then the
   * cursor standing after it on screen says so.
   */
  async wait(key: string, known?: { readonly command: string; readonly at: number }, signal?: AbortSignal): Promise<PaneStream> {
    const began = performance.now();
    // What the caller asked tmux a moment ago stands for the first look (one round trip less).
    let asked = known && began - known.at < KNOWN_FRESH_MS ? known.command : undefined;
    const end = this.ends.get(key);
    // Only a fresh end says what comes next is the prompt; after a while anything may have been typed.
    const endAt = end && began - end.at < END_FRESH_MS ? end.offset : undefined;
    for (;;) {
      if (signal?.aborted) throw new ApiError(409, 'session_not_ready', `the start in session "${key}" was given up`);
      const pane = this.hub.paneOf(key);
      if (pane.dead) throw new ApiError(409, 'session_exited', `the program in session "${key}" has exited; create a new session to execute in`);
      // The session's own tmux server: the bridge's, or a remote host's over its connection.
      const stream = await this.hub.outputStream(key);
      if (!stream) throw new ApiError(409, 'session_not_ready', `session "${key}" has no output stream (another pipe-pane holds it); executions need the bridge's stream`);
      const now = performance.now();
      const afterEnd = endAt !== undefined && stream.offset > endAt ? bytesFrom(stream, endAt) : undefined;
      const prompt = this.prompts.get(key);
      const promptShown = !!prompt && !!afterEnd && afterEnd.length >= prompt.length && afterEnd.subarray(afterEnd.length - prompt.length).equals(prompt);
      const endSettled = endAt !== undefined && stream.offset > endAt && (promptShown || now - stream.lastDataAt >= AFTER_END_QUIET_MS);
      const quiet = now - Math.max(stream.lastDataAt, stream.lastDataAt > 0 ? 0 : began) >= READY_QUIET_MS;
      // tmux is asked only when the stream says the shell may be ready.
      if (endSettled || quiet) {
        const command = asked ?? (await this.ask.currentCommand(key, pane.paneId, pane.currentCommand));
        asked = undefined;
        if (!command || isShellCommand(command)) {
          if (endSettled) return this.ready(key, stream, afterEnd);
          if (stream.lastDataAt > 0 || (await this.ask.cursorX(key, pane.paneId)) > 0) return this.ready(key, stream, undefined);
          // A shell with an empty prompt never says it is ready: after a while, take the quiet as readiness.
          if (now - began > READY_TIMEOUT_MS / 2) return this.ready(key, stream, undefined);
        }
      }
      if (now - began > READY_TIMEOUT_MS) {
        throw new ApiError(409, 'session_not_ready', `session "${key}" shows no quiet shell prompt after ${READY_TIMEOUT_MS / 1000} s; check the pane and try again`);
      }
      if (endAt === undefined) await sleep(READY_QUIET_MS / 3);
      // After an end: the prompt's bytes wake us, or the short quiet runs out.
      else await this.nextData(stream, stream.offset > endAt ? Math.max(1, AFTER_END_QUIET_MS - (now - stream.lastDataAt)) : READY_QUIET_MS / 3);
    }
  }

  /** Ready: the end is used up, and what the shell printed last is its prompt, for next time. */
  private ready(key: string, stream: PaneStream, afterEnd: Buffer | undefined): PaneStream {
    this.ends.delete(key);
    let prompt: Buffer | undefined;
    if (afterEnd) {
      prompt = afterEnd.subarray(afterEnd.lastIndexOf(0x0a) + 1);
    } else {
      const from = Math.max(stream.startOffset, stream.offset - MAX_PROMPT_BYTES);
      const tail = bytesFrom(stream, from);
      const nl = tail ? tail.lastIndexOf(0x0a) : -1;
      // Without a newline the window must hold the whole stream, or its start is not the prompt's.
      if (tail && (nl >= 0 || from === stream.startOffset)) prompt = tail.subarray(nl + 1);
    }
    if (prompt && prompt.length > 0 && prompt.length <= MAX_PROMPT_BYTES) remember(this.prompts, key, Buffer.from(prompt));
    return stream;
  }

  /** Resolves at the next byte of the stream or after `ms`, whichever comes first. */
  private nextData(stream: PaneStream, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const sub = stream.onData(done);
    });
  }
}
