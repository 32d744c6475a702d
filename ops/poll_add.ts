import { IORING_OP_POLL_ADD, IORING_POLL_ADD_LEVEL, IORING_POLL_ADD_MULTI } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkOptions } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link PollAdd}. */
export interface PollAddOptions {
  /**
   * Keep polling (IORING_POLL_ADD_MULTI, 5.13): a CQE with IORING_CQE_F_MORE
   * each time the file becomes ready, until removed or an error. Run it with
   * `ring.multishot()` or `ring.prepare()`; `ring.run()` refuses it.
   */
  multishot?: boolean;
  /**
   * Level-triggered instead of edge-triggered (IORING_POLL_ADD_LEVEL). The
   * uapi header defines it, but POLL_ADD requests carrying it fail with EINVAL
   * (Linux 6.18 included): the kernel uses it only internally so far.
   */
  level?: boolean;
}

/**
 * Queues (but does not submit) a poll(2) for `events` (POLLIN, POLLOUT, ...)
 * on `fd`: `res` is the mask of ready events. One-shot unless `multishot`.
 * Matches `io_uring_prep_poll_add()` (and `io_uring_prep_poll_multishot()`)
 * in liburing. Available since 5.1; `multishot` since 5.13.
 *
 * @example
 * ```ts ignore
 * import { IoRing, PollAdd } from "@ioring/ioring";
 * import { POLLIN } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * // r: the read end of a pipe
 * const ready = await ring.run(new PollAdd(r, POLLIN)); // POLLIN once there is data
 * for await (const cqe of ring.multishot(new PollAdd(r, POLLIN, { multishot: true }))) {
 *   console.log(cqe.res); // POLLIN each time data arrives
 * }
 * ```
 */
export class PollAdd extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "poll_add";
  /** IORING_OP_POLL_ADD. */
  readonly opcode: number = IORING_OP_POLL_ADD;
  /** The Linux version this use of the op needs: 5.1, or 5.13 with `multishot`. */
  readonly since: string;
  readonly #fd: number;
  readonly #events: number;
  readonly #mode: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file to watch.
   * @param events The `POLL*` events to wait for.
   */
  constructor(fd: number | FixedFile, events: number, options: PollAddOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `poll_add ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.#events = checkFlags(events, what, "events");
    this.multishot = options.multishot === true;
    this.#mode = (this.multishot ? IORING_POLL_ADD_MULTI : 0) |
      (options.level === true ? IORING_POLL_ADD_LEVEL : 0);
    this.since = this.multishot ? "5.13" : "5.1";
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The events travel in poll32_events (the op-flags word), the mode flags in len.
    sqe.prepRw(IORING_OP_POLL_ADD, this.#fd, 0, this.#mode, 0).opFlags(this.#events);
  }
}
