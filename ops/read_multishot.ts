import { IORING_OP_READ_MULTISHOT, IOSQE_BUFFER_SELECT } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkOffset, checkOptions, checkU16, checkU32 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link ReadMultishot}. */
export interface ReadMultishotOptions {
  /** The most bytes per read; default 0: the size of the picked buffer (6.7 accepts only 0). */
  length?: number;
  /** The file offset: 0 or -1 (default) for the pipes and other pollable files this reads. */
  offset?: number;
}

/**
 * Queues (but does not submit) a multishot read: every time `fd` has data,
 * the kernel reads it into a buffer picked from buffer group `bufGroup`
 * (IOSQE_BUFFER_SELECT, set by the builder) and posts a CQE with `res` the
 * bytes read, IORING_CQE_F_BUFFER and the buffer id in the high 16 bits of
 * the flags, and IORING_CQE_F_MORE while more CQEs will follow. It ends with
 * a CQE without IORING_CQE_F_MORE: 0 at end of file, -ENOBUFS when the group
 * runs dry, or an error. Only pollable files (pipes, sockets, ...) qualify
 * (else EBADFD). Run it with `ring.multishot()` or `ring.prepare()`;
 * `ring.run()` refuses it.
 * Matches `io_uring_prep_read_multishot()` in liburing. Available since 6.7.
 *
 * @example
 * ```ts ignore
 * import { IORING_CQE_BUFFER_SHIFT, IoRing, ProvideBuffers, ReadMultishot } from "@ioring/ioring";
 * using ring = new IoRing();
 * const pool = new ProvideBuffers(new ArrayBuffer(8 * 4096), 1, 4096);
 * await ring.run(pool);
 * // fd: a pipe's read end
 * for await (const { res, flags } of ring.multishot(new ReadMultishot(fd, 1))) {
 *   const id = flags >>> IORING_CQE_BUFFER_SHIFT;
 *   console.log(pool.memory.subarray(id * 4096, id * 4096 + res));
 * }
 * ```
 */
export class ReadMultishot extends OpBase {
  /** Points the kernel at no memory (the provided buffers belong to the ring). */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "read_multishot";
  /** IORING_OP_READ_MULTISHOT. */
  readonly opcode: number = IORING_OP_READ_MULTISHOT;
  /** Available since Linux 6.7. */
  readonly since: string = "6.7";
  readonly #fd: number;
  readonly #bufGroup: number;
  readonly #length: number;
  readonly #offset: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The pollable file to read from.
   * @param bufGroup The provided-buffer group the buffers come from.
   */
  constructor(fd: number | FixedFile, bufGroup: number, options: ReadMultishotOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `read_multishot ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.#bufGroup = checkU16(bufGroup, what, "bufGroup");
    this.#length = checkU32(options.length ?? 0, what, "length");
    this.#offset = checkOffset(options.offset ?? -1, what);
    this.flags(IOSQE_BUFFER_SELECT);
    this.multishot = true;
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_READ_MULTISHOT, this.#fd, 0, this.#length, this.#offset).bufIndex(this.#bufGroup);
  }
}
