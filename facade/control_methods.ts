/**
 * {@link ControlMethods}: the one way every promise method of {@link IoRing} runs an op builder, and the
 * methods that act on the ring itself rather than on a file or a socket.
 *
 * @module
 */
import { Nop } from "../ops/nop.ts";
import type { Op } from "../sqe/op.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";
import { Timeout, type TimeoutOptions } from "../ops/timeout.ts";
import { TimeoutRemove, type TimeoutRemoveOptions } from "../ops/timeout_remove.ts";
import { AsyncCancel, type AsyncCancelTarget } from "../ops/async_cancel.ts";
import { MsgRing, type MsgRingOptions } from "../ops/msg_ring.ts";
import type { TimeSpec } from "../memory/timespec.ts";
import { checkU16, checkU32, describe } from "../util/checks.ts";
import { IoRingError } from "../util/error.ts";
import { ETIME } from "../kernel/errno.ts";
import {
  IORING_ASYNC_CANCEL_ALL,
  IORING_REGISTER_IOWQ_AFF,
  IORING_REGISTER_IOWQ_MAX_WORKERS,
  IORING_REGISTER_PERSONALITY,
  IORING_REGISTER_RESTRICTIONS,
  IORING_REGISTER_SYNC_CANCEL,
  IORING_UNREGISTER_IOWQ_AFF,
  IORING_UNREGISTER_PERSONALITY,
} from "../kernel/constants.ts";
import {
  BufferRing,
  type BufferRingTake,
  type BufferSelection,
  runSelecting,
  runWithBufferRing,
  withGroupOf,
} from "../ring/buffer_ring.ts";
import { IoRingCore, type RunOptions } from "../ring/core.ts";
import {
  type CancelMatch,
  cpuMask,
  restrictionArray,
  type Restrictions,
  syncCancelArg,
} from "./_register_args.ts";

export type { CancelMatch, Restrictions } from "./_register_args.ts";

const SHARED_NOP = new Nop();

/**
 * The base of {@link IoRing}'s promise methods, on {@link IoRingCore}: a method builds its op with
 * {@link ControlMethods.runBuilt} (a builder that refuses its arguments rejects the promise rather than
 * throwing), and this class also holds what acts on the ring itself: doing nothing, timers, cancellation,
 * messages to other rings, credentials, io-wq workers and restrictions. Use it through {@link IoRing}.
 *
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * console.log(await ring.nop(), await ring.timeout(1)); // 0 true
 * ```
 */
export class ControlMethods extends IoRingCore {
  /**
   * Builds an op and hands it to `start`: a builder that throws (an argument it refuses) becomes a
   * rejection of the returned promise, as every promise method reports a bad argument.
   */
  protected startBuilt<T extends Op, R>(build: () => T, start: (op: T) => Promise<R>): Promise<R> {
    let op: T;
    try {
      op = build();
    } catch (error) {
      return Promise.reject(error);
    }
    return start(op);
  }

  /**
   * Builds an op and runs it as one promise, the body of nearly every promise method: resolves with the
   * op's result, rejects with the builder's error or an {@link IoRingError}.
   */
  protected runBuilt<T extends Op>(build: () => T, options?: RunOptions): Promise<number>;
  /**
   * Builds an op and runs it as one promise that resolves with `decode(res, op)`: what the op read back
   * (a stat, an address, ...). `-okErrno` counts as a result rather than a failure (a timeout's ETIME).
   */
  protected runBuilt<T extends Op, R>(
    build: () => T,
    options: RunOptions | undefined,
    decode: (res: number, op: T) => R,
    okErrno?: number,
  ): Promise<R>;
  protected runBuilt<T extends Op, R>(
    build: () => T,
    options?: RunOptions,
    decode?: (res: number, op: T) => R,
    okErrno = 0,
  ): Promise<number | R> {
    return this.startBuilt(build, (op) => {
      const done = this.runAccepting(op, okErrno, options);
      return decode === undefined ? done : done.then((res) => decode(res, op));
    });
  }

  /**
   * Runs a read-like op (read, readv, recv) with the memory it was given: the caller's buffers (resolves
   * with the byte count), a {@link BufferRing} (the buffer taken, null at the end), or null with
   * `bufferGroup` (the bytes and the buffer's id). `build` makes the op for that memory and those options.
   */
  protected runReadLike<M, O extends RunOptions>(
    what: string,
    memory: M | BufferRing | null,
    options: O | undefined,
    build: (memory: M | null, options: O | undefined) => Op,
  ): Promise<number | BufferRingTake | BufferSelection | null> {
    if (memory instanceof BufferRing) {
      return this.startBuilt(
        () => build(null, withGroupOf(memory, options, what)),
        (op) => runWithBufferRing(this, op, memory, options),
      );
    }
    if (memory === null) {
      return this.startBuilt(() => build(null, options), (op) => runSelecting(this, op, options));
    }
    return this.runBuilt(() => build(memory, options), options);
  }

