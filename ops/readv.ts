import { IORING_OP_READV } from "../ring/constants.ts";
import type { BufferSource } from "./_memory.ts";
import type { FixedFile } from "./fixed_file.ts";
import { VectoredOp, type VectoredOptions } from "./_vectored.ts";

export type { VectoredOptions } from "./_vectored.ts";

/**
 * Queues (but does not submit) a readv(2)/preadv2(2) into several buffers in
 * order: `res` is the total number of bytes read.
 * Matches `io_uring_prep_readv()` / `io_uring_prep_readv2()` in liburing. Available since 5.1.
 *
 * @example
 * ```ts
 * import { IoRing, Readv } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * const head = new Uint8Array(2), rest = new Uint8Array(62);
 * console.log(await ring.run(new Readv(fd, [head, rest], 0)));
 * await ring.close(fd);
 * ```
 */
export class Readv extends VectoredOp {
  /** Its name in errors. */
  readonly name: string = "readv";
  /** IORING_OP_READV. */
  readonly opcode: number = IORING_OP_READV;
  /** Available since Linux 5.1. */
  readonly since: string = "5.1";

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to read from.
   * @param buffers Filled in order.
   * @param offset The file offset, or -1 for the file position (default).
   */
  constructor(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    offset = -1,
    options: VectoredOptions = {},
  ) {
    super("readv", fd, buffers, offset, options);
  }
}
