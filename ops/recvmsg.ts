import {
  IORING_OP_RECVMSG,
  IORING_RECV_MULTISHOT,
  IORING_RECVSEND_POLL_FIRST,
  IOSQE_BUFFER_SELECT,
} from "../kernel/constants.ts";
import { MSGHDR, RECVMSG_OUT, SOCKADDR_STORAGE } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import type { BufferSource } from "../memory/buffers.ts";
import { checkInt, checkOptions, checkU16 } from "../util/checks.ts";
import { MsgOp } from "./_msghdr.ts";
import { decodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link RecvMsg}. */
export interface RecvMsgOptions {
  /** Room for the sender's address (`msg_namelen`), 0 to 128 bytes; default 128 (`sockaddr_storage`). */
  nameLength?: number;
  /** Room for ancillary data (`msg_controllen`), in bytes; default 0. */
  controlLength?: number;
  /** `MSG_*` flags, as for recvmsg(2). */
  flags?: number;
  /** IORING_RECVSEND_POLL_FIRST: wait for data before the first attempt (5.19). */
  pollFirst?: boolean;
  /**
   * Receive into a buffer the kernel picks from this provided-buffer group
   * (IOSQE_BUFFER_SELECT); pass `null` as the buffers.
   */
  bufferGroup?: number;
  /**
   * IORING_RECV_MULTISHOT: keep receiving, one CQE per message with
   * IORING_CQE_F_MORE. Needs `bufferGroup`; each buffer then holds a
   * `struct io_uring_recvmsg_out`, the address, the control data and the
   * payload: decode it with {@link RecvMsg.decodeOut} (6.0).
   */
  multishot?: boolean;
}

/** What a single-shot recvmsg received besides the payload, from its `struct msghdr`. */
export interface RecvMsgResult {
  /** The sender's address (`msg_name`), or null when there was none (a connected stream) or no room. */
  address: SocketAddress | null;
  /** The ancillary data received (`msg_control`, `msg_controllen` bytes). */
  control: Uint8Array;
  /** `msg_flags`: MSG_TRUNC, MSG_CTRUNC, MSG_EOR, ... */
  flags: number;
}

/** One message of a multishot recvmsg, decoded from its provided buffer. */
export interface RecvMsgOut {
  /** The sender's address, or null. */
  address: SocketAddress | null;
  /** The ancillary data received. */
  control: Uint8Array;
  /** The payload bytes in the buffer (a view of it). */
  payload: Uint8Array;
  /**
   * The payload's length as recvmsg returned it: `payload.length`, or with
   * MSG_TRUNC in the op's flags the datagram's full length even when the
   * buffer held less.
   */
  payloadLength: number;
  /** `msg_flags` of this message: MSG_TRUNC, MSG_CTRUNC, ... */
  flags: number;
}

/**
 * Queues (but does not submit) a recvmsg(2): receives one message into
 * `buffers` in order, with the sender's address and ancillary data, through a
 * `struct msghdr` the builder builds and holds. `res` is the number of bytes
 * received; {@link RecvMsg.result} decodes the rest. With `bufferGroup` and
 * `multishot`, one request receives message after message into provided
 * buffers (low-level API only): decode each with {@link RecvMsg.decodeOut}.
 * Matches `io_uring_prep_recvmsg()` and `io_uring_prep_recvmsg_multishot()`
 * in liburing. Available since 5.3; `pollFirst` since 5.19, `multishot` since 6.0.
 *
 * @example
 * ```ts ignore
 * import { IoRing, RecvMsg } from "@ioring/ioring";
 * using ring = new IoRing();
 * // udp: a bound UDP socket
 * const op = new RecvMsg(udp, [new Uint8Array(1500)]);
 * const n = await ring.run(op);
 * console.log(n, op.result().address);
 * ```
 */
