import {
  IORING_ASYNC_CANCEL_ALL,
  IORING_ASYNC_CANCEL_ANY,
  IORING_ASYNC_CANCEL_FD,
  IORING_ASYNC_CANCEL_FD_FIXED,
  IORING_ASYNC_CANCEL_OP,
  IORING_ASYNC_CANCEL_USERDATA,
  IORING_OP_ASYNC_CANCEL,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkInt, checkU64, describe } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { FixedFile } from "../sqe/fixed_file.ts";

/**
 * Which requests an {@link AsyncCancel} matches. Keys given together must all
 * match (IORING_ASYNC_CANCEL_USERDATA is added when `userData` is combined
 * with `fd` or `opcode`, which needs 6.6).
 */
export interface AsyncCancelTarget {
  /** The user data of the request(s) to cancel. */
  userData?: number;
  /** Requests on this file (IORING_ASYNC_CANCEL_FD, 5.19; a FixedFile adds IORING_ASYNC_CANCEL_FD_FIXED, 6.0). */
  fd?: number | FixedFile;
  /** Requests with this `IORING_OP_*` opcode (IORING_ASYNC_CANCEL_OP, 6.6). */
  opcode?: number;
  /** Every request of the ring (IORING_ASYNC_CANCEL_ANY, 5.19); no other key may be given. */
  any?: boolean;
  /** Cancel every match, not just the first (IORING_ASYNC_CANCEL_ALL, 5.19); `res` is then the count. */
  all?: boolean;
}

/**
 * Queues (but does not submit) the cancellation of requests in flight on this
 * ring: by user data (a number, or `{ userData }`), by file, by opcode, or
 * any. A cancelled request completes with -ECANCELED (or -EINTR, or its
 * result if it finished first). This request's `res` is 0 when one match was
 * cancelled, the number cancelled with `all` or `any`, -ENOENT when nothing
 * matched, -EALREADY when the match was already running and could only be
 * signalled (futex and waitid requests report 1, the count, instead of 0).
 * Requests of the promise API carry user data of their own: reach them by
 * `fd` or `opcode`, or use `ring.cancelFd()`, `ring.cancelAll()` or an
 * AbortSignal.
 * Matches `io_uring_prep_cancel64()` and `io_uring_prep_cancel_fd()` in
 * liburing. Available since 5.5; the keys other than user data since 5.19
 * (a FixedFile 6.0, opcode and combined keys 6.6).
 *
 * @example
 * ```ts ignore
 * import { AsyncCancel, IoRing, Read } from "@ioring/ioring";
 * using ring = new IoRing();
 * // r: the read end of an empty pipe
 * ring.prepare(new Read(r, new Uint8Array(16)), 1);
 * ring.prepare(new AsyncCancel(1), 2); // the read completes with -ECANCELED, the cancel with 0
 * ```
 */
export class AsyncCancel extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "async_cancel";
  /** IORING_OP_ASYNC_CANCEL. */
  readonly opcode: number = IORING_OP_ASYNC_CANCEL;
  /** The Linux version this use of the op needs: 5.5 by user data, 5.19 with fd/all/any, 6.0 with a FixedFile, 6.6 with opcode or combined keys. */
  readonly since: string;
  readonly #fd: number;
  readonly #userData: number;
  readonly #matchOpcode: number;
  readonly #flags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param target The user data of the request to cancel, or the keys to match.
   */
  constructor(target: number | AsyncCancelTarget) {
    super();
    const what = "async_cancel";
    const keys: AsyncCancelTarget = typeof target === "number" ? { userData: target } : target;
    if (typeof keys !== "object" || keys === null) {
      throw new TypeError(
        `Cannot ${what}: target must be user data or { userData, fd, opcode, any, all }: current value is ${
          describe(target)
        }`,
      );
    }
    let flags = keys.all === true ? IORING_ASYNC_CANCEL_ALL : 0;
    let fd = -1;
    let opcode = 0;
    if (keys.any === true) {
      if (keys.fd !== undefined || keys.opcode !== undefined || keys.userData !== undefined) {
        throw new TypeError(
          `Cannot ${what}: any matches every request, so it takes no userData, fd or opcode`,
        );
      }
      flags |= IORING_ASYNC_CANCEL_ANY;
    }
    if (keys.fd !== undefined) {
      flags |= IORING_ASYNC_CANCEL_FD;
      if (keys.fd instanceof FixedFile) {
        flags |= IORING_ASYNC_CANCEL_FD_FIXED;
        fd = keys.fd.index;
      } else {
        fd = checkInt(keys.fd, what, "fd", 0, 0x7fffffff, "a file descriptor or a FixedFile");
      }
    }
    if (keys.opcode !== undefined) {
      flags |= IORING_ASYNC_CANCEL_OP;
      if (
        typeof keys.opcode !== "number" || !Number.isInteger(keys.opcode) || keys.opcode < 0 ||
        keys.opcode > 255
      ) {
        throw new RangeError(
          `Cannot ${what}: opcode must be an IORING_OP_* value: current value is ${describe(keys.opcode)}`,
        );
      }
      opcode = keys.opcode;
    }
    let userData = 0;
    if (keys.userData !== undefined) {
      userData = checkU64(keys.userData, what, "userData");
      if ((flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP)) !== 0) {
        flags |= IORING_ASYNC_CANCEL_USERDATA;
      }
    } else if ((flags & (IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP)) === 0) {
      throw new TypeError(`Cannot ${what}: give userData, fd, opcode or any`);
    }
    this.#fd = fd;
    this.#userData = userData;
    this.#matchOpcode = opcode;
    this.#flags = checkFlags(flags, what);
    this.since = (flags & (IORING_ASYNC_CANCEL_OP | IORING_ASYNC_CANCEL_USERDATA)) !== 0
      ? "6.6"
      : (flags & IORING_ASYNC_CANCEL_FD_FIXED) !== 0
      ? "6.0"
      : flags !== 0
      ? "5.19"
      : "5.5";
    if (fd >= 0) this.target = { fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The user data to match travels in addr, the opcode to match in len.
    sqe.prepRw(IORING_OP_ASYNC_CANCEL, this.#fd, this.#userData, this.#matchOpcode, 0).opFlags(this.#flags);
  }
}
