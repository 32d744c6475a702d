import { IORING_OP_SPLICE } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFd, checkFlags, checkOffset, checkOptions, checkU32, describe } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Splice}. */
export interface SpliceOptions {
  /** Offset in `fdIn`, or -1 (default) for its position; must be -1 for a pipe. */
  offIn?: number;
  /** Offset in `fdOut`, or -1 (default) for its position; must be -1 for a pipe. */
  offOut?: number;
  /** `SPLICE_F_*` flags, and SPLICE_F_FD_IN_FIXED when `fdIn` is a registered file. */
  flags?: number;
}

/**
 * Queues (but does not submit) a splice(2): moves up to `length` bytes from
 * `fdIn` to `fdOut`, one of which must be a pipe, without copying them
 * through user memory. `res` is the number of bytes moved.
 * Matches `io_uring_prep_splice()` in liburing. Available since 5.7.
 *
 * @example File to pipe
 * ```ts ignore
 * import { IoRing, Splice } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * // pipeWrite: the write end of a pipe
 * const moved = await ring.run(new Splice(fd, pipeWrite, 4096, { offIn: 0 }));
 * ```
 */
export class Splice extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "splice";
  /** IORING_OP_SPLICE. */
  readonly opcode: number = IORING_OP_SPLICE;
  /** Available since Linux 5.7. */
  readonly since: string = "5.7";
  readonly #fdIn: number;
  readonly #fdOut: number;
  readonly #length: number;
  #offIn: number;
  #offOut: number;
  readonly #flags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fdIn Where the bytes come from.
   * @param fdOut Where they go.
   * @param length The most bytes to move.
   */
  constructor(fdIn: number, fdOut: number, length: number, options: SpliceOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `splice fd ${describe(fdIn)} to fd ${describe(fdOut)}`;
    this.#fdIn = checkFd(fdIn, what);
    this.#fdOut = checkFd(fdOut, what);
    this.#length = checkU32(length, what, "length");
    this.#offIn = checkOffset(options.offIn ?? -1, what);
    this.#offOut = checkOffset(options.offOut ?? -1, what);
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.target = { fd: fdIn };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // off is the output offset, addr (splice_off_in) the input one, splice_fd_in the input fd.
    sqe.prepRw(IORING_OP_SPLICE, this.#fdOut, this.#offIn, this.#length, this.#offOut)
      .fileIndex(this.#fdIn)
      .opFlags(this.#flags);
  }
}
