import {
  IORING_OP_SENDMSG_ZC,
  IORING_RECVSEND_POLL_FIRST,
  IORING_SEND_ZC_REPORT_USAGE,
} from "../kernel/constants.ts";
import type { BufferSource } from "../memory/buffers.ts";
import { MsgOp, type SendMsgOptions, sendParts } from "./_msghdr.ts";
import type { FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link SendMsgZc}. */
export interface SendMsgZcOptions extends SendMsgOptions {
  /**
   * IORING_SEND_ZC_REPORT_USAGE: the notification's `res` tells whether the
   * data was copied after all (IORING_NOTIF_USAGE_ZC_COPIED, bit 31) (6.2).
   */
  reportUsage?: boolean;
}

/**
 * Queues (but does not submit) a zero-copy sendmsg(2). Like {@link SendMsg},
 * but it completes twice with the same user data, as {@link SendZc} does:
 * first `res` the bytes sent with IORING_CQE_F_MORE, then a notification
 * (IORING_CQE_F_NOTIF) once the kernel no longer reads the buffers. Only the
 * low-level API sees both; the ring holds the builder until the notification.
 * Matches `io_uring_prep_sendmsg_zc()` in liburing. Available since 6.1;
 * `reportUsage` since 6.2.
 *
 * @example
 * ```ts ignore
 * import { IoRing, SendMsgZc } from "@ioring/ioring";
 * using ring = new IoRing();
 * // socket: a connected TCP socket
 * ring.prepare(new SendMsgZc(socket, [new Uint8Array(4096), new Uint8Array(4096)]), 1);
 * for await (const cqe of ring.completions({ stopWhenIdle: true })) console.log(cqe.res, cqe.flags);
 * ```
 */
export class SendMsgZc extends MsgOp {
  /** Its name in errors. */
  readonly name: string = "sendmsg_zc";
  /** IORING_OP_SENDMSG_ZC. */
  readonly opcode: number = IORING_OP_SENDMSG_ZC;
  /** The Linux version this use of the op needs: 6.1, or 6.2 with `reportUsage`. */
  readonly since: string;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param buffers The message's bytes, in order; they must stay unchanged until the notification.
   */
  constructor(fd: number | FixedFile, buffers: readonly BufferSource[], options: SendMsgZcOptions = {}) {
    super("sendmsg_zc", fd, sendParts("sendmsg_zc", fd, buffers, options));
    if (options.pollFirst === true) this.ioprioFlags |= IORING_RECVSEND_POLL_FIRST;
    if (options.reportUsage === true) this.ioprioFlags |= IORING_SEND_ZC_REPORT_USAGE;
    this.since = options.reportUsage === true ? "6.2" : "6.1";
  }
}
