import {
  FUTEX2_PRIVATE,
  FUTEX2_SIZE_U32,
  FUTEX_WAITV_MAX,
  IORING_OP_FUTEX_WAITV,
} from "../kernel/constants.ts";
import { FUTEX_WAITV } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, checkAttached } from "../memory/buffers.ts";
import { checkFlags, describe } from "../util/checks.ts";
import { futexAddress, type FutexArray } from "./_futex.ts";
import { OpBase } from "../sqe/op.ts";
import { TWO_32 } from "../util/u64.ts";

/** One word of a {@link FutexWaitv}. */
export interface FutexWaiter {
  /** The array holding the futex word. */
  futex: FutexArray;
  /** The word's index in it. */
  index: number;
  /** The value the word must still hold for the wait to start. */
  value: number;
  /** futex2 flags; default FUTEX2_SIZE_U32 | FUTEX2_PRIVATE. */
  flags?: number;
}

/**
 * Queues (but does not submit) a wait on several futex words at once
 * (futex_waitv(2)): if every word still holds its `value`, it sleeps until
 * one of them is woken and completes with `res` that word's index in
 * `waiters`; if one differs, it fails at once with EAGAIN. The builder owns
 * the `struct futex_waitv` array.
 * Matches `io_uring_prep_futex_waitv()` in liburing. Available since 6.7.
 *
 * @example
 * ```ts
 * import { FutexWaitv, FutexWake, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const words = new Int32Array(new SharedArrayBuffer(8));
 * const waiting = ring.run(new FutexWaitv([{ futex: words, index: 0, value: 0 }, { futex: words, index: 1, value: 0 }]));
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * await ring.run(new FutexWake(words, 1));
 * console.log(await waiting); // 1: the second word was woken
 * ```
 */
export class FutexWaitv extends OpBase {
  /** Its name in errors. */
  readonly name: string = "futex_waitv";
  /** IORING_OP_FUTEX_WAITV. */
  readonly opcode: number = IORING_OP_FUTEX_WAITV;
  /** Available since Linux 6.7. */
  readonly since: string = "6.7";
  /** The arrays holding the futex words, in order; held until completion. */
  readonly futexes: readonly FutexArray[];
  /** The `struct futex_waitv` array the kernel reads; held until completion. */
  readonly waitv: Uint32Array;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param waiters The words to wait on (1 to 128).
   */
  constructor(waiters: readonly FutexWaiter[]) {
    super();
    const what = "futex_waitv";
    if (!Array.isArray(waiters) || waiters.length === 0 || waiters.length > FUTEX_WAITV_MAX) {
      throw new RangeError(
        `Cannot ${what}: between 1 and ${FUTEX_WAITV_MAX} waiters are needed: current count is ${
          Array.isArray(waiters) ? waiters.length : describe(waiters)
        }`,
      );
    }
    this.waitv = new Uint32Array((waiters.length * FUTEX_WAITV.size) / 4);
    this.futexes = waiters.map((waiter, i) => {
      const address = futexAddress(waiter.futex, waiter.index, what);
      const w = (i * FUTEX_WAITV.size) / 4;
      this.waitv[w + FUTEX_WAITV.val / 4] = checkFlags(waiter.value, what, "value");
      this.waitv[w + FUTEX_WAITV.uaddr / 4] = address >>> 0;
      this.waitv[w + FUTEX_WAITV.uaddr / 4 + 1] = Math.floor(address / TWO_32);
      const flags = waiter.flags ?? (FUTEX2_SIZE_U32 | FUTEX2_PRIVATE);
      this.waitv[w + FUTEX_WAITV.flags / 4] = checkFlags(flags, what);
      return waiter.futex;
    });
    this.#address = addressOf(this.waitv);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    for (const futex of this.futexes) checkAttached(futex, 1, this.name);
    sqe.prepRw(IORING_OP_FUTEX_WAITV, 0, this.#address, this.futexes.length, 0);
  }
}
