import {
  IORING_LINK_TIMEOUT_UPDATE,
  IORING_OP_TIMEOUT_REMOVE,
  IORING_TIMEOUT_UPDATE,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkFlags, checkOptions, checkU64 } from "../util/checks.ts";
import { encodeTimespec, type TimeSpec } from "../memory/timespec.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link TimeoutRemove}. */
export interface TimeoutRemoveOptions {
  /**
   * Instead of removing the timeout, re-arm it with this time (IORING_TIMEOUT_UPDATE, 5.11):
   * milliseconds or `{ sec, nsec }`.
   */
  update?: TimeSpec;
  /** With `update`: the target is an IORING_OP_LINK_TIMEOUT (IORING_LINK_TIMEOUT_UPDATE, 5.15). */
  linked?: boolean;
  /** More `IORING_TIMEOUT_*` flags for an update (IORING_TIMEOUT_ABS, a clock); default 0. */
  flags?: number;
}

/**
 * Queues (but does not submit) the removal of a pending IORING_OP_TIMEOUT
 * (which then completes with -ECANCELED), or with `update` a change of its
 * time. `res` is 0, -ENOENT when no timeout has that user data, or -EALREADY
 * when it is already firing.
 * Matches `io_uring_prep_timeout_remove()` and `io_uring_prep_timeout_update()`
 * in liburing. Available since 5.5; updates since 5.11 (of linked timeouts 5.15).
 *
 * @example
 * ```ts ignore
 * import { IoRing, Timeout, TimeoutRemove } from "@ioring/ioring";
 * using ring = new IoRing();
 * ring.prepare(new Timeout(60_000), 1);
 * ring.prepare(new TimeoutRemove(1, { update: 10 }), 2); // fire in 10 ms instead
 * ```
 */
export class TimeoutRemove extends OpBase {
  /** Points the kernel at memory only for an update. */
  override readonly holdsMemory: boolean;
  /** Its name in errors. */
  readonly name: string = "timeout_remove";
  /** IORING_OP_TIMEOUT_REMOVE. */
  readonly opcode: number = IORING_OP_TIMEOUT_REMOVE;
  /** The Linux version this use of the op needs: 5.5 to remove, 5.11 to update, 5.15 to update a linked timeout. */
  readonly since: string;
  /** The new `struct __kernel_timespec` of an update (empty for a removal); held until completion. */
  readonly timespec: BigInt64Array;
  readonly #userData: number;
  readonly #flags: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param userData The user data of the timeout to remove or update.
   */
  constructor(userData: number, options: TimeoutRemoveOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = "timeout_remove";
    this.#userData = checkU64(userData, what, "userData");
    let flags = checkFlags(options.flags ?? 0, what);
    if (options.update !== undefined) {
      this.timespec = encodeTimespec(options.update, what);
      flags |= IORING_TIMEOUT_UPDATE | (options.linked === true ? IORING_LINK_TIMEOUT_UPDATE : 0);
      this.#address = addressOf(this.timespec);
      this.holdsMemory = true;
    } else {
      if (options.linked === true) {
        throw new TypeError(`Cannot ${what}: linked applies to an update: give update too`);
      }
      this.timespec = new BigInt64Array(0);
      this.#address = 0;
      this.holdsMemory = false;
    }
    this.#flags = flags >>> 0;
    this.since = options.update === undefined ? "5.5" : options.linked === true ? "5.15" : "5.11";
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The target's user data travels in addr, an update's timespec in off.
    sqe.prepRw(IORING_OP_TIMEOUT_REMOVE, -1, this.#userData, 0, this.#address).opFlags(this.#flags);
  }
}