  /**
   * Does nothing, through the kernel: resolves with 0.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * await Promise.all(Array.from({ length: 100 }, () => ring.nop()));
   * ```
   */
  nop(options?: RunOptions): Promise<number> {
    return this.run(SHARED_NOP, options);
  }

  /**
   * Waits for `time` (milliseconds, or `{ sec, nsec }`) on the kernel's timer.
   * Resolves with `true` when the time passed, `false` when `count`
   * completions came first.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(await ring.timeout(5)); // true
   * ```
   */
  timeout(time: TimeSpec, options?: TimeoutOptions & Pick<RunOptions, "signal">): Promise<boolean> {
    return this.runBuilt(() => new Timeout(time, options), options, (res) => res === -ETIME, ETIME);
  }

  /**
   * Removes (or, with IORING_TIMEOUT_UPDATE, changes) a low-level timeout by its user data
   * (TIMEOUT_REMOVE, 5.5).
   *
   * @example
   * ```ts ignore
   * await ring.timeoutRemove(7);
   * ```
   */
  async timeoutRemove(userData: number, options?: TimeoutRemoveOptions & RunOptions): Promise<void> {
    await this.runBuilt(() => new TimeoutRemove(userData, options), options);
  }

  /**
   * Cancels low-level operations by their user data, or by other keys (ASYNC_CANCEL, 5.5); resolves with
   * the kernel's result (0, or a count with `all`). Promise operations take `{ signal }` instead.
   *
   * @example
   * ```ts ignore
   * await ring.asyncCancel({ userData: 42, all: true });
   * ```
   */
  asyncCancel(target: number | AsyncCancelTarget, options?: RunOptions): Promise<number> {
    return this.runBuilt(() => new AsyncCancel(target), options);
  }

  /**
   * Cancels operations in flight and blocks this thread until they are cancelled or `timeout` passes
   * (IORING_REGISTER_SYNC_CANCEL, 6.0). `target` is a file descriptor or {@link FixedFile} (every op on it),
   * "all" (every op on the ring), or a {@link CancelMatch} in liburing's terms: by `userData` (a low-level
   * op's), `fd`, `opcode` (6.6), or `any`, all criteria given having to match, the first match only unless
   * `all` is set, as `io_uring_register_sync_cancel()` does. Unlike {@link IoRingCore.cancelFd}, it has
   * finished when it returns; each op still settles on its own. Returns how many were cancelled (0 when
   * none matched). Throws ETIME if the ops did not let go in time.
   *
   * @example Cancelling a low-level read by its user data
   * ```ts
   * import { IoRing, Read } from "@ioring/ioring";
   * using ring = new IoRing();
   * const [r, w] = await ring.pipe();
   * ring.prepare(new Read(r, new Uint8Array(8)), 42);
   * ring.submit();
   * console.log(ring.cancelSync({ userData: 42 }, { timeout: 1000 })); // 1
   * ```
   */
  cancelSync(target: number | FixedFile | "all" | CancelMatch, options: { timeout?: TimeSpec } = {}): number {
    const { arg, flags } = syncCancelArg(target, options.timeout);
    try {
      const ret = this.register(IORING_REGISTER_SYNC_CANCEL, "IORING_REGISTER_SYNC_CANCEL", arg, 1);
      // Without IORING_ASYNC_CANCEL_ALL the kernel says 0 for the one op it cancelled.
      return (flags & IORING_ASYNC_CANCEL_ALL) === 0 ? 1 : ret;
    } catch (error) {
      if (error instanceof IoRingError && error.code === "ENOENT") return 0;
      throw error;
    }
  }

  /**
   * Posts a completion into another ring (MSG_RING with IORING_MSG_DATA, 5.18): it sees `userData` and `res`.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using a = new IoRing(), b = new IoRing();
   * await a.msgRing(b, 42, 7);
   * for await (const cqe of b.completions()) {
   *   console.log(cqe.userData, cqe.res); // 42 7
   *   break;
   * }
   * ```
   */
  async msgRing(
    target: IoRingCore | number,
    userData: number,
    res = 0,
    options?: MsgRingOptions & RunOptions,
  ): Promise<void> {
    const fd = typeof target === "number" ? target : target?.fd;
    await this.runBuilt(() => new MsgRing(fd, userData, res, options), options);
  }

