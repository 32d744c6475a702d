/**
 * Cancellation's SQEs: the one writer of IORING_OP_ASYNC_CANCEL that the ring uses (for an fd, for any
 * request, for one promise op's user data), the internal ops built on it, and the internal LINK_TIMEOUT of
 * the `{ timeout }` option.
 *
 * @module
 */
import {
  IORING_ASYNC_CANCEL_ALL,
  IORING_ASYNC_CANCEL_ANY,
  IORING_ASYNC_CANCEL_FD,
  IORING_ASYNC_CANCEL_FD_FIXED,
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_LINK_TIMEOUT,
} from "../kernel/constants.ts";
import { addressOf } from "../memory/buffers.ts";
import { FixedFile } from "../sqe/fixed_file.ts";
import type { Op } from "../sqe/op.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { isThenable } from "../util/checks.ts";

/**
 * Writes an ASYNC_CANCEL into the selected SQE: by `fd` with IORING_ASYNC_CANCEL_FD, any request with
 * IORING_ASYNC_CANCEL_ANY, or else the request whose user data is `targetLo`/`targetHi`. Matches
 * `io_uring_prep_cancel64()` / `io_uring_prep_cancel_fd()` in liburing.
 *
 * @example
 * ```ts ignore
 * prepCancel(sqe, -1, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
 * ```
 */
export function prepCancel(sqe: SqeWriter, fd: number, flags: number, targetLo = 0, targetHi = 0): SqeWriter {
  sqe.prepRw(IORING_OP_ASYNC_CANCEL, fd, 0, 0, 0).opFlags(flags);
  sqe.u32[sqe.w + 4] = targetLo; // addr: the user_data to match
  sqe.u32[sqe.w + 5] = targetHi;
  return sqe;
}

/**
 * An ASYNC_CANCEL keyed by fd (or matching any request), run as a promise op.
 *
 * @example
 * ```ts ignore
 * await ring.run(cancelOp(fd, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL));
 * ```
 */
export function cancelOp(fd: number, flags: number): Op {
  return {
    name: "async_cancel",
    opcode: IORING_OP_ASYNC_CANCEL,
    since: "5.5",
    target: fd >= 0 ? { fd } : {},
    holdsMemory: false,
    prep: (sqe) => void prepCancel(sqe, fd, flags),
  };
}

/**
 * The internal LINK_TIMEOUT of the `{ timeout }` option, holding its timespec until its completion.
 *
 * @example
 * ```ts ignore
 * const timer = linkTimeoutOp(encodeTimespec(100, "read"));
 * ```
 */
export function linkTimeoutOp(timespec: BigInt64Array): Op {
  const address = addressOf(timespec);
  return {
    name: "link_timeout",
    opcode: IORING_OP_LINK_TIMEOUT,
    since: "5.5",
    target: {},
    prep: (sqe) => void sqe.prepRw(IORING_OP_LINK_TIMEOUT, -1, address, 1, 0),
  };
}

/**
 * The fd and `IORING_ASYNC_CANCEL_*` flags that cancel every operation on `target`: a file descriptor, a
 * registered file, or (where `all` is allowed) "all" for every operation on the ring.
 *
 * @example
 * ```ts
 * import { cancelTarget } from "./cancel.ts";
 * console.log(cancelTarget("all", true).fd); // -1
 * ```
 */
export function cancelTarget(
  target: number | FixedFile | "all",
  all: boolean,
): { fd: number; flags: number } {
  if (all && target === "all") return { fd: -1, flags: IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL };
  const fixed = target instanceof FixedFile;
  const fd = fixed ? target.index : target;
  if (isThenable(fd)) {
    throw new TypeError(
      "Cannot cancel: fd must be a file descriptor: current value is a Promise: did you forget await?",
    );
  }
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0) {
    throw new RangeError(
      `Cannot cancel: ${
        all
          ? 'target must be a file descriptor, a FixedFile or "all"'
          : "fd must be a file descriptor or a FixedFile"
      }: current value is ${String(target)}`,
    );
  }
  return {
    fd,
    flags: IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL | (fixed ? IORING_ASYNC_CANCEL_FD_FIXED : 0),
  };
}
