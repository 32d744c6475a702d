import { IORING_OP_READV } from "../kernel/constants.ts";
import type { BufferSource } from "../memory/buffers.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";
import { VectoredOp, type VectoredOptions } from "./_vectored.ts";

export type { VectoredOptions } from "./_vectored.ts";

/**
 * Options of {@link Readv}: `rwFlags`, and the buffer group to read into.
 *
 * @example
 * ```ts ignore
 * const options: ReadvOptions = { bufferGroup: pool.group, length: 512 };
 * ring.prepare(new Readv(fd, null, 0, options), 1);
 * ```
 */
export interface ReadvOptions extends VectoredOptions {
  /**
   * Read into one buffer the kernel picks from this buffer group (IOSQE_BUFFER_SELECT and
   * `sqe.buf_group`): pass `null` as the buffers. The completion's flags carry IORING_CQE_F_BUFFER and the
   * buffer id; with no buffer left the read fails with ENOBUFS. Since 5.7.
   */
  bufferGroup?: number;
  /** With `bufferGroup`: a cap on the read (the one iovec's length); default 0, the picked buffer's size. */
  length?: number;
}

/**
 * Queues (but does not submit) a readv(2)/preadv2(2) into several buffers in
 * order: `res` is the total number of bytes read. With null buffers and
 * `bufferGroup`, the kernel reads into one buffer it picks from that group and
 * names it in the CQE's flags.
 * Matches `io_uring_prep_readv()` / `io_uring_prep_readv2()` in liburing (for a
 * group: one iovec of the length cap, IOSQE_BUFFER_SELECT and `sqe->buf_group`).
 * Available since 5.1; `bufferGroup` since 5.7.
 *
 * @example
 * ```ts
 * import { IoRing, Readv } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * const head = new Uint8Array(2), rest = new Uint8Array(62);
 * console.log(await ring.run(new Readv(fd, [head, rest], 0)));
 * await ring.closeFd(fd);
 * ```
 *
 * @example Into a buffer the kernel picks from a group
 * ```ts
 * import { BufferRing, IoRing, Readv } from "@ioring/ioring";
 * await using ring = new IoRing();
 * using pool = BufferRing.register(ring, { group: 2, entries: 4, size: 256 });
 * const fd = await ring.openat("/etc/hostname");
 * await ring.stream(new Readv(fd, null, 0, { bufferGroup: pool.group, length: 16 }), (res, flags) => {
 *   const { bid, data } = pool.take(flags, res);
 *   console.log(data.length <= 16); // true
 *   pool.recycle(bid);
 * });
 * await ring.closeFd(fd);
 * ```
 */
export class Readv extends VectoredOp {
  /** Its name in errors. */
  readonly name: string = "readv";
  /** IORING_OP_READV. */
  readonly opcode: number = IORING_OP_READV;
  /** The Linux version this use of the op needs: 5.1, 5.7 with `bufferGroup`. */
  readonly since: string;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to read from.
   * @param buffers Filled in order, or null to read into one buffer of `options.bufferGroup`.
   * @param offset The file offset, or -1 for the file position (default).
   */
  constructor(
    fd: number | FixedFile,
    buffers: readonly BufferSource[] | null,
    offset = -1,
    options: ReadvOptions = {},
  ) {
    super("readv", fd, buffers, offset, options, options ?? {});
    this.since = this.buffers.length === 0 ? "5.7" : "5.1";
  }
}
