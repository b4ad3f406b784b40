import { errorDetail, errorMessage } from '../../base/errors.ts';

/**
 * Everything the harness starts registers its own teardown here, so an
 * interrupted run (Ctrl-C, SIGTERM, a crash) still kills exactly the processes
 * and tmux servers it started and removes its temporary files — nothing else.
 */
type Task = () => void | Promise<void>;

const tasks = new Set<Task>();
let running: Promise<void> | undefined;

/** Registers a teardown; returns a function that runs it now and unregisters it. */
export function onCleanup(task: Task): () => Promise<void> {
  tasks.add(task);
  return async () => {
    if (!tasks.delete(task)) return;
    await task();
  };
}

/** Runs every registered teardown, newest first; each failure is reported but never stops the rest. */
export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    const all = [...tasks].reverse();
    tasks.clear();
    for (const task of all) {
      try {
        await task();
      } catch (error) {
        process.stderr.write(`bench: cleanup step failed: ${errorMessage(error)}\n`);
      }
    }
  })();
  return running;
}

let interrupted = false;

/** True once a signal asked the run to stop: nothing should be started or recorded after that. */
export function isInterrupted(): boolean {
  return interrupted;
}

/** Never resolves: lets an interrupted run wait for its signal handler to finish and exit. */
export function untilExit(): Promise<never> {
  return new Promise(() => undefined);
}

/** Signals and crashes run the teardowns before the process leaves. */
export function installCleanupHandlers(): void {
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // `timeout`, a process-group kill and Ctrl-C often deliver the same stop twice at once:
      // only a deliberate second signal, a while later, gives up on the cleanup.
      if (performance.now() - firstAt < 2000) return;
      process.stderr.write(`bench: ${signal} again, leaving without waiting\n`);
      process.exit(130);
    }
    interrupted = true;
    firstAt = performance.now();
    process.stderr.write(`\nbench: ${signal}: stopping the processes and tmux servers this run started...\n`);
    const hardStop = setTimeout(() => process.exit(130), 15_000);
    hardStop.unref();
    void cleanupAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const onCrash = (error: unknown) => {
    process.stderr.write(`bench: ${errorDetail(error)}\n`);
    void cleanupAll().finally(() => process.exit(1));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
}
