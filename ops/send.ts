import { IORING_OP_SEND } from "../kernel/constants.ts";
import type { BufferSource } from "../memory/buffers.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";
import { SendOp, type SendOptions } from "./_send.ts";

export type { SendOptions } from "./_send.ts";

/**
 * Queues (but does not submit) a send(2), or a sendto(2) with `to`, of
 * `buffer` on a socket: `res` is the number of bytes sent. A stream socket
 * may send fewer bytes than asked; MSG_WAITALL makes io_uring retry until all
 * are sent (needed to link after a send with IOSQE_IO_LINK).
 * Matches `io_uring_prep_send()` and `io_uring_prep_sendto()` in liburing.
 * Available since 5.6; `pollFirst` since 5.19, `to` since 6.1.
 *
 * @example
 * ```ts ignore
 * import { IoRing, Send } from "@ioring/ioring";
 * import { MSG_NOSIGNAL } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * // socket: a connected socket
 * const sent = await ring.run(new Send(socket, new TextEncoder().encode("hello"), { flags: MSG_NOSIGNAL }));
 * ```
 */
export class Send extends SendOp {
  /** Its name in errors. */
  readonly name: string = "send";
  /** IORING_OP_SEND. */
  readonly opcode: number = IORING_OP_SEND;
  /** The Linux version this use of the op needs: 5.6, 5.19 with `pollFirst`, 6.1 with `to`. */
  readonly since: string;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param buffer The bytes to send.
   */
  constructor(fd: number | FixedFile, buffer: BufferSource, options: SendOptions = {}) {
    super("send", fd, buffer, options);
    this.since = options.to !== undefined ? "6.1" : options.pollFirst === true ? "5.19" : "5.6";
  }
}
