import { IORING_OP_LISTEN } from "../kernel/constants.ts";
import { SOMAXCONN } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkInt } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/**
 * Queues (but does not submit) a listen(2): marks a bound stream socket as
 * accepting connections, with up to `backlog` pending ones (the kernel caps
 * it at net.core.somaxconn). `res` is 0.
 * Matches `io_uring_prep_listen()` in liburing. Available since 6.11.
 *
 * @example
 * ```ts ignore
 * import { IoRing, Listen } from "@ioring/ioring";
 * using ring = new IoRing();
 * // fd: a bound TCP socket
 * await ring.run(new Listen(fd, 128));
 * ```
 */
export class Listen extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "listen";
  /** IORING_OP_LISTEN. */
  readonly opcode: number = IORING_OP_LISTEN;
  /** Available since Linux 6.11. */
  readonly since: string = "6.11";
  readonly #fd: number;
  readonly #backlog: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The bound socket.
   * @param backlog The most pending connections; default SOMAXCONN (4096).
   */
  constructor(fd: number | FixedFile, backlog: number = SOMAXCONN) {
    super();
    const what = `listen ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.#backlog = checkInt(backlog, what, "backlog", 0, 0x7fffffff);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_LISTEN, this.#fd, 0, this.#backlog, 0);
  }
}