  /**
   * Registers the calling process's current credentials as a personality (IORING_REGISTER_PERSONALITY,
   * 5.6); ops run with them when given `.personality(id)`. Returns the id.
   *
   * @example
   * ```ts
   * import { IoRing, Nop } from "@ioring/ioring";
   * using ring = new IoRing();
   * const id = ring.registerPersonality();
   * console.log(await ring.run(new Nop().personality(id))); // 0
   * ring.unregisterPersonality(id);
   * ```
   */
  registerPersonality(): number {
    return this.register(IORING_REGISTER_PERSONALITY, "IORING_REGISTER_PERSONALITY", null, 0);
  }

  /**
   * Forgets a personality (IORING_UNREGISTER_PERSONALITY).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.unregisterPersonality(ring.registerPersonality());
   * ```
   */
  unregisterPersonality(id: number): void {
    checkU16(id, "unregister a personality", "id");
    this.register(IORING_UNREGISTER_PERSONALITY, "IORING_UNREGISTER_PERSONALITY", null, id);
  }

  /**
   * Caps the ring's io-wq worker threads (IORING_REGISTER_IOWQ_MAX_WORKERS, 5.15): `bounded` for
   * regular-file and block I/O, `unbounded` for the rest; 0 leaves one unchanged. Returns the previous caps.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const [bounded, unbounded] = ring.setIowqMaxWorkers(2, 4);
   * console.log(bounded > 0, unbounded > 0); // true true
   * ```
   */
  setIowqMaxWorkers(bounded: number, unbounded: number): [number, number] {
    checkU32(bounded, "set io-wq max workers", "bounded");
    checkU32(unbounded, "set io-wq max workers", "unbounded");
    const arg = new Uint32Array([bounded, unbounded]);
    this.register(IORING_REGISTER_IOWQ_MAX_WORKERS, "IORING_REGISTER_IOWQ_MAX_WORKERS", arg, 2);
    return [arg[0], arg[1]];
  }

  /**
   * Pins the ring's io-wq workers to `cpus` (IORING_REGISTER_IOWQ_AFF, 5.14); an empty list undoes it
   * (IORING_UNREGISTER_IOWQ_AFF).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.setIowqAffinity([0]);
   * ring.setIowqAffinity([]);
   * ```
   */
  setIowqAffinity(cpus: readonly number[]): void {
    if (!Array.isArray(cpus)) {
      throw new TypeError(
        `Cannot set io-wq affinity: cpus must be an array of CPU numbers: current value is ${describe(cpus)}`,
      );
    }
    if (cpus.length === 0) {
      this.register(IORING_UNREGISTER_IOWQ_AFF, "IORING_UNREGISTER_IOWQ_AFF", null, 0);
      return;
    }
    const mask = cpuMask(cpus);
    this.register(IORING_REGISTER_IOWQ_AFF, "IORING_REGISTER_IOWQ_AFF", mask, mask.length);
  }

  /**
   * Restricts what this ring may do (IORING_REGISTER_RESTRICTIONS, 5.10), a sandbox for code that gets the
   * ring: which register opcodes, which SQE opcodes, which IOSQE flags are allowed, and which are
   * required. Only a ring created with `rDisabled` takes restrictions, once; `ring.enable()` then starts
   * it. A refused op completes with EACCES. Register opcodes are the kernel's: `registerFiles()` and
   * `registerBuffers()` use IORING_REGISTER_FILES2/BUFFERS2 and fall back to IORING_REGISTER_FILES/BUFFERS
   * (allowed as liburing users write it) when the ring refuses those and no tags are given; sparse tables
   * and tags need the "2" forms allowed. Unregistering the ring's own registered fd stays allowed so
   * that `close()` can let go of the ring.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { IORING_OP_NOP, IORING_OP_READ } from "@ioring/ioring/constants";
   * using ring = new IoRing({ rDisabled: true });
   * ring.registerRestrictions({ sqeOps: [IORING_OP_NOP, IORING_OP_READ] });
   * ring.enable();
   * console.log(await ring.nop()); // 0
   * ```
   */
  registerRestrictions(restrictions: Restrictions): void {
    const { array, count } = restrictionArray(restrictions);
    this.register(IORING_REGISTER_RESTRICTIONS, "IORING_REGISTER_RESTRICTIONS", array, count);
  }
}