export class RecvMsg extends MsgOp {
  /** Its name in errors. */
  readonly name: string = "recvmsg";
  /** IORING_OP_RECVMSG. */
  readonly opcode: number = IORING_OP_RECVMSG;
  /** The Linux version this use of the op needs: 5.3, 5.19 with `pollFirst`, 6.0 with `multishot`. */
  readonly since: string;
  readonly #group: number;
  readonly #selects: boolean;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param buffers Where the payload goes, in order; or null to use a provided buffer of `options.bufferGroup`.
   */
  constructor(fd: number | FixedFile, buffers: readonly BufferSource[] | null, options: RecvMsgOptions = {}) {
    const what = `recvmsg ${fdLabel(fd)}`;
    checkOptions(options, what);
    const nameLength = checkInt(
      options.nameLength ?? SOCKADDR_STORAGE.size,
      what,
      "nameLength",
      0,
      SOCKADDR_STORAGE.size,
    );
    const controlLength = checkInt(options.controlLength ?? 0, what, "controlLength", 0, 1 << 20);
    const selects = buffers === null;
    if (selects && options.bufferGroup === undefined) {
      throw new TypeError(
        `Cannot ${what}: null buffers need options.bufferGroup: current value is undefined`,
      );
    }
    if (!selects && options.bufferGroup !== undefined) {
      throw new TypeError(
        `Cannot ${what}: bufferGroup needs null buffers (the kernel picks one): current buffers are an array of ${buffers.length}`,
      );
    }
    if (options.multishot === true && !selects) {
      throw new TypeError(
        `Cannot ${what}: multishot needs options.bufferGroup and null buffers: current value is undefined`,
      );
    }
    super("recvmsg", fd, {
      buffers: buffers ?? [],
      address: nameLength === 0 ? null : new Uint8Array(nameLength),
      control: controlLength === 0 ? null : new Uint8Array(controlLength),
      flags: options.flags,
    });
    this.#selects = selects;
    this.#group = selects ? checkU16(options.bufferGroup!, what, "bufferGroup") : 0;
    if (selects) this.flags(IOSQE_BUFFER_SELECT);
    if (options.pollFirst === true) this.ioprioFlags |= IORING_RECVSEND_POLL_FIRST;
    if (options.multishot === true) this.ioprioFlags |= IORING_RECV_MULTISHOT;
    this.multishot = options.multishot === true;
    this.since = options.multishot === true ? "6.0" : options.pollFirst === true ? "5.19" : "5.3";
  }

  /** Writes the SQE's fields, after restoring the `msghdr` lengths an earlier use overwrote. */
  protected override prepOp(sqe: SqeWriter): void {
    this.resetHeader();
    super.prepOp(sqe);
    if (this.#selects) sqe.bufIndex(this.#group);
  }

  /** Decodes the address, ancillary data and flags the kernel wrote back into `msghdr` (single shot). */
  result(): RecvMsgResult {
    const header = new DataView(this.msghdr.buffer, this.msghdr.byteOffset, this.msghdr.byteLength);
    const nameLength = header.getUint32(MSGHDR.namelen, true);
    const controlLength = header.getUint32(MSGHDR.controllen, true);
    return {
      address: this.address === null ? null : decodeSockaddr(this.address, nameLength),
      control: this.control === null ? new Uint8Array(0) : this.control.subarray(0, controlLength),
      flags: header.getInt32(MSGHDR.flags, true),
    };
  }

  /**
   * Decodes one multishot completion's provided buffer: a `struct
   * io_uring_recvmsg_out`, then `nameLength` bytes of address, `controlLength`
   * bytes of ancillary data, then the payload.
   * Matches `io_uring_recvmsg_validate()`, `io_uring_recvmsg_name()`,
   * `io_uring_recvmsg_cmsg_firsthdr()` and `io_uring_recvmsg_payload()` in liburing.
   *
   * @param buffer The provided buffer the CQE names (by the id in its flags).
   * @param res The CQE's `res`: the bytes the kernel wrote into the buffer.
   * @throws {RangeError} when `res` is shorter than the fixed part of the layout.
   */
  decodeOut(buffer: Uint8Array, res: number): RecvMsgOut {
    const nameRoom = this.address?.length ?? 0;
    const controlRoom = this.control?.length ?? 0;
    const head = RECVMSG_OUT.size + nameRoom + controlRoom;
    const rule = `from ${head} to the buffer's ${buffer.length} bytes`;
    checkInt(res, "decode a recvmsg_out", "res", head, buffer.length, rule);
    const view = new DataView(buffer.buffer, buffer.byteOffset, res);
    const nameLength = view.getUint32(RECVMSG_OUT.namelen, true);
    const controlLength = view.getUint32(RECVMSG_OUT.controllen, true);
    const name = buffer.subarray(RECVMSG_OUT.size, RECVMSG_OUT.size + nameRoom);
    const controlStart = RECVMSG_OUT.size + nameRoom;
    return {
      address: nameRoom === 0 ? null : decodeSockaddr(name, nameLength),
      control: buffer.subarray(controlStart, controlStart + Math.min(controlLength, controlRoom)),
      payload: buffer.subarray(head, res),
      payloadLength: view.getUint32(RECVMSG_OUT.payloadlen, true),
      flags: view.getUint32(RECVMSG_OUT.flags, true),
    };
  }
}
