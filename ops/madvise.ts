import {
  IORING_OP_MADVISE,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_REMOVE,
  MADV_WIPEONFORK,
} from "../kernel/constants.ts";
import { nativeOrNull } from "../ffi/native.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached } from "../memory/buffers.ts";
import { checkFlags } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

const pageSize = nativeOrNull()?.pageSize ?? 4096;

/** Advice that changes the bytes of every page it touches, whole pages (the kernel rounds the length up). */
export const DISCARDING: ReadonlySet<number> = new Set([
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_REMOVE,
  MADV_WIPEONFORK,
]);

/**
 * Queues (but does not submit) a madvise(2) on the memory of `buffer`: tells
 * the kernel how it will be used (`MADV_*`). The kernel requires the start to
 * be page-aligned (EINVAL otherwise); pass a page-aligned view. Advice that
 * discards contents (MADV_DONTNEED, MADV_FREE, MADV_REMOVE, ...) is refused
 * unless the view is a whole number of pages: the kernel rounds the length up
 * to a page, which would reach memory past the view. A buffer of 4 GiB or more travels in
 * the SQE's 64-bit field, which kernels before 6.11 reject with EINVAL.
 * Matches `io_uring_prep_madvise()` (and `io_uring_prep_madvise64()` for long
 * ranges) in liburing. Available since 5.6.
 *
 * @example
 * ```ts ignore
 * import { IoRing, Madvise } from "@ioring/ioring";
 * import { MADV_WILLNEED } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * // pageAligned: a view whose first byte starts a page
 * await ring.run(new Madvise(pageAligned, MADV_WILLNEED));
 * ```
 */
export class Madvise extends OpBase {
  /** Its name in errors. */
  readonly name: string = "madvise";
  /** IORING_OP_MADVISE. */
  readonly opcode: number = IORING_OP_MADVISE;
  /** The Linux version this use of the op needs: 5.6, or 6.11 for 4 GiB or more. */
  readonly since: string;
  /** The memory the advice is about; held until completion. */
  readonly buffer: Uint8Array;
  readonly #address: number;
  readonly #advice: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param buffer The memory range (its whole view).
   * @param advice A `MADV_*` value.
   */
  constructor(buffer: BufferSource, advice: number) {
    super();
    this.buffer = byteView(buffer, "madvise");
    this.#advice = checkFlags(advice, "madvise", "advice");
    if (DISCARDING.has(this.#advice) && this.buffer.byteLength % pageSize !== 0) {
      throw new RangeError(
        `Cannot madvise: advice ${this.#advice} discards whole pages, so the buffer must be a whole number of ${pageSize}-byte pages: current length is ${this.buffer.byteLength}`,
      );
    }
    this.since = this.buffer.byteLength > 0xffffffff ? "6.11" : "5.6";
    this.#address = addressOf(this.buffer);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    checkAttached(this.buffer, this.#address, this.name);
    const length = this.buffer.byteLength;
    if (length <= 0xffffffff) {
      sqe.prepRw(IORING_OP_MADVISE, -1, this.#address, length, 0);
    } else {
      sqe.prepRw(IORING_OP_MADVISE, -1, this.#address, 0, length);
    }
    sqe.opFlags(this.#advice);
  }
}
