/**
 * Session creates, one at a time. Each create is a few tmux commands; a hundred
 * at once made tmux miss its time limits, and parallel creates picked the same
 * default name. In a queue tmux sees one create at a time, names are chosen
 * against what exists, and a queue too long is refused instead of growing.
 */

import { ApiError } from '../../base/errors.ts';

export class CreateQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly limit = 256) {}

  /** Creates queued or running now. */
  get size(): number {
    return this.waiting;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.limit) {
      return Promise.reject(new ApiError(503, 'busy', `${this.waiting} sessions are being created; try again in a moment`));
    }
    this.waiting++;
    const result = this.tail.then(job);
    const done = () => {
      this.waiting--;
    };
    // The next create waits for this one, success or failure.
    this.tail = result.then(done, done);
    return result;
  }
}
