import { closeSync, constants, openSync } from 'node:fs';
import { Socket, type ConnectOpts, type SocketConstructorOpts } from 'node:net';
import { Disposable, toDisposable } from '../base/lifecycle.ts';
import { Emitter } from '../base/emitter.ts';

/**
 * Reads a FIFO through epoll, never through the libuv threadpool.
 *
 * `fs.createReadStream` on a FIFO parks a threadpool thread per blocked read
 * (4 by default): with four quiet panes every other fs call in the process
 * hangs. Opening with O_NONBLOCK and wrapping the fd in a `net.Socket` puts it
 * on the event loop instead. A second, never-used write end keeps the reader
 * from seeing EOF whenever the writer (`cat` started by pipe-pane) restarts.
 *
 * Reads land in one reused buffer (`onread`), so `onData` listeners get a view
 * that is valid only until they return: copy what you keep. A stream read
 * otherwise allocates 64 KiB, shrinks it to the bytes read and leaves it to the
 * GC — per read, thousands of times a second while a pane floods. The buffer is
 * shared by all readers: each read is handed to its listeners before the event
 * loop performs the next one, so 1,000 panes cost 64 KiB, not 64 MiB.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
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
    // Node takes `onread` for any socket it constructs; its typings list it for connect() only.
    const options: SocketConstructorOpts & ConnectOpts = {
      fd: readFd,
      readable: true,
      writable: false,
      onread: {
        buffer: READ_BUFFER,
        callback: (bytes: number, buffer: Uint8Array) => {
          this.onDataEmitter.fire(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
          return true;
        },
      },
    };
    this.socket = new Socket(options);
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
