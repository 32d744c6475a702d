import { IORING_OP_CONNECT } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { encodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/**
 * Queues (but does not submit) a connect(2) of a socket to `address`: `res`
 * is 0 once connected (ECONNREFUSED, ETIMEDOUT, ... otherwise).
 * Matches `io_uring_prep_connect()` in liburing. Available since 5.5.
 *
 * @example
 * ```ts ignore
 * import { AF_INET, Connect, IoRing, SOCK_STREAM, Socket } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.run(new Socket(AF_INET, SOCK_STREAM));
 * await ring.run(new Connect(fd, { family: "ipv4", address: "127.0.0.1", port: 8080 }));
 * ```
 */
export class Connect extends OpBase {
  /** Its name in errors. */
  readonly name: string = "connect";
  /** IORING_OP_CONNECT. */
  readonly opcode: number = IORING_OP_CONNECT;
  /** Available since Linux 5.5. */
  readonly since: string = "5.5";
  /** The encoded address (`struct sockaddr_*`) the kernel reads; held until completion. */
  readonly address: Uint8Array;
  readonly #fd: number;
  readonly #addressPointer: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param address Where to connect.
   */
  constructor(fd: number | FixedFile, address: SocketAddress) {
    super();
    const what = `connect ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.address = encodeSockaddr(address, what);
    this.#addressPointer = addressOf(this.address);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // off carries the address length.
    sqe.prepRw(IORING_OP_CONNECT, this.#fd, this.#addressPointer, 0, this.address.length);
  }
}
