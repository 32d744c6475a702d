import { IORING_OP_FADVISE } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkU64 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/**
 * Queues (but does not submit) a posix_fadvise(2): tells the kernel how
 * `length` bytes from `offset` will be used (`POSIX_FADV_*`); a `length` of 0
 * means to the end of the file. A length of 2^32 or more travels in the SQE's
 * 64-bit field, which kernels before 6.11 reject with EINVAL.
 * Matches `io_uring_prep_fadvise()` (and `io_uring_prep_fadvise64()` for long
 * ranges) in liburing. Available since 5.6.
 *
 * @example
 * ```ts
 * import { Fadvise, IoRing } from "@ioring/ioring";
 * import { POSIX_FADV_SEQUENTIAL } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * await ring.run(new Fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
 * await ring.closeFd(fd);
 * ```
 */
export class Fadvise extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "fadvise";
  /** IORING_OP_FADVISE. */
  readonly opcode: number = IORING_OP_FADVISE;
  /** The Linux version this use of the op needs: 5.6, or 6.11 for a length of 2^32 or more. */
  readonly since: string;
  readonly #fd: number;
  readonly #offset: number;
  readonly #length: number;
  readonly #advice: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file the advice is about.
   * @param offset Where the range starts.
   * @param length The range's length in bytes; 0 for the rest of the file.
   * @param advice A `POSIX_FADV_*` value.
   */
  constructor(fd: number | FixedFile, offset: number, length: number, advice: number) {
    super();
    const what = `fadvise ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.#offset = checkU64(offset, what, "offset");
    this.#length = checkU64(length, what, "length");
    this.#advice = checkFlags(advice, what, "advice");
    this.since = this.#length > 0xffffffff ? "6.11" : "5.6";
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    if (this.#length <= 0xffffffff) {
      sqe.prepRw(IORING_OP_FADVISE, this.#fd, 0, this.#length, this.#offset);
    } else {
      sqe.prepRw(IORING_OP_FADVISE, this.#fd, this.#length, 0, this.#offset);
    }
    sqe.opFlags(this.#advice);
  }
}
