import { errnoMessage, errnoName } from "../kernel/errno.ts";

/** Where a failed operation was aimed, for the error message. */
export interface IoRingErrorTarget {
  /** The file descriptor (or fixed-file slot) the operation used. */
  fd?: number;
  /** The path the operation named. */
  path?: string;
}

/**
 * An operation or ring call that the kernel refused. `code` is the errno's
 * name ("ENOENT"), `errno` its positive number, `op` the operation ("openat",
 * "read", "io_uring_setup"). A failed completion becomes this error only in the
 * promise API; the low-level API hands back the raw negative `res`.
 *
 * @example Catching a missing file
 * ```ts
 * import { IoRing, IoRingError } from "@ioring/ioring";
 * using ring = new IoRing();
 * try {
 *   await ring.openat("/no/such/file");
 * } catch (error) {
 *   if (error instanceof IoRingError && error.code === "ENOENT") console.log("missing:", error.path);
 * }
 * ```
 */
export class IoRingError extends Error {
  /** The errno name, such as "ENOENT". */
  readonly code: string;
  /** The positive errno number. */
  readonly errno: number;
  /** The operation that failed, such as "openat". */
  readonly op: string;
  /** The file descriptor the operation used, where it had one. */
  readonly fd?: number;
  /** The path the operation named, where it had one. */
  readonly path?: string;

  /**
   * Builds the error and its message ("openat '/x' failed: ENOENT (No such file or directory)").
   *
   * @param errno The positive errno number (a negative `res` may be passed as is).
   * @param op The operation that failed.
   * @param target The fd or path it was aimed at, and an optional detail appended to the message.
   */
  constructor(
    errno: number,
    op: string,
    target: IoRingErrorTarget & { detail?: string } = {},
    options?: ErrorOptions,
  ) {
    const n = Math.abs(errno);
    const code = errnoName(n);
    const where = target.path !== undefined
      ? ` '${target.path}'`
      : target.fd !== undefined
      ? ` (fd ${target.fd})`
      : "";
    const detail = target.detail !== undefined ? `: ${target.detail}` : "";
    super(`${op}${where} failed: ${code} (${errnoMessage(n)})${detail}`, options);
    this.name = "IoRingError";
    this.code = code;
    this.errno = n;
    this.op = op;
    if (target.fd !== undefined) this.fd = target.fd;
    if (target.path !== undefined) this.path = target.path;
  }
}
