/**
 * {@link IoRingCore}: one ring, with the low-level API (ops prepared with the caller's user data, completions
 * as an iterator or a callback) and the promise API (a promise, a stream or a callback per operation), over
 * the driver in `ring/driver.ts`. It imports no operation: any op builder runs on it.
 *
 * @module
 */
import { IOSQE_IO_HARDLINK, IOSQE_IO_LINK } from "../kernel/constants.ts";
import { ECANCELED, ENOENT } from "../kernel/errno.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";
import type { Op } from "../sqe/op.ts";
import { describe } from "../util/checks.ts";
import { IoRingError } from "../util/error.ts";
import { checkOp, closedError, RAW_RESULT } from "./_support.ts";
import { cancelOp, cancelTarget } from "./cancel.ts";
import type { RingDriver } from "./driver.ts";
import { LowLevelRing } from "./low_level_ring.ts";
import { MultishotStream } from "./multishot.ts";
import type { IoRingOptions } from "./params.ts";
import { ringDriver } from "./ring_base.ts";
import type { LinkOptions, LinkResult, MultishotCqe, MultishotOptions, RunOptions } from "./types.ts";

export type { IoRingOptions } from "./params.ts";
export type {
  CompletionCallback,
  CompletionsOptions,
  Cqe,
  LinkOptions,
  LinkResult,
  MultishotCqe,
  MultishotOptions,
  ProbeResult,
  RunOptions,
} from "./types.ts";
export { cancelTarget } from "./cancel.ts";
export { LowLevelRing } from "./low_level_ring.ts";
export { RingBase } from "./ring_base.ts";

/**
 * The ring machinery under {@link IoRing}: setup, the mapped SQ and CQ,
 * batched submission, completion dispatch, links, cancellation, multishot
 * streams and teardown. Use {@link IoRing}, which adds one promise method per
 * operation.
 *
 * @example
 * ```ts
 * import { IoRing, Nop } from "@ioring/ioring";
 * using ring = new IoRing();
 * console.log(await ring.run(new Nop())); // 0
 * ```
 */
export class IoRingCore extends LowLevelRing {
  readonly #driver: RingDriver;

  /** Sets up a ring (see {@link RingBase}). */
  constructor(options: IoRingOptions = {}) {
    super(options);
    this.#driver = ringDriver(this);
  }

  // ---- promise API -----------------------------------------------------------

  /**
   * Queues `op` and returns a promise of its result: `res` when it is >= 0
   * (bytes transferred, a new fd, ...), otherwise a rejection with
   * {@link IoRingError}. The ring holds `op` and its memory until then.
   *
   * @example
   * ```ts
   * import { IoRing, Nop } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(await ring.run(new Nop())); // 0
   * ```
   */
  run(op: Op, options?: RunOptions): Promise<number> {
    if (op?.multishot === true) {
      return Promise.reject(
        new TypeError(`Cannot run ${op.name}: a multishot op posts many completions; use ring.multishot()`),
      );
    }
    return this.#driver.start(op, 0, options);
  }

  /** Like {@link IoRingCore.run}, with `-okErrno` a result instead of a failure (a timeout's ETIME). */
  protected runAccepting(op: Op, okErrno: number, options?: RunOptions): Promise<number> {
    return this.#driver.start(op, okErrno, options);
  }

  /**
   * Submits `ops` as one chain (IOSQE_IO_LINK, or IOSQE_IO_HARDLINK with
   * `hard`): each starts only after the one before it succeeded, and when one
   * fails the rest complete with ECANCELED. Resolves, once every op of the
   * chain has completed, with each op's outcome in order, as
   * `Promise.allSettled` would, so a broken chain raises no unhandled rejection.
   *
   * @example Write, then fsync, in order
   * ```ts
   * import { Fsync, IoRing, O_WRONLY, Write } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
   * const [write, sync] = await ring.link([new Write(fd, new Uint8Array(4), 0), new Fsync(fd)]);
   * console.log(write.status, sync.status); // fulfilled fulfilled
   * ```
   */
  link(ops: readonly Op[], options: LinkOptions = {}): Promise<LinkResult[]> {
    if (!Array.isArray(ops) || ops.length === 0) {
      return Promise.reject(new TypeError("Cannot link: ops must be a non-empty array"));
    }
    const driver = this.#driver;
    if (driver.closing !== null) return Promise.reject(closedError("link"));
    try {
      for (const op of ops) {
        checkOp(op, "link");
        driver.checkSupported(op);
      }
      driver.ensureRoom(ops.length);
    } catch (error) {
      return Promise.reject(error);
    }
    const flag = options.hard === true ? IOSQE_IO_HARDLINK : IOSQE_IO_LINK;
    const promises: Promise<number>[] = [];
    for (let i = 0; i < ops.length; i++) {
      const tail = driver.sq.tail;
      promises.push(driver.start(ops[i], 0, undefined, i < ops.length - 1 ? flag : 0));
      if (driver.sq.tail !== tail) continue;
      // Refused before it reached the SQ: the chain ends at the op before it, whose link flag would
      // otherwise tie it to whatever SQE comes next; the rest fail as the kernel would fail them.
      if (i > 0) driver.sq.last().clearFlags(IOSQE_IO_LINK | IOSQE_IO_HARDLINK);
      for (let j = i + 1; j < ops.length; j++) {
        const detail = "an earlier op of the chain was refused";
        promises.push(Promise.reject(new IoRingError(ECANCELED, ops[j].name, { ...ops[j].target, detail })));
      }
      break;
    }
    return Promise.allSettled(promises);
  }

