import { EPOLL_CTL_DEL, IORING_OP_EPOLL_CTL } from "../kernel/constants.ts";
import { EPOLL_EVENT } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkFd, checkFlags, checkInt, checkOptions, checkU64, describe } from "../util/checks.ts";
import { encodeEpollEvent } from "./_epoll.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link EpollCtl}. */
export interface EpollCtlOptions {
  /** The 64-bit user data the events report (a safe integer); default: `fd` itself. */
  data?: number;
}

/**
 * Queues (but does not submit) an epoll_ctl(2): adds `fd` to the epoll set
 * `epfd`, changes its events, or removes it (EPOLL_CTL_ADD, _MOD, _DEL). Both
 * descriptors are plain file descriptors (the kernel takes no registered file
 * here). The builder owns the `struct epoll_event`.
 * Matches `io_uring_prep_epoll_ctl()` in liburing. Available since 5.6.
 *
 * @example
 * ```ts ignore
 * import { EpollCtl, IoRing } from "@ioring/ioring";
 * import { EPOLL_CTL_ADD, EPOLLIN } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * // epfd from epoll_create1(2); fd: a pipe's read end
 * await ring.run(new EpollCtl(epfd, EPOLL_CTL_ADD, fd, EPOLLIN, { data: 42 }));
 * ```
 */
export class EpollCtl extends OpBase {
  /** Its name in errors. */
  readonly name: string = "epoll_ctl";
  /** IORING_OP_EPOLL_CTL. */
  readonly opcode: number = IORING_OP_EPOLL_CTL;
  /** Available since Linux 5.6. */
  readonly since: string = "5.6";
  /** The `struct epoll_event` the kernel reads (not for EPOLL_CTL_DEL); held until completion. */
  readonly event: Uint8Array = new Uint8Array(EPOLL_EVENT.size);
  readonly #epfd: number;
  readonly #op: number;
  readonly #fd: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param epfd The epoll instance.
   * @param op EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL.
   * @param fd The file descriptor to watch.
   * @param events The `EPOLL*` events and flags to watch for (ignored by EPOLL_CTL_DEL).
   */
  constructor(epfd: number, op: number, fd: number, events = 0, options: EpollCtlOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `epoll_ctl fd ${describe(epfd)}`;
    this.#epfd = checkFd(epfd, what);
    this.#op = checkFlags(op, what, "op");
    this.#fd = checkInt(fd, what, "fd", 0, 0x7fffffff, "a file descriptor");
    const data = checkU64(options.data ?? fd, what, "data");
    encodeEpollEvent(this.event, 0, checkFlags(events, what, "events"), data);
    this.#address = this.#op === EPOLL_CTL_DEL ? 0 : addressOf(this.event);
    this.target = { fd: this.#epfd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The operation travels in len and the watched fd in off.
    sqe.prepRw(IORING_OP_EPOLL_CTL, this.#epfd, this.#address, this.#op, this.#fd);
  }
}
