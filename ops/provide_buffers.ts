import { IORING_OP_PROVIDE_BUFFERS } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached } from "../memory/buffers.ts";
import { checkInt, checkOptions, checkU16, describe } from "../util/checks.ts";
import { bufferId } from "./_net.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link ProvideBuffers}. */
export interface ProvideBuffersOptions {
  /** How many buffers to carve; default as many whole buffers of `size` as `memory` holds. */
  count?: number;
  /** The id of the first buffer; the others follow (startId + 1, ...). Default 0. */
  startId?: number;
}

/** Most buffers one group holds (and one past the largest buffer id). */
const MAX_BUFFERS = 65536;

/**
 * Queues (but does not submit) IORING_OP_PROVIDE_BUFFERS: hands the kernel
 * `count` buffers of `size` bytes, carved in order from `memory`, as buffer
 * group `group`, for receives with a buffer group (IOSQE_BUFFER_SELECT).
 * `res` is 0. Each buffer is used once: a completion that used one carries
 * its id in `cqe.flags` (see {@link ProvideBuffers.bufferId}), and it must
 * be provided again before the kernel reuses it.
 *
 * The kernel keeps writing into `memory` after this op completes, while the
 * ring no longer holds it: keep this builder (or `memory`) reachable until
 * every buffer was consumed or removed ({@link RemoveBuffers}).
 * Matches `io_uring_prep_provide_buffers()` in liburing. Available since 5.7.
 *
 * @example
 * ```ts
 * import { IoRing, ProvideBuffers, RemoveBuffers } from "@ioring/ioring";
 * using ring = new IoRing();
 * const pool = new ProvideBuffers(new ArrayBuffer(8 * 4096), 1, 4096);
 * await ring.run(pool);
 * console.log(await ring.run(new RemoveBuffers(1, 8))); // 8
 * ```
 */
export class ProvideBuffers extends OpBase {
  /** Its name in errors. */
  readonly name: string = "provide_buffers";
  /** IORING_OP_PROVIDE_BUFFERS. */
  readonly opcode: number = IORING_OP_PROVIDE_BUFFERS;
  /** Available since Linux 5.7. */
  readonly since: string = "5.7";
  /** The memory the buffers are carved from; the kernel writes into it until they are used or removed. */
  readonly memory: Uint8Array;
  /** The buffer group id. */
  readonly group: number;
  /** Bytes per buffer. */
  readonly size: number;
  /** Buffers in this op. */
  readonly count: number;
  /** The first buffer's id. */
  readonly startId: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param memory Where the buffers are carved from, in order.
   * @param group The buffer group id (0 to 65535).
   * @param size Bytes per buffer.
   */
  constructor(memory: BufferSource, group: number, size: number, options: ProvideBuffersOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `provide buffers to group ${describe(group)}`;
    this.memory = byteView(memory, what);
    this.group = checkU16(group, what, "bufferGroup");
    this.size = checkInt(size, what, "size", 1, 0xffffffff);
    const fits = Math.floor(this.memory.byteLength / this.size);
    if (fits === 0) {
      throw new RangeError(
        `Cannot ${what}: memory must hold at least one buffer of ${this.size} bytes: current size is ${this.memory.byteLength}`,
      );
    }
    this.count = checkInt(
      options.count ?? Math.min(fits, MAX_BUFFERS),
      what,
      "count",
      1,
      Math.min(fits, MAX_BUFFERS),
    );
    this.startId = checkInt(options.startId ?? 0, what, "startId", 0, MAX_BUFFERS - this.count);
    this.#address = addressOf(this.memory);
  }

  /** The bytes of buffer `id` (a view of `memory`). */
  buffer(id: number): Uint8Array {
    const i = checkInt(
      id,
      `read buffer of group ${this.group}`,
      "buffer id",
      this.startId,
      this.startId + this.count - 1,
    ) -
      this.startId;
    return this.memory.subarray(i * this.size, (i + 1) * this.size);
  }

  /**
   * The id of the provided buffer a completion used: the high 16 bits of
   * `cqe.flags` when IORING_CQE_F_BUFFER is set, otherwise -1.
   */
  static bufferId(cqeFlags: number): number {
    return bufferId(cqeFlags);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    checkAttached(this.memory, this.#address, this.name);
    // fd carries the number of buffers, off the first buffer id.
    sqe.prepRw(IORING_OP_PROVIDE_BUFFERS, this.count, this.#address, this.size, this.startId).bufIndex(
      this.group,
    );
  }
}
