import { IORING_OP_WRITE_FIXED } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import type { BufferSource } from "../memory/buffers.ts";
import { checkU16 } from "../util/checks.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";
import { BufferOp, type ReadWriteOptions } from "./_rw.ts";

/**
 * Queues (but does not submit) a pwrite(2) from a registered buffer: `buffer`
 * must lie inside the buffer registered at index `bufIndex`
 * (IORING_REGISTER_BUFFERS), else the write fails with EFAULT. The kernel skips
 * pinning and mapping the pages for each request. `res` is the number of bytes
 * written; an `offset` of -1 writes at the file position.
 * Matches `io_uring_prep_write_fixed()` in liburing. Available since 5.1.
 *
 * @example
 * ```ts ignore
 * import { IoRing, WriteFixed } from "@ioring/ioring";
 * using ring = new IoRing();
 * // `registered` was registered as buffer 0; fd is an open file
 * const n = await ring.run(new WriteFixed(fd, registered.subarray(0, 4096), 0, 0));
 * ```
 */
export class WriteFixed extends BufferOp {
  /** Its name in errors. */
  readonly name: string = "write_fixed";
  /** IORING_OP_WRITE_FIXED. */
  readonly opcode: number = IORING_OP_WRITE_FIXED;
  /** Available since Linux 5.1. */
  readonly since: string = "5.1";
  /** The registered buffer that `buffer` lies in. */
  readonly bufIndex: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to write to.
   * @param buffer The bytes to write: a view inside registered buffer `bufIndex`.
   * @param bufIndex The index of the registered buffer.
   * @param offset The file offset, or -1 for the file position (default).
   */
  constructor(
    fd: number | FixedFile,
    buffer: BufferSource,
    bufIndex: number,
    offset = -1,
    options: ReadWriteOptions = {},
  ) {
    super("write_fixed", fd, buffer, offset, options);
    this.bufIndex = checkU16(bufIndex, `write_fixed ${fdLabel(fd)}`, "bufIndex");
  }

  /** Writes the SQE's fields. */
  protected override prepOp(sqe: SqeWriter): void {
    super.prepOp(sqe);
    sqe.bufIndex(this.bufIndex);
  }
}
