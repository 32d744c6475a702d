import {
  IORING_OP_SEND_ZC,
  IORING_RECVSEND_FIXED_BUF,
  IORING_SEND_ZC_REPORT_USAGE,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import type { BufferSource } from "../memory/buffers.ts";
import { checkInt } from "../util/checks.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";
import { SendOp, type SendOptions } from "./_send.ts";

/** Options of {@link SendZc}. */
export interface SendZcOptions extends SendOptions {
  /**
   * IORING_SEND_ZC_REPORT_USAGE: the notification's `res` tells whether the
   * data was copied after all (IORING_NOTIF_USAGE_ZC_COPIED, bit 31) (6.2).
   */
  reportUsage?: boolean;
  /**
   * IORING_RECVSEND_FIXED_BUF: `buffer` lies inside the registered buffer with
   * this index (IORING_REGISTER_BUFFERS), which saves pinning its pages.
   */
  fixedBuffer?: number;
}

/**
 * Queues (but does not submit) a zero-copy send(2)/sendto(2) of `buffer` on
 * a socket. It completes twice with the same user data: first with `res` the
 * bytes sent and IORING_CQE_F_MORE in `flags`, then with a notification
 * (IORING_CQE_F_NOTIF, `res` 0, or with `reportUsage` IORING_NOTIF_USAGE_ZC_COPIED
 * when the kernel copied) once the kernel no longer reads `buffer`. Only the
 * low-level API (`ring.prepare` with `ring.completions()`) sees both; the ring
 * holds the builder until the notification. Sockets without zero-copy
 * support (Unix sockets) fail with EOPNOTSUPP.
 * Matches `io_uring_prep_send_zc()` (and `io_uring_prep_send_zc_fixed()`,
 * plus `io_uring_prep_send_set_addr()` with `to`) in liburing.
 * Available since 6.0; `to` and `fixedBuffer` since 6.0, `reportUsage` since 6.2.
 *
 * @example
 * ```ts ignore
 * import { IORING_CQE_F_NOTIF, IoRing, SendZc } from "@ioring/ioring";
 * using ring = new IoRing();
 * // socket: a connected TCP socket
 * ring.prepare(new SendZc(socket, new Uint8Array(65536)), 1);
 * for await (const cqe of ring.completions({ stopWhenIdle: true })) {
 *   if ((cqe.flags & IORING_CQE_F_NOTIF) !== 0) console.log("buffer released");
 *   else console.log("sent", cqe.res);
 * }
 * ```
 */
export class SendZc extends SendOp {
  /** Its name in errors. */
  readonly name: string = "send_zc";
  /** IORING_OP_SEND_ZC. */
  readonly opcode: number = IORING_OP_SEND_ZC;
  /** The Linux version this use of the op needs: 6.0, or 6.2 with `reportUsage`. */
  readonly since: string;
  readonly #bufIndex: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param buffer The bytes to send; they must stay unchanged until the notification.
   */
  constructor(fd: number | FixedFile, buffer: BufferSource, options: SendZcOptions = {}) {
    super("send_zc", fd, buffer, options);
    if (options.reportUsage === true) this.sendFlags |= IORING_SEND_ZC_REPORT_USAGE;
    this.#bufIndex = 0;
    if (options.fixedBuffer !== undefined) {
      this.#bufIndex = checkInt(options.fixedBuffer, `send_zc ${fdLabel(fd)}`, "fixedBuffer", 0, 0xffff);
      this.sendFlags |= IORING_RECVSEND_FIXED_BUF;
    }
    this.since = options.reportUsage === true ? "6.2" : "6.0";
  }

  /** Writes the SQE's fields. */
  protected override prepOp(sqe: SqeWriter): void {
    super.prepOp(sqe);
    if ((this.sendFlags & IORING_RECVSEND_FIXED_BUF) !== 0) sqe.bufIndex(this.#bufIndex);
  }
}
