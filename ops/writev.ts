import { IORING_OP_WRITEV } from "../kernel/constants.ts";
import type { BufferSource } from "../memory/buffers.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";
import { VectoredOp, type VectoredOptions } from "./_vectored.ts";

/**
 * Queues (but does not submit) a writev(2)/pwritev2(2) of several buffers in
 * order: `res` is the total number of bytes written.
 * Matches `io_uring_prep_writev()` / `io_uring_prep_writev2()` in liburing. Available since 5.1.
 *
 * @example
 * ```ts
 * import { IoRing, O_WRONLY, Writev } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
 * const enc = new TextEncoder();
 * console.log(await ring.run(new Writev(fd, [enc.encode("hello, "), enc.encode("world")], 0))); // 12
 * await ring.closeFd(fd);
 * ```
 */
export class Writev extends VectoredOp {
  /** Its name in errors. */
  readonly name: string = "writev";
  /** IORING_OP_WRITEV. */
  readonly opcode: number = IORING_OP_WRITEV;
  /** Available since Linux 5.1. */
  readonly since: string = "5.1";

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to write to.
   * @param buffers Written in order.
   * @param offset The file offset, or -1 for the file position (default).
   */
  constructor(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    offset = -1,
    options: VectoredOptions = {},
  ) {
    super("writev", fd, buffers, offset, options);
  }
}
