/**
 * A multishot operation as an async iterator: it follows IORING_CQE_F_MORE, ends with the kernel's last
 * completion (an error there is thrown to the loop), submits the op again with `rearm`, and cancels it
 * when the loop breaks, handing the completions the loop will not see to `onDrop`.
 *
 * @module
 */
import { IORING_CQE_F_MORE, IORING_OP_TIMEOUT } from "../kernel/constants.ts";
import { ETIME } from "../kernel/errno.ts";
import type { Op } from "../sqe/op.ts";
import type { StreamSink } from "./slots.ts";
import type { MultishotCqe, MultishotOptions, RunOptions } from "./types.ts";

/** What the stream needs of its ring: to start the op as a stream, whether the ring closed, to close an fd. */
export interface MultishotRing {
  startStream(op: Op, okErrno: number, options: RunOptions, sink: StreamSink): Promise<number>;
  readonly closed: boolean;
  closeFd(fd: number): void;
}

/** The iterator of one multishot operation. */
export class MultishotStream implements AsyncIterableIterator<MultishotCqe> {
  readonly #ring: MultishotRing;
  readonly #op: Op;
  readonly #options: MultishotOptions;
  readonly #okErrno: number;
  readonly #drop: ((cqe: MultishotCqe) => void) | null;
  readonly #controller = new AbortController();
  readonly #queue: MultishotCqe[] = [];
  #waiting: ((result: IteratorResult<MultishotCqe>) => void) | null = null;
  #failing: ((error: unknown) => void) | null = null;
  #error: unknown = null;
  #ended = false;
  #stopped = false;

  /** Starts `op` on `ring` (unless `options.signal` is already aborted). */
  constructor(ring: MultishotRing, op: Op, options: MultishotOptions) {
    this.#ring = ring;
    this.#op = op;
    this.#options = options;
    // A timeout's ticks are -ETIME, the last one included: results, not failures.
    this.#okErrno = op.opcode === IORING_OP_TIMEOUT ? ETIME : 0;
    // A dropped completion's new fd would reach no one: without onDrop, the ring closes it.
    this.#drop = options.onDrop ??
      (op.resultIsFd === true ? (cqe: MultishotCqe) => void (cqe.res >= 0 && ring.closeFd(cqe.res)) : null);
    options.signal?.addEventListener("abort", this.#stop, { once: true });
    if (options.signal?.aborted) this.#stopped = this.#ended = true;
    else this.#arm();
  }

  /** The next completion, or done once the op has ended or the loop was stopped. */
  next(): Promise<IteratorResult<MultishotCqe>> {
    if (this.#queue.length > 0) return Promise.resolve({ value: this.#queue.shift()!, done: false });
    if (this.#error !== null) {
      const error = this.#error;
      this.#error = null;
      return Promise.reject(error);
    }
    if (this.#ended || this.#stopped) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failing = reject;
    });
  }

  /** The loop broke: cancels the op and drops what is queued. */
  return(): Promise<IteratorResult<MultishotCqe>> {
    this.#stop();
    for (const cqe of this.#queue.splice(0)) this.#drop?.(cqe);
    if (this.#waiting !== null) {
      const waiting = this.#waiting;
      this.#waiting = this.#failing = null;
      waiting({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<MultishotCqe> {
    return this;
  }

  #stop = (): void => {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#controller.abort();
  };

  #arm(): void {
    const okErrno = this.#okErrno;
    this.#ring.startStream(this.#op, okErrno, { signal: this.#controller.signal }, (res, flags) => {
      if ((flags & IORING_CQE_F_MORE) !== 0 || res >= 0 || -res === okErrno) this.#push({ res, flags });
    }).then(
      // 0 ends a stream (a recv or read at EOF): only a positive final result is worth re-arming for.
      (
        res,
      ) => (this.#options.rearm === true && !this.#stopped && res > 0 && !this.#ring.closed
        ? this.#arm()
        : this.#finish(null)),
      (error) => this.#finish(error),
    );
  }

  #push(cqe: MultishotCqe): void {
    if (this.#stopped) {
      this.#drop?.(cqe);
      return;
    }
    if (this.#waiting !== null) {
      const waiting = this.#waiting;
      this.#waiting = this.#failing = null;
      waiting({ value: cqe, done: false });
    } else {
      this.#queue.push(cqe);
    }
  }

  #finish(failure: unknown): void {
    this.#ended = true;
    this.#options.signal?.removeEventListener("abort", this.#stop);
    if (failure !== null && !this.#stopped) this.#error = failure;
    if (this.#waiting !== null) {
      const waiting = this.#waiting, failing = this.#failing!;
      this.#waiting = this.#failing = null;
      if (this.#error !== null) failing(this.#error);
      else waiting({ value: undefined, done: true });
    }
  }
}
