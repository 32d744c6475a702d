import { IORING_OP_TEE, SPLICE_F_FD_IN_FIXED } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkInt, checkOptions, checkU32 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link Tee}. */
export interface TeeOptions {
  /** `SPLICE_F_*` flags (NONBLOCK, MORE, ...); default 0. */
  flags?: number;
}

/**
 * Queues (but does not submit) a tee(2): copies up to `length` bytes from the
 * pipe `fdIn` to the pipe `fdOut` without consuming them from `fdIn`. `res`
 * is the number of bytes duplicated. A registered `fdIn` is passed with
 * SPLICE_F_FD_IN_FIXED, which the builder sets.
 * Matches `io_uring_prep_tee()` in liburing. Available since 5.8.
 *
 * @example
 * ```ts ignore
 * import { IoRing, Tee } from "@ioring/ioring";
 * using ring = new IoRing();
 * // a: [read, write] of a pipe holding data; b: another pipe
 * const copied = await ring.run(new Tee(a[0], b[1], 65536));
 * ```
 */
export class Tee extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "tee";
  /** IORING_OP_TEE. */
  readonly opcode: number = IORING_OP_TEE;
  /** Available since Linux 5.8. */
  readonly since: string = "5.8";
  readonly #fdIn: number;
  readonly #fdOut: number;
  readonly #length: number;
  readonly #flags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fdIn The pipe whose bytes are duplicated (a registered file is allowed).
   * @param fdOut The pipe they are duplicated into (a registered file is allowed).
   * @param length The most bytes to duplicate.
   */
  constructor(fdIn: number | FixedFile, fdOut: number | FixedFile, length: number, options: TeeOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `tee ${fdLabel(fdIn)} to ${fdLabel(fdOut)}`;
    this.#fdOut = this.useFd(fdOut, what);
    let flags = checkFlags(options.flags ?? 0, what);
    if (fdIn instanceof FixedFile) {
      this.#fdIn = fdIn.index;
      flags = (flags | SPLICE_F_FD_IN_FIXED) >>> 0;
    } else {
      // useFd would mark the SQE's own fd as registered; only the check is wanted here.
      this.#fdIn = checkInt(fdIn, what, "fd", 0, 0x7fffffff, "a file descriptor or a FixedFile");
    }
    this.#flags = flags;
    this.#length = checkU32(length, what, "length");
    this.target = { fd: this.#fdIn };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The input fd travels in splice_fd_in; both offsets stay 0.
    sqe.prepRw(IORING_OP_TEE, this.#fdOut, 0, this.#length, 0).fileIndex(this.#fdIn).opFlags(this.#flags);
  }
}
