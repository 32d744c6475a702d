import { IORING_OP_RECV_ZC, IORING_RECV_MULTISHOT, IORING_RECVSEND_POLL_FIRST } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkOptions, checkU32 } from "../util/checks.ts";
import { ioprioTaken } from "./_net.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/**
 * Options of {@link RecvZc}.
 *
 * @example
 * ```ts ignore
 * const options: RecvZcOptions = { ifq: zcrxId, length: 1 << 20 };
 * ring.prepare(new RecvZc(socket, options), 1);
 * ```
 */
export interface RecvZcOptions {
  /**
   * The zero-copy receive interface queue to receive through (`sqe.zcrx_ifq_idx`): the `zcrx_id` that
   * IORING_REGISTER_ZCRX_IFQ returned. Default 0.
   */
  ifq?: number;
  /** The bytes to receive in all before the request ends (`sqe.len`); default 0, no limit. */
  length?: number;
  /** IORING_RECVSEND_POLL_FIRST: wait for data before the first attempt. */
  pollFirst?: boolean;
}

/**
 * Queues (but does not submit) a zero-copy receive on a TCP socket: the NIC
 * writes the data straight into the memory area registered with a
 * zero-copy receive interface queue (IORING_REGISTER_ZCRX_IFQ, which needs a
 * ring with 32-byte CQEs, `cqe32`), and the request posts a CQE per chunk:
 * `res` the bytes, IORING_CQE_F_MORE while it goes on, and in the CQE's second
 * 16 bytes a `struct io_uring_zcrx_cqe` whose `off` locates the data (area id
 * above IORING_ZCRX_AREA_SHIFT); the application hands the chunks back through
 * the queue's refill ring. The kernel only accepts it multishot
 * (IORING_RECV_MULTISHOT, set by the builder), without `msg_flags`, and with
 * no queue registered at `ifq` it fails with EINVAL. Run it with
 * `ring.multishot()`, `ring.stream()` or `ring.prepare()`; the CQE32 half is
 * read with the low-level API.
 * liburing has no prep helper for it: it matches what liburing's zcrx test and
 * example write (`io_uring_prep_rw(IORING_OP_RECV_ZC, sqe, fd, NULL, len, 0)`,
 * `sqe->ioprio |= IORING_RECV_MULTISHOT`, `sqe->zcrx_ifq_idx = ifq`).
 * Available since Linux 6.15.
 *
 * @example The kernel's answer without a registered queue
 * ```ts
 * import { AF_INET, IoRing, IoRingError, RecvZc, SOCK_STREAM } from "@ioring/ioring";
 * import { IORING_OP_RECV_ZC } from "@ioring/ioring/constants";
 * await using ring = new IoRing();
 * if (ring.probe().supported.has(IORING_OP_RECV_ZC)) {
 *   const socket = await ring.socket(AF_INET, SOCK_STREAM);
 *   const error = await ring.stream(new RecvZc(socket), () => {}).catch((e) => e);
 *   console.log(error instanceof IoRingError && error.code); // EINVAL
 *   await ring.closeFd(socket);
 * }
 * ```
 */
export class RecvZc extends OpBase {
  /** Points the kernel at no memory of its own: the area belongs to the registered queue. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "recv_zc";
  /** IORING_OP_RECV_ZC. */
  readonly opcode: number = IORING_OP_RECV_ZC;
  /** Available since Linux 6.15. */
  readonly since: string = "6.15";
  readonly #fd: number;
  readonly #ifq: number;
  readonly #length: number;
  readonly #recvFlags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The TCP socket, bound to the queue's interface and receive queue.
   */
  constructor(fd: number | FixedFile, options: RecvZcOptions = {}) {
    super();
    const what = `recv_zc ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    checkOptions(options, what);
    this.#ifq = checkU32(options.ifq ?? 0, what, "ifq");
    this.#length = checkU32(options.length ?? 0, what, "length");
    this.#recvFlags = IORING_RECV_MULTISHOT | (options.pollFirst === true ? IORING_RECVSEND_POLL_FIRST : 0);
    this.multishot = true;
    this.target = { fd: this.#fd };
  }

  /** Refused: the SQE's ioprio field holds this op's `IORING_RECV_*` flags. */
  override ioprio(ioprio: number): this {
    throw ioprioTaken(this.name, "IORING_RECV_*", ioprio);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_RECV_ZC, this.#fd, 0, this.#length, 0).ioprio(this.#recvFlags).fileIndex(this.#ifq);
  }
}
