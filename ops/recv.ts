import {
  IORING_OP_RECV,
  IORING_RECV_MULTISHOT,
  IORING_RECVSEND_POLL_FIRST,
  IOSQE_BUFFER_SELECT,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached } from "../memory/buffers.ts";
import { checkFlags, checkInt, checkLength, checkOptions, checkU16 } from "../util/checks.ts";
import { ioprioTaken } from "./_net.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link Recv}. */
export interface RecvOptions {
  /**
   * With a buffer: bytes to receive at most; default the whole buffer. With a
   * buffer group: a cap on each receive; default 0, the provided buffer's size.
   */
  length?: number;
  /** `MSG_*` flags, as for recv(2) (MSG_WAITALL, MSG_PEEK, MSG_TRUNC, ...). */
  flags?: number;
  /** IORING_RECVSEND_POLL_FIRST: wait for data before the first attempt (5.19). */
  pollFirst?: boolean;
  /**
   * Receive into a buffer the kernel picks from this provided-buffer group
   * (IOSQE_BUFFER_SELECT and `sqe.buf_group`); pass `null` as the buffer. The
   * buffer id is in `cqe.flags` (see {@link bufferId}); `ring.recv(fd, bufferRing)` resolves with it.
   */
  bufferGroup?: number;
  /**
   * IORING_RECV_MULTISHOT: keep receiving, one CQE per receive with
   * IORING_CQE_F_MORE, until an error, end of stream (`res` 0) or no buffer is
   * left (ENOBUFS). Needs `bufferGroup` (6.0).
   */
  multishot?: boolean;
}

/**
 * Queues (but does not submit) a recv(2) on a socket: `res` is the number of
 * bytes received, 0 at end of stream. With `bufferGroup` the kernel picks a
 * provided buffer (see {@link ProvideBuffers}) and reports its id in the CQE's
 * flags; with `multishot` as well, one request keeps receiving, a CQE per
 * receive (low-level API only).
 * Matches `io_uring_prep_recv()` and `io_uring_prep_recv_multishot()` in liburing.
 * Available since 5.6; `bufferGroup` since 5.7, `pollFirst` since 5.19, `multishot` since 6.0.
 *
 * @example
 * ```ts ignore
 * import { IoRing, Recv } from "@ioring/ioring";
 * using ring = new IoRing();
 * // socket: a connected socket
 * const buffer = new Uint8Array(4096);
 * const n = await ring.run(new Recv(socket, buffer));
 * console.log(buffer.subarray(0, n));
 * ```
 */
export class Recv extends OpBase {
  /** Points the kernel at no memory when it receives into provided buffers. */
  override readonly holdsMemory: boolean = true;
  /** Its name in errors. */
  readonly name: string = "recv";
  /** IORING_OP_RECV. */
  readonly opcode: number = IORING_OP_RECV;
  /**
   * The Linux version this use of the op needs: 5.6, 5.7 with `bufferGroup`, 5.19 with `pollFirst`, 6.0 with
   * `multishot`.
   */
  readonly since: string;
  /** The memory the kernel writes, or null with a buffer group; held until completion. */
  readonly buffer: Uint8Array | null;
  readonly #fd: number;
  readonly #address: number;
  readonly #length: number;
  readonly #msgFlags: number;
  readonly #recvFlags: number;
  readonly #group: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The socket.
   * @param buffer Where the bytes go, or null to use a provided buffer of `options.bufferGroup`.
   */
  constructor(fd: number | FixedFile, buffer: BufferSource | null, options: RecvOptions = {}) {
    super();
    const what = `recv ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    checkOptions(options, what);
    const multishot = options.multishot === true;
    this.multishot = multishot;
    if (buffer === null) {
      if (options.bufferGroup === undefined) {
        throw new TypeError(
          `Cannot ${what}: a null buffer needs options.bufferGroup: current value is undefined`,
        );
      }
      this.#group = checkU16(options.bufferGroup, what, "bufferGroup");
      this.buffer = null;
      this.#length = checkInt(options.length ?? 0, what, "length", 0, 0xffffffff);
      this.#address = 0;
      this.flags(IOSQE_BUFFER_SELECT);
    } else {
      if (options.bufferGroup !== undefined) {
        throw new TypeError(
          `Cannot ${what}: bufferGroup needs a null buffer (the kernel picks one): current buffer is a ${buffer.constructor.name}`,
        );
      }
      if (multishot) {
        throw new TypeError(
          `Cannot ${what}: multishot needs options.bufferGroup and a null buffer: current value is undefined`,
        );
      }
      this.#group = 0;
      this.buffer = byteView(buffer, what);
      this.#length = checkLength(options.length, this.buffer, what);
      this.#address = addressOf(this.buffer);
    }
    this.holdsMemory = this.buffer !== null;
    this.#msgFlags = checkFlags(options.flags ?? 0, what);
    this.#recvFlags = (options.pollFirst === true ? IORING_RECVSEND_POLL_FIRST : 0) |
      (multishot ? IORING_RECV_MULTISHOT : 0);
    this.since = multishot ? "6.0" : options.pollFirst === true ? "5.19" : buffer === null ? "5.7" : "5.6";
    this.target = { fd: this.#fd };
  }

  /** Refused: the SQE's ioprio field holds this op's `IORING_RECVSEND_*` flags. */
  override ioprio(ioprio: number): this {
    throw ioprioTaken(this.name, "IORING_RECVSEND_*", ioprio);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    if (this.buffer !== null) checkAttached(this.buffer, this.#address, this.name);
    sqe.prepRw(IORING_OP_RECV, this.#fd, this.#address, this.#length, 0).opFlags(this.#msgFlags);
    if (this.#recvFlags !== 0) sqe.ioprio(this.#recvFlags);
    if (this.buffer === null) sqe.bufIndex(this.#group);
  }
}
