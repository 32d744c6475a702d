import { IORING_OP_CLOSE } from "../ring/constants.ts";
import type { SqeWriter } from "../ring/sqe.ts";
import { OpBase } from "./op.ts";
import { fdLabel, type FixedFile } from "./fixed_file.ts";

/**
 * Queues (but does not submit) a close(2) of a file descriptor.
 * Matches `io_uring_prep_close()` in liburing. Available since 5.6.
 *
 * @example
 * ```ts
 * import { Close, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * await ring.run(new Close(fd));
 * ```
 */
export class Close extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory = false;
  /** Its name in errors. */
  readonly name = "close";
  /** IORING_OP_CLOSE. */
  readonly opcode = IORING_OP_CLOSE;
  /** Available since Linux 5.6. */
  readonly since = "5.6";
  readonly #fd: number;

  /** @param fd The file descriptor to close. */
  constructor(fd: number | FixedFile) {
    super();
    this.#fd = this.useFd(fd, `close ${fdLabel(fd)}`);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_CLOSE, this.#fd, 0, 0, 0);
  }
}
