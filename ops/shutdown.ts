import { IORING_OP_SHUTDOWN } from "../kernel/constants.ts";
import { SHUT_RDWR } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkInt } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/**
 * Queues (but does not submit) a shutdown(2) of one or both directions of a
 * connected socket: with SHUT_WR the peer reads end of stream. `res` is 0.
 * Matches `io_uring_prep_shutdown()` in liburing. Available since 5.11.
 *
 * @example
 * ```ts ignore
 * import { IoRing, Shutdown } from "@ioring/ioring";
 * import { SHUT_WR } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * // socket: a connected socket
 * await ring.run(new Shutdown(socket, SHUT_WR));
 * ```
 */
export class Shutdown extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "shutdown";
  /** IORING_OP_SHUTDOWN. */
  readonly opcode: number = IORING_OP_SHUTDOWN;
  /** Available since Linux 5.11. */
  readonly since: string = "5.11";
  readonly #fd: number;
  readonly #how: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param how SHUT_RD, SHUT_WR or SHUT_RDWR (default).
   */
  constructor(fd: number | FixedFile, how: number = SHUT_RDWR) {
    super();
    const what = `shutdown ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.#how = checkInt(how, what, "how (SHUT_RD, SHUT_WR or SHUT_RDWR)", 0, 2);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_SHUTDOWN, this.#fd, 0, this.#how, 0);
  }
}