  /**
   * Runs a multishot operation (accept, recv, poll or timeout with their
   * MULTI flag, read multishot) as an async iterator of its completions. It
   * follows IORING_CQE_F_MORE, ends when the kernel posts the last CQE (an
   * error there is thrown), submits the op again with `rearm` when the kernel
   * ends it with a positive result (it may stop a multishot, e.g. when the CQ
   * is full; 0, end of stream, ends the loop), and cancels it when the loop breaks.
   *
   * @example Three ticks of a multishot timeout
   * ```ts
   * import { IoRing, IORING_TIMEOUT_MULTISHOT, Timeout } from "@ioring/ioring";
   * using ring = new IoRing();
   * for await (const cqe of ring.multishot(new Timeout(5, { count: 3, flags: IORING_TIMEOUT_MULTISHOT }))) {
   *   console.log(cqe.res); // -62 (ETIME) each tick
   * }
   * ```
   */
  multishot(op: Op, options: MultishotOptions = {}): AsyncIterableIterator<MultishotCqe> {
    checkOp(op, "run a multishot op");
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `Cannot run ${op.name} as a multishot op: options must be an object: current value is ${
          describe(options)
        }`,
      );
    }
    const driver = this.#driver;
    return new MultishotStream(
      {
        startStream: (op, okErrno, runOptions, sink) => driver.start(op, okErrno, runOptions, 0, sink),
        get closed() {
          return driver.closing !== null;
        },
        closeFd: (fd) => void driver.native.close(fd),
      },
      op,
      options,
    );
  }

  /**
   * Runs a multishot operation with a callback instead of an iterator:
   * `onCqe(res, flags)` is called synchronously for every completion, the
   * last one (without IORING_CQE_F_MORE) included, and also after a
   * cancellation, so that each provided buffer a completion carries is seen
   * and can be recycled. Resolves with the last result, or rejects with
   * {@link IoRingError} (or `signal`'s reason) once `onCqe` has seen the last
   * completion. No promise or allocation per completion: this is what a
   * protocol's receive loop is built on. If `onCqe` throws, the error is
   * reported as uncaught and the stream goes on to its end.
   *
   * @example A multishot timeout's ticks
   * ```ts
   * import { IoRing, IORING_TIMEOUT_MULTISHOT, Timeout } from "@ioring/ioring";
   * using ring = new IoRing();
   * let ticks = 0;
   * await ring.stream(new Timeout(5, { count: 3, flags: IORING_TIMEOUT_MULTISHOT }), () => ticks++)
   *   .catch(() => {}); // the last tick is -ETIME
   * console.log(ticks); // 3
   * ```
   */
  stream(op: Op, onCqe: (res: number, flags: number) => void, options?: RunOptions): Promise<number> {
    if (typeof onCqe !== "function") {
      return Promise.reject(
        new TypeError(
          `Cannot stream ${op?.name}: onCqe must be a function: current value is ${typeof onCqe}`,
        ),
      );
    }
    return this.#driver.start(op, 0, options, 0, onCqe);
  }

  /**
   * Queues `op` and calls `onResult` once with its result: `res` >= 0 on
   * success, `-errno` on failure (`new IoRingError(-res, op.name)` names it),
   * `-ECANCELED` when the ring closes first. No promise and no allocation of
   * its own: for request paths where a promise per operation is the cost
   * that matters. The ring holds `op`, and so its memory, until then. Bad
   * input and a closed ring throw at once. If `onResult` throws, the error
   * is reported as uncaught and the other completions are still delivered.
   *
   * @example Reading with a callback
   * ```ts
   * import { IoRing, Read } from "@ioring/ioring";
   * await using ring = new IoRing();
   * const fd = await ring.openat("/etc/hostname");
   * const buffer = new Uint8Array(256);
   * const n = await new Promise<number>((done) => ring.start(new Read(fd, buffer, 0), done));
   * console.log(n > 0); // true (a negative n would be -errno)
   * await ring.closeFd(fd);
   * ```
   */
  start(op: Op, onResult: (res: number) => void): void {
    const driver = this.#driver;
    if (driver.closing !== null) throw closedError(op, "start");
    checkOp(op, "start");
    if (typeof onResult !== "function") {
      throw new TypeError(
        `Cannot start ${op.name}: onResult must be a function: current value is ${typeof onResult}`,
      );
    }
    if (op.multishot === true) {
      throw new TypeError(
        `Cannot start ${op.name}: a multishot op posts many completions; use ring.stream()`,
      );
    }
    driver.checkSupported(op);
    driver.ensureRoom(1);
    driver.slots.resolve[driver.queue(op, RAW_RESULT, 0)] = onResult;
    driver.schedule();
  }

  /**
   * Cancels every operation in flight on `fd` (IORING_ASYNC_CANCEL_FD |
   * IORING_ASYNC_CANCEL_ALL, 5.19); resolves with how many were cancelled.
   * Each cancelled operation settles on its own, usually with ECANCELED.
   */
  cancelFd(fd: number | FixedFile): Promise<number> {
    let target: { fd: number; flags: number };
    try {
      target = cancelTarget(fd, false);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#driver.start(cancelOp(target.fd, target.flags), ENOENT).then((res) => Math.max(res, 0));
  }

  /**
   * Cancels every operation in flight on the ring (IORING_ASYNC_CANCEL_ANY |
   * IORING_ASYNC_CANCEL_ALL, 5.19); resolves with how many were cancelled.
   */
  cancelAll(): Promise<number> {
    const { fd, flags } = cancelTarget("all", true);
    return this.#driver.start(cancelOp(fd, flags), ENOENT).then((res) => Math.max(res, 0));
  }
}
