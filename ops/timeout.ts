import {
  IORING_OP_TIMEOUT,
  IORING_TIMEOUT_IMMEDIATE_ARG,
  IORING_TIMEOUT_MULTISHOT,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkFlags, checkOptions, checkU32 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { encodeTimespec, type TimeSpec } from "../memory/timespec.ts";

/** Options of {@link Timeout}. */
export interface TimeoutOptions {
  /** Also complete once this many other completions have been posted (0: time only). */
  count?: number;
  /**
   * `IORING_TIMEOUT_*` flags: ABS, BOOTTIME, REALTIME, ETIME_SUCCESS, MULTISHOT, and IMMEDIATE_ARG (7.1: the
   * SQE carries the time in nanoseconds instead of a pointer to a timespec; older kernels refuse it with EINVAL).
   */
  flags?: number;
}

/**
 * Queues (but does not submit) a timeout: it completes with `-ETIME` when the
 * time passes, or with 0 once `count` other completions have been posted.
 * Matches `io_uring_prep_timeout()` in liburing. Available since 5.4.
 *
 * @example
 * ```ts
 * import { IoRing, Timeout } from "@ioring/ioring";
 * using ring = new IoRing();
 * const res = await ring.run(new Timeout(10)).catch((error) => error.code);
 * console.log(res); // "ETIME": the promise API's ring.timeout() resolves instead
 * ```
 */
export class Timeout extends OpBase {
  /** Its name in errors. */
  readonly name: string = "timeout";
  /** IORING_OP_TIMEOUT. */
  readonly opcode: number = IORING_OP_TIMEOUT;
  /** The Linux version this use of the op needs: 5.4, 6.4 with IORING_TIMEOUT_MULTISHOT, 7.1 with IORING_TIMEOUT_IMMEDIATE_ARG. */
  readonly since: string;
  /** The `struct __kernel_timespec` the kernel reads; held until completion. */
  readonly timespec: BigInt64Array;
  readonly #count: number;
  readonly #flags: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param time How long (or until when, with IORING_TIMEOUT_ABS).
   */
  constructor(time: TimeSpec, options: TimeoutOptions = {}) {
    super();
    checkOptions(options, this.name);
    this.timespec = encodeTimespec(time, "timeout");
    this.#count = checkU32(options.count ?? 0, "timeout", "count");
    this.#flags = checkFlags(options.flags ?? 0, "timeout");
    this.multishot = (this.#flags & IORING_TIMEOUT_MULTISHOT) !== 0;
    const immediate = (this.#flags & IORING_TIMEOUT_IMMEDIATE_ARG) !== 0;
    this.since = immediate ? "7.1" : this.multishot ? "6.4" : "5.4";
    // IMMEDIATE_ARG: addr is the time itself, in nanoseconds.
    if (immediate && Number(this.timespec[0]) * 1e9 + Number(this.timespec[1]) > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(
        "Cannot timeout: with IORING_TIMEOUT_IMMEDIATE_ARG the time must be below 2^53 ns (about 104 days)",
      );
    }
    this.#address = immediate
      ? Number(this.timespec[0]) * 1e9 + Number(this.timespec[1])
      : addressOf(this.timespec);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_TIMEOUT, -1, this.#address, 1, this.#count).opFlags(this.#flags);
  }
}
