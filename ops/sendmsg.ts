import { IORING_OP_SENDMSG, IORING_RECVSEND_POLL_FIRST } from "../kernel/constants.ts";
import type { BufferSource } from "../memory/buffers.ts";
import { MsgOp, type SendMsgOptions, sendParts } from "./_msghdr.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";

export type { SendMsgOptions } from "./_msghdr.ts";

/**
 * Queues (but does not submit) a sendmsg(2): sends `buffers` in order as one
 * message, with an optional destination and ancillary data, through a
 * `struct msghdr` the builder builds and holds. `res` is the number of bytes sent.
 * Matches `io_uring_prep_sendmsg()` in liburing. Available since 5.3.
 *
 * @example
 * ```ts ignore
 * import { IoRing, SendMsg } from "@ioring/ioring";
 * using ring = new IoRing();
 * // udp: an unbound UDP socket
 * const enc = new TextEncoder();
 * await ring.run(new SendMsg(udp, [enc.encode("a"), enc.encode("bc")], {
 *   to: { family: "ipv4", address: "127.0.0.1", port: 9000 },
 * }));
 * ```
 */
export class SendMsg extends MsgOp {
  /** Its name in errors. */
  readonly name: string = "sendmsg";
  /** IORING_OP_SENDMSG. */
  readonly opcode: number = IORING_OP_SENDMSG;
  /** The Linux version this use of the op needs: 5.3, or 5.19 with `pollFirst`. */
  readonly since: string;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param buffers The message's bytes, in order.
   */
  constructor(fd: number | FixedFile, buffers: readonly BufferSource[], options: SendMsgOptions = {}) {
    super("sendmsg", fd, sendParts("sendmsg", fd, buffers, options));
    if (options.pollFirst === true) this.ioprioFlags |= IORING_RECVSEND_POLL_FIRST;
    this.since = options.pollFirst === true ? "5.19" : "5.3";
  }
}
