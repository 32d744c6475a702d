import { IORING_OP_READ } from "../kernel/constants.ts";
import type { BufferSource } from "../memory/buffers.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";
import { BufferOp, type ReadWriteOptions, selectedGroup } from "./_rw.ts";

export type { ReadWriteOptions } from "./_rw.ts";

/**
 * Options of {@link Read}: those of every read and write, and the buffer group to read into.
 *
 * @example
 * ```ts ignore
 * const options: ReadOptions = { bufferGroup: pool.group, length: 512 };
 * ring.prepare(new Read(fd, null, 0, options), 1);
 * ```
 */
export interface ReadOptions extends ReadWriteOptions {
  /**
   * Read into a buffer the kernel picks from this buffer group (IOSQE_BUFFER_SELECT and `sqe.buf_group`):
   * a {@link BufferRing}'s group or one given with {@link ProvideBuffers}. Pass `null` as the buffer;
   * `length` then caps the read (default 0: the picked buffer's size). The completion's flags carry
   * IORING_CQE_F_BUFFER and the buffer id (`flags >>> IORING_CQE_BUFFER_SHIFT`); with no buffer left the
   * read fails with ENOBUFS. Since 5.7.
   */
  bufferGroup?: number;
}

/**
 * Queues (but does not submit) a read(2)/pread(2) into `buffer`: `res` is the
 * number of bytes read. An `offset` of -1 reads at the file position. With a
 * null buffer and `bufferGroup`, the kernel picks a buffer of that group and
 * names it in the CQE's flags (`ring.read(fd, bufferRing)` resolves with it).
 * Matches `io_uring_prep_read()` in liburing (with IOSQE_BUFFER_SELECT and
 * `sqe->buf_group` for a group). Available since 5.6; `bufferGroup` since 5.7.
 *
 * @example
 * ```ts
 * import { IoRing, Read } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * const buffer = new Uint8Array(64);
 * const n = await ring.run(new Read(fd, buffer, 0));
 * console.log(new TextDecoder().decode(buffer.subarray(0, n)));
 * await ring.closeFd(fd);
 * ```
 *
 * @example Into a buffer the kernel picks from a buffer ring
 * ```ts
 * import { BufferRing, IoRing, Read } from "@ioring/ioring";
 * await using ring = new IoRing();
 * using pool = BufferRing.register(ring, { group: 1, entries: 4, size: 256 });
 * const fd = await ring.openat("/etc/hostname");
 * await ring.stream(new Read(fd, null, 0, { bufferGroup: pool.group }), (res, flags) => {
 *   const { bid, data } = pool.take(flags, res);
 *   console.log(new TextDecoder().decode(data));
 *   pool.recycle(bid);
 * });
 * await ring.closeFd(fd);
 * ```
 */
export class Read extends BufferOp<Uint8Array | null> {
  /** Its name in errors. */
  readonly name: string = "read";
  /** IORING_OP_READ. */
  readonly opcode: number = IORING_OP_READ;
  /** The Linux version this use of the op needs: 5.6, 5.7 with `bufferGroup`. */
  readonly since: string;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to read from.
   * @param buffer Where the bytes go, or null to read into a buffer of `options.bufferGroup`.
   * @param offset The file offset, or -1 for the file position (default).
   */
  constructor(
    fd: number | FixedFile,
    buffer: BufferSource | null,
    offset = -1,
    options: ReadOptions = {},
  ) {
    super("read", fd, buffer, offset, options, selectedGroup("read", fd, buffer, options));
    this.since = this.buffer === null ? "5.7" : "5.6";
  }
}
