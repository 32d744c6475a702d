import { IORING_OP_REMOVE_BUFFERS } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkInt, checkU16, describe } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/**
 * Queues (but does not submit) IORING_OP_REMOVE_BUFFERS: takes up to `count`
 * unused buffers of provided-buffer group `group` back from the kernel. `res`
 * is the number removed; a group with no buffers fails with ENOENT.
 * Matches `io_uring_prep_remove_buffers()` in liburing. Available since 5.7.
 *
 * @example
 * ```ts
 * import { IoRing, ProvideBuffers, RemoveBuffers } from "@ioring/ioring";
 * using ring = new IoRing();
 * const pool = new ProvideBuffers(new ArrayBuffer(4 * 1024), 3, 1024);
 * await ring.run(pool);
 * console.log(await ring.run(new RemoveBuffers(3, 100))); // 4
 * ```
 */
export class RemoveBuffers extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "remove_buffers";
  /** IORING_OP_REMOVE_BUFFERS. */
  readonly opcode: number = IORING_OP_REMOVE_BUFFERS;
  /** Available since Linux 5.7. */
  readonly since: string = "5.7";
  readonly #group: number;
  readonly #count: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param group The buffer group id (0 to 65535).
   * @param count The most buffers to remove (1 to 65536).
   */
  constructor(group: number, count: number) {
    super();
    const what = `remove buffers of group ${describe(group)}`;
    this.#group = checkU16(group, what, "bufferGroup");
    this.#count = checkInt(count, what, "count", 1, 65536);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // fd carries the number of buffers.
    sqe.prepRw(IORING_OP_REMOVE_BUFFERS, this.#count, 0, 0, 0).bufIndex(this.#group);
  }
}
