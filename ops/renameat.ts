import { AT_FDCWD, IORING_OP_RENAMEAT } from "../ring/constants.ts";
import type { SqeWriter } from "../ring/sqe.ts";
import { addressOf, cString } from "./_memory.ts";
import { checkFd, checkFlags, pathLabel } from "./_checks.ts";
import { OpBase } from "./op.ts";

/** Options of {@link Renameat}. */
export interface RenameatOptions {
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
export class Renameat extends OpBase {
  /** Its name in errors. */
  readonly name = "renameat";
  /** IORING_OP_RENAMEAT. */
  readonly opcode = IORING_OP_RENAMEAT;
  /** Available since Linux 5.11. */
  readonly since = "5.11";
  /** The NUL-terminated old path; held until completion. */
  readonly oldPath: Uint8Array;
  /** The NUL-terminated new path; held until completion. */
  readonly newPath: Uint8Array;
  readonly #oldDirfd: number;
  readonly #newDirfd: number;
  readonly #flags: number;
  readonly #oldAddress: number;
  readonly #newAddress: number;

  /**
   * @param oldPath The file to rename.
   * @param newPath Its new name.
   */
  constructor(oldPath: string | URL, newPath: string | URL, options: RenameatOptions = {}) {
    super();
    const what = `renameat '${pathLabel(oldPath)}' to '${pathLabel(newPath)}'`;
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
    sqe.prepRw(IORING_OP_RENAMEAT, this.#oldDirfd, this.#oldAddress, this.#newDirfd, this.#newAddress)
      .opFlags(this.#flags);
  }
}
