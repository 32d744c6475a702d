import { IORING_OP_BIND } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { encodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/**
 * Queues (but does not submit) a bind(2) of a socket to a local `address`:
 * `res` is 0 (EADDRINUSE, EACCES, ... otherwise).
 * Matches `io_uring_prep_bind()` in liburing. Available since 6.11.
 *
 * @example
 * ```ts ignore
 * import { AF_INET, Bind, IoRing, Listen, SOCK_STREAM, Socket } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.run(new Socket(AF_INET, SOCK_STREAM));
 * await ring.run(new Bind(fd, { family: "ipv4", address: "127.0.0.1", port: 8080 }));
 * await ring.run(new Listen(fd));
 * ```
 */
export class Bind extends OpBase {
  /** Its name in errors. */
  readonly name: string = "bind";
  /** IORING_OP_BIND. */
  readonly opcode: number = IORING_OP_BIND;
  /** Available since Linux 6.11. */
  readonly since: string = "6.11";
  /** The encoded address (`struct sockaddr_*`) the kernel reads; held until completion. */
  readonly address: Uint8Array;
  readonly #fd: number;
  readonly #addressPointer: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param address The local address to bind to (port 0: the kernel picks one).
   */
  constructor(fd: number | FixedFile, address: SocketAddress) {
    super();
    const what = `bind ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.address = encodeSockaddr(address, what);
    this.#addressPointer = addressOf(this.address);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // off carries the address length.
    sqe.prepRw(IORING_OP_BIND, this.#fd, this.#addressPointer, 0, this.address.length);
  }
}
