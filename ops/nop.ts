import { IORING_OP_NOP } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { OpBase } from "../sqe/op.ts";

/**
 * Queues (but does not submit) a NOP: it completes with `res` 0 and does
 * nothing else; useful to measure the ring itself and to order links.
 * Matches `io_uring_prep_nop()` in liburing. Available since 5.1.
 *
 * @example
 * ```ts
 * import { IoRing, Nop } from "@ioring/ioring";
 * using ring = new IoRing();
 * console.log(await ring.run(new Nop())); // 0
 * ```
 */
export class Nop extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "nop";
  /** IORING_OP_NOP. */
  readonly opcode: number = IORING_OP_NOP;
  /** Available since Linux 5.1. */
  readonly since: string = "5.1";
  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_NOP, -1, 0, 0, 0);
  }
}
