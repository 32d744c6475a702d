import {
  FUTEX2_PRIVATE,
  FUTEX2_SIZE_U32,
  FUTEX_BITSET_MATCH_ANY,
  IORING_OP_FUTEX_WAKE,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkInt, checkOptions } from "../util/checks.ts";
import { futexAddress, type FutexArray } from "./_futex.ts";
import type { FutexOptions } from "./futex_wait.ts";
import { OpBase } from "../sqe/op.ts";

/**
 * Queues (but does not submit) a futex wake on `futex[index]`, like
 * `Atomics.notify` for futex waits: wakes up to `count` waiters (of
 * IORING_OP_FUTEX_WAIT/WAITV or futex(2)) whose mask shares a bit with `mask`.
 * `res` is the number woken. It does not wake `Atomics.wait`, which the
 * JavaScript engines implement without futexes.
 * Matches `io_uring_prep_futex_wake()` in liburing. Available since 6.7.
 *
 * @example
 * ```ts
 * import { FutexWake, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const word = new Int32Array(new SharedArrayBuffer(4));
 * console.log(await ring.run(new FutexWake(word, 0))); // 0: nobody waits
 * ```
 */
export class FutexWake extends OpBase {
  /** Its name in errors. */
  readonly name: string = "futex_wake";
  /** IORING_OP_FUTEX_WAKE. */
  readonly opcode: number = IORING_OP_FUTEX_WAKE;
  /** Available since Linux 6.7. */
  readonly since: string = "6.7";
  /** The array holding the futex word; held until completion. */
  readonly futex: FutexArray;
  readonly #address: number;
  readonly #count: number;
  readonly #mask: number;
  readonly #futexFlags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param futex The array holding the futex word.
   * @param index The word's index in it.
   * @param count The most waiters to wake (default 1).
   */
  constructor(futex: FutexArray, index: number, count = 1, options: FutexOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = "futex_wake";
    this.#address = futexAddress(futex, index, what);
    this.futex = futex;
    this.#count = checkInt(count, what, "count", 0, 0x7fffffff, "an integer from 0 to 2^31-1");
    this.#mask = checkFlags(options.mask ?? FUTEX_BITSET_MATCH_ANY, what, "mask");
    this.#futexFlags = checkFlags(
      options.futexFlags ?? (FUTEX2_SIZE_U32 | FUTEX2_PRIVATE),
      what,
      "futexFlags",
    );
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The futex2 flags travel in fd, the count in addr2 and the mask in addr3.
    sqe.prepRw(IORING_OP_FUTEX_WAKE, this.#futexFlags, this.#address, 0, this.#count).addr3(this.#mask);
  }
}
