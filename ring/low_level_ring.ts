/**
 * {@link LowLevelRing}: the low-level API, as in liburing: ops prepared with the caller's user data,
 * completions delivered as plain `{ userData, res, flags }` through an async iterator or, without
 * allocating, a callback.
 *
 * @module
 */
import { IORING_ENTER_GETEVENTS } from "../kernel/constants.ts";
import type { Op } from "../sqe/op.ts";
import { describe } from "../util/checks.ts";
import { TWO_32 } from "../util/u64.ts";
import { checkOp, closedError } from "./_support.ts";
import type { RingDriver } from "./driver.ts";
import { RingBase, ringDriver } from "./ring_base.ts";
import type { IoRingOptions } from "./params.ts";
import type { CompletionCallback, CompletionsOptions, Cqe } from "./types.ts";

const MAX_USER_DATA = Number.MAX_SAFE_INTEGER;

/**
 * A ring with the low-level API: `prepare(op, userData)`, `completions()` and `forEachCompletion()`. Use
 * {@link IoRing}, which has it and the promise API on the same ring.
 *
 * @example
 * ```ts
 * import { IoRing, Nop } from "@ioring/ioring";
 * using ring = new IoRing();
 * ring.prepare(new Nop(), 7);
 * for await (const cqe of ring.completions({ stopWhenIdle: true })) console.log(cqe.userData); // 7
 * ```
 */
export class LowLevelRing extends RingBase {
  readonly #driver: RingDriver;

  /** Sets up a ring (see {@link RingBase}). */
  constructor(options: IoRingOptions = {}) {
    super(options);
    this.#driver = ringDriver(this);
  }

  // ---- low-level API -----------------------------------------------------------

  /**
   * Queues (but does not submit) `op` with `userData`, a safe integer that its
   * completions carry back; when the SQ is full, what is already queued is
   * submitted first to make room. The ring holds `op`, and so the memory it
   * points the kernel at, until its last completion. Throws if the ring is
   * closed, or if this kernel's io_uring lacks the op's opcode. An op flagged IOSQE_CQE_SKIP_SUCCESS is not
   * counted in {@link IoRingCore.inflight}, so `close()` and `completions({ stopWhenIdle })` do not wait for
   * it, and the ring holds its memory until a completion with its `userData` arrives or, if none does, for
   * the life of the process; give it a `userData` no other op in flight shares, or the ring cannot tell
   * whose failure a completion is.
   * Matches `io_uring_get_sqe()` + `io_uring_prep_*()` + `io_uring_sqe_set_data64()` in liburing.
   *
   * @example
   * ```ts
   * import { IoRing, Nop } from "@ioring/ioring";
   * using ring = new IoRing();
   * const nop = new Nop();
   * for (let i = 0; i < 8; i++) ring.prepare(nop, i);
   * ring.submit();
   * let n = 0;
   * ring.forEachCompletion(() => n++);
   * console.log(n); // 8
   * ```
   */
  prepare(op: Op, userData: number): void {
    const driver = this.#driver;
    if (driver.closing !== null) throw closedError(op, "prepare");
    checkOp(op, "prepare");
    driver.checkSupported(op);
    let hi = 0;
    // typeof first: a BigInt in `>>>` would throw the engine's own TypeError.
    if (typeof userData !== "number" || (userData >>> 0) !== userData) {
      if (
        typeof userData !== "number" || !Number.isInteger(userData) || userData < 0 ||
        userData > MAX_USER_DATA
      ) {
        throw new RangeError(
          `Cannot prepare ${op.name}: userData must be an integer from 0 to 2^53-1: current value is ${
            describe(userData)
          }`,
        );
      }
      hi = Math.floor(userData / TWO_32);
    }
    const sqe = driver.nextSqe();
    op.prep(sqe);
    sqe.userData(userData >>> 0, hi);
    driver.sq.advance();
    driver.low.queued(userData, op, sqe.sqeFlags());
    driver.schedule();
  }

  /**
   * Delivers low-level completions to `callback` without allocating: first
   * those already copied out, then every CQE in the CQ (promise operations
   * among them settle as usual). Does not wait. Returns how many were delivered.
   * Matches `io_uring_for_each_cqe()` + `io_uring_cq_advance()` in liburing.
   */
  forEachCompletion(callback: CompletionCallback): number {
    if (typeof callback !== "function") {
      throw new TypeError("Cannot reap completions: callback must be a function");
    }
    const driver = this.#driver;
    const low = driver.low;
    let delivered = low.drain(callback);
    if (driver.closed || driver.cq.reaping) return delivered;
    if (driver.defer) driver.enter(0, IORING_ENTER_GETEVENTS);
    low.sink = callback;
    low.delivered = 0;
    try {
      driver.reap();
    } finally {
      low.sink = null;
    }
    delivered += low.delivered;
    if (driver.slots.inflight > 0 || driver.closing !== null) driver.schedule();
    return delivered;
  }

  /**
   * The low-level completions, in the order the kernel posted them, as an
   * async iterator. Waiting never blocks the event loop. The iteration ends
   * when the ring closes, or, with `stopWhenIdle`, when no low-level
   * operation is in flight. Completions of promise operations never appear here.
   *
   * @example
   * ```ts
   * import { IoRing, Nop } from "@ioring/ioring";
   * using ring = new IoRing();
   * for (let i = 0; i < 3; i++) ring.prepare(new Nop(), i);
   * for await (const cqe of ring.completions({ stopWhenIdle: true })) console.log(cqe.userData, cqe.res);
   * ```
   */
  completions(options: CompletionsOptions = {}): AsyncIterableIterator<Cqe> {
    const stopWhenIdle = options.stopWhenIdle === true;
    const driver = this.#driver;
    const low = driver.low;
    const next = (): Promise<IteratorResult<Cqe>> => {
      if (low.count > 0) return Promise.resolve({ value: low.shift(), done: false });
      if (driver.closed || (stopWhenIdle && low.inflight === 0 && low.waiters.length === 0)) {
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve) => {
        low.waiters.push((cqe) =>
          resolve(cqe === null ? { value: undefined, done: true } : { value: cqe, done: false })
        );
        driver.schedule();
      });
    };
    const iterator: AsyncIterableIterator<Cqe> = {
      next,
      return: (): Promise<IteratorResult<Cqe>> => Promise.resolve({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
