import { opBytes } from "../memory/arena.ts";
import { MSGHDR } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached, encodeIovecs } from "../memory/buffers.ts";
import { checkFlags, checkOptions } from "../util/checks.ts";
import { ioprioTaken } from "./_net.ts";
import { encodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";
import { TWO_32 } from "../util/u64.ts";

const IOV_MAX = 1024;

/** What the builders of sendmsg/recvmsg pass to {@link MsgOp}. */
export interface MsgParts {
  /** The buffers, in order (may be empty). */
  buffers: readonly BufferSource[];
  /** `msg_name`: an encoded address to send to, or room for the sender's address; null for none. */
  address: Uint8Array | null;
  /** `msg_control`: ancillary data to send, or room for it; null for none. */
  control: Uint8Array | null;
  /** `MSG_*` flags (`sqe.msg_flags`). */
  flags?: number;
}

/** Options of {@link SendMsg} and {@link SendMsgZc}. */
export interface SendMsgOptions {
  /** `msg_name`: the destination, for unconnected datagram sockets. */
  to?: SocketAddress;
  /** `msg_control`: ancillary data (`struct cmsghdr` records, such as SCM_RIGHTS). */
  control?: BufferSource;
  /** `MSG_*` flags, as for sendmsg(2). */
  flags?: number;
  /** IORING_RECVSEND_POLL_FIRST: wait for room in the socket before the first attempt (5.19). */
  pollFirst?: boolean;
}

/** The msghdr parts of a sendmsg: the encoded destination and the control bytes. */
export function sendParts(
  name: string,
  fd: number | FixedFile,
  buffers: readonly BufferSource[],
  options: SendMsgOptions,
): MsgParts {
  const what = `${name} ${fdLabel(fd)}`;
  checkOptions(options, what);
  return {
    buffers,
    address: options.to === undefined ? null : encodeSockaddr(options.to, what),
    control: options.control === undefined ? null : byteView(options.control, what),
    flags: options.flags,
  };
}

/**
 * The shape shared by sendmsg, sendmsg_zc and recvmsg: a `struct msghdr` and
 * its iovec array built once in JavaScript and held, with every buffer, until
 * completion.
 */
export abstract class MsgOp extends OpBase {
  /** The `struct msghdr` the kernel reads (and for recvmsg updates); held until completion. */
  readonly msghdr: Uint8Array = opBytes(MSGHDR.size);
  /** The `struct iovec` array `msghdr` points to. */
  readonly iovecs: Uint32Array;
  /** The data buffers, in order; held until completion. */
  readonly buffers: readonly Uint8Array[];
  /** `msg_name`'s memory, or null; held until completion. */
  readonly address: Uint8Array | null;
  /** `msg_control`'s memory, or null; held until completion. */
  readonly control: Uint8Array | null;
  /** The fd (or fixed-file slot) the SQE names. */
  protected readonly fd: number;
  /** `MSG_*` flags for `sqe.msg_flags`. */
  protected readonly msgFlags: number;
  /** Flags for `sqe.ioprio` (`IORING_RECVSEND_*`, ...). */
  protected ioprioFlags = 0;
  readonly #header: DataView;
  readonly #msghdrAddress: number;

  /** Checks and keeps the fields the subclass's op writes; `name` (or `verb`) is used in error messages. */
  constructor(name: string, fd: number | FixedFile, parts: MsgParts) {
    super();
    const what = `${name} ${fdLabel(fd)}`;
    this.fd = this.useFd(fd, what);
    if (!Array.isArray(parts.buffers)) {
      throw new TypeError(`Cannot ${what}: buffers must be an array of buffers`);
    }
    if (parts.buffers.length > IOV_MAX) {
      throw new RangeError(
        `Cannot ${what}: at most ${IOV_MAX} buffers are allowed: current count is ${parts.buffers.length}`,
      );
    }
    this.buffers = parts.buffers.map((b) => byteView(b, what));
    this.iovecs = encodeIovecs(this.buffers, 1);
    this.address = parts.address;
    this.control = parts.control;
    this.msgFlags = checkFlags(parts.flags ?? 0, what);
    this.#header = new DataView(this.msghdr.buffer, this.msghdr.byteOffset, this.msghdr.byteLength);
    const pointer = (offset: number, view: ArrayBufferView | null) => {
      const address = view === null || view.byteLength === 0 ? 0 : addressOf(view);
      this.#header.setUint32(offset, address >>> 0, true);
      this.#header.setUint32(offset + 4, Math.floor(address / TWO_32), true);
    };
    pointer(MSGHDR.name, this.address);
    pointer(MSGHDR.iov, this.buffers.length === 0 ? null : this.iovecs);
    this.#header.setUint32(MSGHDR.iovlen, this.buffers.length, true);
    pointer(MSGHDR.control, this.control);
    this.resetHeader();
    this.#msghdrAddress = addressOf(this.msghdr);
    this.target = { fd: this.fd };
  }

  /** Refused: the SQE's ioprio field holds this op's `IORING_RECVSEND_*` flags. */
  override ioprio(ioprio: number): this {
    throw ioprioTaken(this.name, "IORING_RECVSEND_*", ioprio);
  }

  /** Writes the lengths and flags of `msghdr` that recvmsg overwrites: namelen, controllen, flags. */
  protected resetHeader(): void {
    this.#header.setUint32(MSGHDR.namelen, this.address?.length ?? 0, true);
    this.#header.setUint32(MSGHDR.controllen, this.control?.length ?? 0, true);
    this.#header.setUint32(MSGHDR.controllen + 4, 0, true);
    this.#header.setInt32(MSGHDR.flags, 0, true);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    for (let i = 0; i < this.buffers.length; i++) {
      checkAttached(this.buffers[i], this.iovecs[i * 4 + 2], this.name);
    }
    if (this.control !== null) {
      checkAttached(this.control, this.#header.getUint32(MSGHDR.controllen, true), this.name);
    }
    sqe.prepRw(this.opcode, this.fd, this.#msghdrAddress, 1, 0).opFlags(this.msgFlags);
    if (this.ioprioFlags !== 0) sqe.ioprio(this.ioprioFlags);
  }
}
