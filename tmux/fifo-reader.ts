import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { Disposable, toDisposable } from './base/lifecycle.ts';
import { Emitter } from './base/emitter.ts';

/**
 * Reads a FIFO through epoll, never through the libuv threadpool.
 *
 * `fs.createReadStream` on a FIFO parks a threadpool thread per blocked read
 * (4 by default): with four quiet panes every other fs call in the process
 * hangs. Opening with O_NONBLOCK and wrapping the fd in a `net.Socket` puts it
 * on the event loop instead. A second, never-used write end keeps the reader
 * from seeing EOF whenever the writer (`cat` started by pipe-pane) restarts.
 */
export class FifoReader extends Disposable {
  private readonly socket: Socket;
  private readonly keepAliveFd: number;

  private readonly onDataEmitter = this.register(new Emitter<Buffer>());
  readonly onData = this.onDataEmitter.event;
  private readonly onErrorEmitter = this.register(new Emitter<Error>());
  readonly onError = this.onErrorEmitter.event;

  constructor(readonly path: string) {
    super();
    const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      this.keepAliveFd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      closeSync(readFd);
      throw error;
    }
    this.socket = new Socket({ fd: readFd, readable: true, writable: false });
    this.socket.on('data', (chunk: Buffer) => this.onDataEmitter.fire(chunk));
    this.socket.on('error', (error) => this.onErrorEmitter.fire(error));
    this.register(
      toDisposable(() => {
        this.socket.destroy();
        try {
          closeSync(this.keepAliveFd);
        } catch {
          // already closed
        }
      }),
    );
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }
}
