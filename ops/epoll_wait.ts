import { IORING_OP_EPOLL_WAIT } from "../kernel/constants.ts";
import { EPOLL_EVENT } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkFlags, checkInt, checkOptions } from "../util/checks.ts";
import { decodeEpollEvents, type EpollEvent } from "./_epoll.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

export type { EpollEvent } from "./_epoll.ts";

/** Options of {@link EpollWait}. */
export interface EpollWaitOptions {
  /** Flags for the request (`sqe.rw_flags`); none are defined yet, default 0. */
  flags?: number;
}

/**
 * Queues (but does not submit) an epoll_wait(2) into event slots that the
 * builder owns: it completes once at least one watched file is ready, with
 * `res` the number of events; {@link EpollWait.result} decodes them. It lets
 * an io_uring event loop drive file descriptors still registered with epoll.
 * Matches `io_uring_prep_epoll_wait()` in liburing. Available since 6.15.
 *
 * @example
 * ```ts ignore
 * import { EpollWait, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * // epfd: an epoll instance with file descriptors added
 * const op = new EpollWait(epfd, 16);
 * for (const { events, data } of op.result(await ring.run(op))) console.log(events, data);
 * ```
 */
export class EpollWait extends OpBase {
  /** Its name in errors. */
  readonly name: string = "epoll_wait";
  /** IORING_OP_EPOLL_WAIT. */
  readonly opcode: number = IORING_OP_EPOLL_WAIT;
  /** Available since Linux 6.15. */
  readonly since: string = "6.15";
  /** The `struct epoll_event` slots the kernel fills; held until completion. */
  readonly events: Uint8Array;
  readonly #epfd: number;
  readonly #maxEvents: number;
  readonly #flags: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param epfd The epoll instance (a registered file is allowed).
   * @param maxEvents How many events one completion can report (at least 1).
   */
  constructor(epfd: number | FixedFile, maxEvents: number, options: EpollWaitOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `epoll_wait ${fdLabel(epfd)}`;
    this.#epfd = this.useFd(epfd, what);
    const most = Math.floor(0x7fffffff / EPOLL_EVENT.size);
    this.#maxEvents = checkInt(maxEvents, what, "maxEvents", 1, most);
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.events = new Uint8Array(maxEvents * EPOLL_EVENT.size);
    this.#address = addressOf(this.events);
    this.target = { fd: this.#epfd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_EPOLL_WAIT, this.#epfd, this.#address, this.#maxEvents, 0).opFlags(this.#flags);
  }

  /** Decodes the first `res` events (`res` being the operation's result). */
  result(res: number): EpollEvent[] {
    return decodeEpollEvents(this.events, Math.max(0, Math.min(res, this.#maxEvents)));
  }
}
