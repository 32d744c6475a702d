import { IORING_OP_READV_FIXED } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import type { BufferSource } from "../memory/buffers.ts";
import { checkU16 } from "../util/checks.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";
import { VectoredOp, type VectoredOptions } from "./_vectored.ts";

/**
 * Queues (but does not submit) a preadv2(2) into several buffers that all lie
 * inside the buffer registered at index `bufIndex` (IORING_REGISTER_BUFFERS),
 * else the read fails with EFAULT. `res` is the total number of bytes read; an
 * `offset` of -1 reads at the file position.
 * Matches `io_uring_prep_readv_fixed()` in liburing. Available since 6.15.
 *
 * @example
 * ```ts ignore
 * import { IoRing, ReadvFixed } from "@ioring/ioring";
 * using ring = new IoRing();
 * // `registered` was registered as buffer 0; fd is an open file
 * const parts = [registered.subarray(0, 16), registered.subarray(4096, 8192)];
 * const n = await ring.run(new ReadvFixed(fd, parts, 0, 0));
 * ```
 */
export class ReadvFixed extends VectoredOp {
  /** Its name in errors. */
  readonly name: string = "readv_fixed";
  /** IORING_OP_READV_FIXED. */
  readonly opcode: number = IORING_OP_READV_FIXED;
  /** Available since Linux 6.15. */
  readonly since: string = "6.15";
  /** The registered buffer that every buffer lies in. */
  readonly bufIndex: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to read from.
   * @param buffers Where the bytes go, in order: views inside registered buffer `bufIndex`.
   * @param bufIndex The index of the registered buffer.
   * @param offset The file offset, or -1 for the file position (default).
   */
  constructor(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    bufIndex: number,
    offset = -1,
    options: VectoredOptions = {},
  ) {
    super("readv_fixed", fd, buffers, offset, options);
    this.bufIndex = checkU16(bufIndex, `readv_fixed ${fdLabel(fd)}`, "bufIndex");
  }

  /** Writes the SQE's fields. */
  protected override prepOp(sqe: SqeWriter): void {
    super.prepOp(sqe);
    sqe.bufIndex(this.bufIndex);
  }
}
