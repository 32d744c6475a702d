import {
  FUTEX2_PRIVATE,
  FUTEX2_SIZE_U32,
  FUTEX_BITSET_MATCH_ANY,
  IORING_OP_FUTEX_WAIT,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkOptions } from "../util/checks.ts";
import { futexAddress, type FutexArray } from "./_futex.ts";
import { checkAttached } from "../memory/buffers.ts";
import { OpBase } from "../sqe/op.ts";

export type { FutexArray } from "./_futex.ts";

/** Options of {@link FutexWait} and {@link FutexWake}. */
export interface FutexOptions {
  /** The bitset matched against the other side's (FUTEX_WAIT_BITSET); default FUTEX_BITSET_MATCH_ANY. */
  mask?: number;
  /** futex2 flags; default FUTEX2_SIZE_U32 | FUTEX2_PRIVATE (the word is shared only within this process). */
  futexFlags?: number;
}

/**
 * Queues (but does not submit) a futex wait on `futex[index]`, like
 * `Atomics.wait` without blocking: if the word still holds `value` the request
 * sleeps until a futex wake on the same word (whose mask shares a bit with
 * `mask`) completes it with `res` 0; if it holds something else it fails at
 * once with EAGAIN. There is no timeout argument: link an IORING_OP_LINK_TIMEOUT.
 * Matches `io_uring_prep_futex_wait()` in liburing. Available since 6.7.
 *
 * @example
 * ```ts
 * import { FutexWait, FutexWake, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const word = new Int32Array(new SharedArrayBuffer(4));
 * const waiting = ring.run(new FutexWait(word, 0, 0));
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * console.log(await ring.run(new FutexWake(word, 0, 1))); // 1 waiter woken
 * console.log(await waiting); // 0
 * ```
 */
export class FutexWait extends OpBase {
  /** Its name in errors. */
  readonly name: string = "futex_wait";
  /** IORING_OP_FUTEX_WAIT. */
  readonly opcode: number = IORING_OP_FUTEX_WAIT;
  /** Available since Linux 6.7. */
  readonly since: string = "6.7";
  /** The array holding the futex word; held until completion. */
  readonly futex: FutexArray;
  readonly #address: number;
  readonly #value: number;
  readonly #mask: number;
  readonly #futexFlags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param futex The array holding the futex word.
   * @param index The word's index in it.
   * @param value The value the word must still hold for the wait to start.
   */
  constructor(futex: FutexArray, index: number, value: number, options: FutexOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = "futex_wait";
    this.#address = futexAddress(futex, index, what);
    this.futex = futex;
    this.#value = checkFlags(value, what, "value");
    this.#mask = checkFlags(options.mask ?? FUTEX_BITSET_MATCH_ANY, what, "mask");
    this.#futexFlags = checkFlags(
      options.futexFlags ?? (FUTEX2_SIZE_U32 | FUTEX2_PRIVATE),
      what,
      "futexFlags",
    );
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    checkAttached(this.futex, this.#address, this.name);
    // The futex2 flags travel in fd, the value in addr2 and the mask in addr3.
    sqe.prepRw(IORING_OP_FUTEX_WAIT, this.#futexFlags, this.#address, 0, this.#value).addr3(this.#mask);
  }
}
