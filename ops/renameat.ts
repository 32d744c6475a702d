import { IORING_OP_RENAMEAT } from "../kernel/constants.ts";
import { TwoPathOp, type TwoPathOptions } from "./_two_paths.ts";

/** Options of {@link Renameat}. */
export interface RenameatOptions extends TwoPathOptions {
  /** The directory a relative `oldPath` starts from; default `AT_FDCWD`. */
  oldDirfd?: number;
  /** The directory a relative `newPath` starts from; default `AT_FDCWD`. */
  newDirfd?: number;
  /** `RENAME_*` flags (NOREPLACE, EXCHANGE, WHITEOUT); default 0. */
  flags?: number;
}

/**
 * Queues (but does not submit) a renameat2(2): `oldPath` gets the name
 * `newPath`, replacing what was there unless RENAME_NOREPLACE.
 * Matches `io_uring_prep_renameat()` in liburing. Available since 5.11.
 *
 * @example
 * ```ts
 * import { IoRing, Renameat } from "@ioring/ioring";
 * using ring = new IoRing();
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/a`, "hi");
 * await ring.run(new Renameat(`${dir}/a`, `${dir}/b`));
 * console.log(Deno.readTextFileSync(`${dir}/b`)); // "hi"
 * ```
 */
export class Renameat extends TwoPathOp {
  /** Its name in errors. */
  readonly name: string = "renameat";
  /** IORING_OP_RENAMEAT. */
  readonly opcode: number = IORING_OP_RENAMEAT;
  /** Available since Linux 5.11. */
  readonly since: string = "5.11";

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param oldPath The file to rename.
   * @param newPath Its new name.
   */
  constructor(oldPath: string | URL, newPath: string | URL, options: RenameatOptions = {}) {
    super("renameat", oldPath, newPath, options);
  }
}
