import { IORING_OP_LINK_TIMEOUT } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkFlags, checkOptions } from "../util/checks.ts";
import { encodeTimespec, type TimeSpec } from "../memory/timespec.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link LinkTimeout}. */
export interface LinkTimeoutOptions {
  /** `IORING_TIMEOUT_*` flags: ABS, BOOTTIME, REALTIME, ETIME_SUCCESS; default 0. */
  flags?: number;
}

/**
 * Queues (but does not submit) a time limit for the request queued just
 * before it, which must carry IOSQE_IO_LINK (or IOSQE_IO_HARDLINK). If the
 * time passes first, that request is cancelled (usually -ECANCELED, or -EINTR)
 * and this one completes with -ETIME; if the request completes first, this
 * one completes with -ECANCELED. `ring.link([op, new LinkTimeout(t)])` sets
 * the link flag; `ring.run(op, { timeout })` does the same for one op.
 * Matches `io_uring_prep_link_timeout()` in liburing. Available since 5.5.
 *
 * @example
 * ```ts ignore
 * import { IoRing, LinkTimeout, Read } from "@ioring/ioring";
 * using ring = new IoRing();
 * // r: the read end of a pipe; give the read 100 ms
 * const [read, limit] = await ring.link([new Read(r, new Uint8Array(16)), new LinkTimeout(100)]);
 * // Nothing came: read rejected with ECANCELED and limit with ETIME.
 * // Data came: read fulfilled and limit rejected with ECANCELED.
 * ```
 */
export class LinkTimeout extends OpBase {
  /** Its name in errors. */
  readonly name: string = "link_timeout";
  /** IORING_OP_LINK_TIMEOUT. */
  readonly opcode: number = IORING_OP_LINK_TIMEOUT;
  /** Available since Linux 5.5. */
  readonly since: string = "5.5";
  /** The `struct __kernel_timespec` the kernel reads; held until completion. */
  readonly timespec: BigInt64Array;
  readonly #flags: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param time How long (or until when, with IORING_TIMEOUT_ABS): milliseconds or `{ sec, nsec }`.
   */
  constructor(time: TimeSpec, options: LinkTimeoutOptions = {}) {
    super();
    checkOptions(options, this.name);
    this.timespec = encodeTimespec(time, "link_timeout");
    this.#flags = checkFlags(options.flags ?? 0, "link_timeout");
    this.#address = addressOf(this.timespec);
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_LINK_TIMEOUT, -1, this.#address, 1, 0).opFlags(this.#flags);
  }
}
