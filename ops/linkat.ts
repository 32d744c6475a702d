import { IORING_OP_LINKAT } from "../kernel/constants.ts";
import { TwoPathOp, type TwoPathOptions } from "./_two_paths.ts";

/** Options of {@link Linkat}. */
export interface LinkatOptions extends TwoPathOptions {
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
export class Linkat extends TwoPathOp {
  /** Its name in errors. */
  readonly name: string = "linkat";
  /** IORING_OP_LINKAT. */
  readonly opcode: number = IORING_OP_LINKAT;
  /** Available since Linux 5.15. */
  readonly since: string = "5.15";

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param oldPath The existing file.
   * @param newPath Its new, additional name.
   */
  constructor(oldPath: string | URL, newPath: string | URL, options: LinkatOptions = {}) {
    super("linkat", oldPath, newPath, options);
  }
}
