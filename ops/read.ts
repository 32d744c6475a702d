import { IORING_OP_READ } from "../ring/constants.ts";
import type { BufferSource } from "./_memory.ts";
import type { FixedFile } from "./fixed_file.ts";
import { BufferOp, type ReadWriteOptions } from "./_rw.ts";

export type { ReadWriteOptions } from "./_rw.ts";

/**
 * Queues (but does not submit) a read(2)/pread(2) into `buffer`: `res` is the
 * number of bytes read. An `offset` of -1 reads at the file position.
 * Matches `io_uring_prep_read()` in liburing. Available since 5.6.
 *
 * @example
 * ```ts
 * import { IoRing, Read } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * const buffer = new Uint8Array(64);
 * const n = await ring.run(new Read(fd, buffer, 0));
 * console.log(new TextDecoder().decode(buffer.subarray(0, n)));
 * await ring.close(fd);
 * ```
 */
export class Read extends BufferOp {
  /** Its name in errors. */
  readonly name: string = "read";
  /** IORING_OP_READ. */
  readonly opcode: number = IORING_OP_READ;
  /** Available since Linux 5.6. */
  readonly since: string = "5.6";

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to read from.
   * @param buffer Where the bytes go.
   * @param offset The file offset, or -1 for the file position (default).
   */
  constructor(fd: number | FixedFile, buffer: BufferSource, offset = -1, options: ReadWriteOptions = {}) {
    super("read", fd, buffer, offset, options);
  }
}
