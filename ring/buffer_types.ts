/**
 * The shapes that buffer rings take and give: the options of {@link BufferRing.register}, what
 * {@link BufferRing.take} returns for a completion, and what a promise read with a `bufferGroup` resolves
 * with.
 *
 * @example
 * ```ts ignore
 * const options: BufferRingOptions = { group: 1, entries: 64, size: 4096 };
 * const { bid, data, more }: BufferRingTake = pool.take(cqe.flags, cqe.res);
 * ```
 *
 * @module
 */
/**
 * Options of {@link BufferRing.register}.
 *
 * @example
 * ```ts ignore
 * const options: BufferRingOptions = { group: 1, entries: 64, size: 4096 };
 * const pool = BufferRing.register(ring, options);
 * ```
 */
export interface BufferRingOptions {
  /**
   * The buffer group id that ops name in `bufferGroup`: 0 to 65535. The kernel allocates the ring of a
   * group up to 2047 (unless `ringMemory` is given); a group from 2048 up gets its ring in application
   * memory, which this object allocates.
   */
  group: number;
  /** How many buffers: a power of two from 1 to 32768; buffer ids are 0 to `entries` - 1. */
  entries: number;
  /** Bytes per buffer, from 1 to 2^31-1. */
  size: number;
  /**
   * IOU_PBUF_RING_INC (6.12): each completion uses only the bytes it needs, so one buffer serves
   * several receives; the CQE carries IORING_CQE_F_BUF_MORE while the kernel keeps the buffer.
   */
  incremental?: boolean;
  /**
   * Memory the caller provides for the ring's entries, instead of the kernel (which the ring then
   * registers by address, as `io_uring_register_buf_ring()` with `ring_addr`): at least `entries` × 16
   * bytes, starting on a page boundary. The kernel pins its pages while the group is registered, reads
   * the entries from it, and this object writes them; it holds the memory until then. Any group may use
   * it (5.19).
   */
  ringMemory?: Uint8Array;
}

/**
 * What {@link BufferRing.take} returns for a completion.
 *
 * @example
 * ```ts ignore
 * const { bid, data, more }: BufferRingTake = pool.take(cqe.flags, cqe.res);
 * ```
 */
export interface BufferRingTake {
  /** The buffer id the kernel picked. */
  bid: number;
  /** The bytes this completion delivered: a view of the buffer, valid until the buffer is recycled. */
  data: Uint8Array;
  /**
   * Incremental rings only: the kernel keeps the buffer for more completions (IORING_CQE_F_BUF_MORE),
   * so it must not be recycled yet. Always false otherwise.
   */
  more: boolean;
}

/**
 * What `ring.read()`, `ring.readv()` and `ring.recv()` resolve with for a null buffer and a `bufferGroup`
 * (a group of {@link ProvideBuffers} or any other): the bytes transferred and the id of the buffer the
 * kernel picked, from the completion's flags (IORING_CQE_F_BUFFER, the id above
 * IORING_CQE_BUFFER_SHIFT), or null when the completion names none (a receive at end of stream). The
 * caller finds the bytes at that buffer's place in the group's memory and gives the buffer back when done.
 *
 * @example
 * ```ts
 * import { IoRing, ProvideBuffers } from "@ioring/ioring";
 * await using ring = new IoRing();
 * const memory = new Uint8Array(4 * 256);
 * await ring.run(new ProvideBuffers(memory, 9, 256));
 * const fd = await ring.openat("/etc/hostname");
 * const { bytes, bufferId } = await ring.read(fd, null, 0, { bufferGroup: 9 });
 * const at = bufferId! * 256;
 * console.log(new TextDecoder().decode(memory.subarray(at, at + bytes)));
 * await ring.closeFd(fd);
 * ```
 */
export interface BufferSelection {
  /** The result: bytes read or received (0 at end of file or stream). */
  bytes: number;
  /** The id of the buffer that holds them, or null when the completion names no buffer. */
  bufferId: number | null;
}
