import {
  IORING_OP_POLL_REMOVE,
  IORING_POLL_ADD_MULTI,
  IORING_POLL_UPDATE_EVENTS,
  IORING_POLL_UPDATE_USER_DATA,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkOptions, checkU64 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link PollRemove}: given any, the poll is updated instead of removed (5.13). */
export interface PollUpdateOptions {
  /** New `POLL*` events to wait for (IORING_POLL_UPDATE_EVENTS). */
  events?: number;
  /** New user data for the poll's completions (IORING_POLL_UPDATE_USER_DATA). */
  newUserData?: number;
  /** With `events`: make the poll multishot (IORING_POLL_ADD_MULTI). */
  multishot?: boolean;
}

/**
 * Queues (but does not submit) the removal of a pending IORING_OP_POLL_ADD
 * (which then completes with -ECANCELED), or with `events` / `newUserData` an
 * update of it in place. `res` is 0, -ENOENT when no poll has that user data,
 * or -EALREADY when it is completing.
 * Matches `io_uring_prep_poll_remove()` and `io_uring_prep_poll_update()` in
 * liburing. Available since 5.1; updates since 5.13.
 *
 * @example
 * ```ts ignore
 * import { IoRing, PollAdd, PollRemove } from "@ioring/ioring";
 * import { POLLIN } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * // r: the read end of a pipe
 * ring.prepare(new PollAdd(r, POLLIN, { multishot: true }), 1);
 * ring.prepare(new PollRemove(1), 2); // the poll ends with -ECANCELED
 * ```
 */
export class PollRemove extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "poll_remove";
  /** IORING_OP_POLL_REMOVE. */
  readonly opcode: number = IORING_OP_POLL_REMOVE;
  /** The Linux version this use of the op needs: 5.1 to remove, 5.13 to update. */
  readonly since: string;
  readonly #userData: number;
  readonly #newUserData: number;
  readonly #events: number;
  readonly #updateFlags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param userData The user data of the poll to remove or update.
   */
  constructor(userData: number, options: PollUpdateOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = "poll_remove";
    this.#userData = checkU64(userData, what, "userData");
    let flags = 0;
    this.#events = 0;
    this.#newUserData = 0;
    if (options.events !== undefined) {
      this.#events = checkFlags(options.events, what, "events");
      flags |= IORING_POLL_UPDATE_EVENTS;
    }
    if (options.newUserData !== undefined) {
      this.#newUserData = checkU64(options.newUserData, what, "newUserData");
      flags |= IORING_POLL_UPDATE_USER_DATA;
    }
    if (options.multishot === true) {
      if ((flags & IORING_POLL_UPDATE_EVENTS) === 0) {
        throw new TypeError(`Cannot ${what}: multishot applies to an update of the events: give events too`);
      }
      flags |= IORING_POLL_ADD_MULTI;
    }
    this.#updateFlags = flags;
    this.since = flags !== 0 ? "5.13" : "5.1";
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The poll's user data travels in addr, the update flags in len, the new user data in off.
    sqe.prepRw(IORING_OP_POLL_REMOVE, -1, this.#userData, this.#updateFlags, this.#newUserData)
      .opFlags(this.#events);
  }
}
