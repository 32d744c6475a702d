import { IORING_RECVSEND_POLL_FIRST } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached } from "../memory/buffers.ts";
import { checkFlags, checkLength, checkOptions } from "../util/checks.ts";
import { ioprioTaken } from "./_net.ts";
import { encodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link Send} and {@link SendZc}. */
export interface SendOptions {
  /** Bytes to send; default: the whole buffer. */
  length?: number;
  /** `MSG_*` flags, as for send(2) (MSG_NOSIGNAL, MSG_WAITALL, MSG_MORE, ...). */
  flags?: number;
  /** IORING_RECVSEND_POLL_FIRST: wait for room in the socket before the first attempt (5.19). */
  pollFirst?: boolean;
  /** Send to this address, as sendto(2) (`sqe.addr2` and `sqe.addr_len`): for unconnected datagram sockets. */
  to?: SocketAddress;
}

/** The shape shared by send and send_zc: one buffer, msg_flags, flags in ioprio, an optional destination. */
export abstract class SendOp extends OpBase {
  /** The bytes the kernel sends; held until completion. */
  readonly buffer: Uint8Array;
  /** The encoded destination (`struct sockaddr_*`) of a sendto, or null; held until completion. */
  readonly address: Uint8Array | null;
  readonly #fd: number;
  readonly #bufferAddress: number;
  readonly #length: number;
  readonly #msgFlags: number;
  readonly #destAddress: number;
  /** The `IORING_RECVSEND_*` flags for `sqe.ioprio`. */
  protected sendFlags: number;

  /** Checks and keeps the fields the subclass's op writes; `name` (or `verb`) is used in error messages. */
  constructor(name: string, fd: number | FixedFile, buffer: BufferSource, options: SendOptions) {
    super();
    const what = `${name} ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    checkOptions(options, what);
    this.buffer = byteView(buffer, what);
    this.#length = checkLength(options.length, this.buffer, what);
    this.#msgFlags = checkFlags(options.flags ?? 0, what);
    this.sendFlags = options.pollFirst === true ? IORING_RECVSEND_POLL_FIRST : 0;
    this.address = options.to === undefined ? null : encodeSockaddr(options.to, what);
    this.#bufferAddress = addressOf(this.buffer);
    this.#destAddress = this.address === null ? 0 : addressOf(this.address);
    this.target = { fd: this.#fd };
  }

  /** Refused: the SQE's ioprio field holds this op's `IORING_RECVSEND_*` flags. */
  override ioprio(ioprio: number): this {
    throw ioprioTaken(this.name, "IORING_RECVSEND_*", ioprio);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    checkAttached(this.buffer, this.#bufferAddress, this.name);
    sqe.prepRw(this.opcode, this.#fd, this.#bufferAddress, this.#length, 0).opFlags(this.#msgFlags);
    if (this.sendFlags !== 0) sqe.ioprio(this.sendFlags);
    // sendto: addr2 is the destination and addr_len (the low half of the file_index word) its length.
    if (this.address !== null) sqe.off(this.#destAddress).fileIndex(this.address.length);
  }
}
