import { IORING_OP_WRITE } from "../kernel/constants.ts";
import type { BufferSource } from "../memory/buffers.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";
import { BufferOp, type ReadWriteOptions } from "./_rw.ts";

/**
 * Queues (but does not submit) a write(2)/pwrite(2) from `buffer`: `res` is
 * the number of bytes written. An `offset` of -1 writes at the file position.
 * Matches `io_uring_prep_write()` in liburing. Available since 5.6.
 *
 * @example
 * ```ts
 * import { IoRing, O_CREAT, O_WRONLY, Write } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY | O_CREAT, mode: 0o644 });
 * console.log(await ring.run(new Write(fd, new TextEncoder().encode("hello"), 0))); // 5
 * await ring.closeFd(fd);
 * ```
 */
export class Write extends BufferOp {
  /** Its name in errors. */
  readonly name: string = "write";
  /** IORING_OP_WRITE. */
  readonly opcode: number = IORING_OP_WRITE;
  /** Available since Linux 5.6. */
  readonly since: string = "5.6";

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to write to.
   * @param buffer The bytes to write.
   * @param offset The file offset, or -1 for the file position (default).
   */
  constructor(fd: number | FixedFile, buffer: BufferSource, offset = -1, options: ReadWriteOptions = {}) {
    super("write", fd, buffer, offset, options);
  }
}
