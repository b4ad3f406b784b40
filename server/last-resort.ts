import { errorDetail } from '../base/errors.ts';

/**
 * The last resort of a long-running server: an exception or rejected promise
 * that nothing caught is logged and the process keeps serving. Every handler
 * that reads network input catches its own errors (HTTP error middleware,
 * WebSocket upgrade and message handlers); this only keeps a missed case
 * from taking every terminal down with it. Tests never install it: there a
 * stray error must fail the test.
 */
export function installLastResort(log: (message: string) => void): () => void {
  const onException = (error: unknown) => log(`uncaught exception (the server keeps running): ${errorDetail(error)}`);
  const onRejection = (reason: unknown) => log(`unhandled promise rejection (the server keeps running): ${errorDetail(reason)}`);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
