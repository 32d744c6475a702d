import { AT_FDCWD, IORING_OP_LINKAT } from "../ring/constants.ts";
import type { SqeWriter } from "../ring/sqe.ts";
import { addressOf, cString } from "./_memory.ts";
import { checkFd, checkFlags, pathLabel } from "./_checks.ts";
import { OpBase } from "./op.ts";

/** Options of {@link Linkat}. */
export interface LinkatOptions {
  /** The directory a relative `oldPath` starts from; default `AT_FDCWD`. */
  oldDirfd?: number;
  /** The directory a relative `newPath` starts from; default `AT_FDCWD`. */
  newDirfd?: number;
  /** AT_SYMLINK_FOLLOW (link what a final symlink points to) or AT_EMPTY_PATH; default 0. */
  flags?: number;
}

/**
 * Queues (but does not submit) a linkat(2): creates `newPath` as another
 * (hard) name for the file `oldPath`.
 * Matches `io_uring_prep_linkat()` in liburing. Available since 5.15.
 *
 * @example
 * ```ts
 * import { IoRing, Linkat } from "@ioring/ioring";
 * using ring = new IoRing();
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/a`, "hi");
 * await ring.run(new Linkat(`${dir}/a`, `${dir}/b`));
 * console.log(Deno.statSync(`${dir}/a`).nlink); // 2
 * ```
 */
export class Linkat extends OpBase {
  /** Its name in errors. */
  readonly name = "linkat";
  /** IORING_OP_LINKAT. */
  readonly opcode = IORING_OP_LINKAT;
  /** Available since Linux 5.15. */
  readonly since = "5.15";
  /** The NUL-terminated existing path; held until completion. */
  readonly oldPath: Uint8Array;
  /** The NUL-terminated new path; held until completion. */
  readonly newPath: Uint8Array;
  readonly #oldDirfd: number;
  readonly #newDirfd: number;
  readonly #flags: number;
  readonly #oldAddress: number;
  readonly #newAddress: number;

  /**
   * @param oldPath The existing file.
   * @param newPath Its new, additional name.
   */
  constructor(oldPath: string | URL, newPath: string | URL, options: LinkatOptions = {}) {
    super();
    const what = `linkat '${pathLabel(newPath)}' to '${pathLabel(oldPath)}'`;
    this.oldPath = cString(oldPath, what);
    this.newPath = cString(newPath, what);
    this.#oldDirfd = checkFd(options.oldDirfd ?? AT_FDCWD, what);
    this.#newDirfd = checkFd(options.newDirfd ?? AT_FDCWD, what);
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.#oldAddress = addressOf(this.oldPath);
    this.#newAddress = addressOf(this.newPath);
    this.target = { path: pathLabel(oldPath) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The new dirfd travels in len and the new path in off.
    sqe.prepRw(IORING_OP_LINKAT, this.#oldDirfd, this.#oldAddress, this.#newDirfd, this.#newAddress)
      .opFlags(this.#flags);
  }
}
