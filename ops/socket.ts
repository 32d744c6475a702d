import { IORING_OP_SOCKET } from "../kernel/constants.ts";
import { SOCK_CLOEXEC } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkInt, checkOptions, describe } from "../util/checks.ts";
import { directSlot } from "./_net.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Socket}. */
export interface SocketOptions {
  /**
   * Create the socket as a direct descriptor in the ring's registered-file
   * table instead of the process's fd table: a slot (`res` is then 0), or
   * `"alloc"` (IORING_FILE_INDEX_ALLOC) to let the kernel pick a free slot
   * and return it in `res`.
   */
  direct?: number | "alloc";
}

/**
 * Queues (but does not submit) a socket(2): `res` is the new socket's fd (or,
 * with `direct`, 0 or the allocated slot). SOCK_CLOEXEC is always added to a
 * regular fd (the kernel refuses it for a direct one).
 * Matches `io_uring_prep_socket()`, `io_uring_prep_socket_direct()` and
 * `io_uring_prep_socket_direct_alloc()` in liburing. Available since 5.19.
 *
 * @example
 * ```ts
 * import { AF_INET, IoRing, SOCK_STREAM, Socket } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.run(new Socket(AF_INET, SOCK_STREAM));
 * await ring.closeFd(fd);
 * ```
 */
export class Socket extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "socket";
  /** IORING_OP_SOCKET. */
  readonly opcode: number = IORING_OP_SOCKET;
  /** Available since Linux 5.19. */
  readonly since: string = "5.19";
  readonly #domain: number;
  readonly #type: number;
  readonly #protocol: number;
  readonly #fileIndex: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param domain AF_INET, AF_INET6, AF_UNIX, ...
   * @param type SOCK_STREAM, SOCK_DGRAM, ..., ORed with SOCK_NONBLOCK if wanted.
   * @param protocol IPPROTO_TCP, IPPROTO_UDP, ..., or 0 (default) for the type's default.
   */
  constructor(domain: number, type: number, protocol = 0, options: SocketOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `create a socket of domain ${describe(domain)}`;
    this.#domain = checkInt(domain, what, "domain", 0, 0x7fffffff);
    const base = checkInt(type, what, "type", 0, 0x7fffffff);
    this.#protocol = checkInt(protocol, what, "protocol", 0, 0x7fffffff);
    this.#fileIndex = options.direct === undefined ? 0 : directSlot(options.direct, what);
    this.#type = (this.#fileIndex === 0 ? base | SOCK_CLOEXEC : base & ~SOCK_CLOEXEC) >>> 0;
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // fd carries the domain, len the protocol, off the type; rw_flags stays 0.
    sqe.prepRw(IORING_OP_SOCKET, this.#domain, 0, this.#protocol, this.#type);
    if (this.#fileIndex !== 0) sqe.fileIndex(this.#fileIndex);
  }
}
