import { AT_FDCWD } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, cString } from "../memory/buffers.ts";
import { checkFd, checkFlags, checkOptions, pathLabel } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Renameat} and {@link Linkat}: where each path starts from, and the flags. */
export interface TwoPathOptions {
  /** The directory a relative `oldPath` starts from; default `AT_FDCWD`. */
  oldDirfd?: number;
  /** The directory a relative `newPath` starts from; default `AT_FDCWD`. */
  newDirfd?: number;
  /** The op's flags; default 0. */
  flags?: number;
}

/**
 * The shape renameat2(2) and linkat(2) share: two dirfd + path pairs and a flags word. The old pair goes
 * in fd/addr, the new dirfd in len and the new path in off, as `io_uring_prep_renameat()` and
 * `io_uring_prep_linkat()` write them.
 */
export abstract class TwoPathOp extends OpBase {
  /** The NUL-terminated old path; held until completion. */
  readonly oldPath: Uint8Array;
  /** The NUL-terminated new path; held until completion. */
  readonly newPath: Uint8Array;
  readonly #oldDirfd: number;
  readonly #newDirfd: number;
  readonly #flags: number;
  readonly #oldAddress: number;
  readonly #newAddress: number;

  /** Checks and keeps the fields the subclass's op writes; `name` (or `verb`) is used in error messages. */
  constructor(verb: string, oldPath: string | URL, newPath: string | URL, options: TwoPathOptions) {
    super();
    const what = `${verb} '${pathLabel(oldPath)}' to '${pathLabel(newPath)}'`;
    this.oldPath = cString(oldPath, what);
    this.newPath = cString(newPath, what);
    checkOptions(options, what);
    this.#oldDirfd = checkFd(options.oldDirfd ?? AT_FDCWD, what);
    this.#newDirfd = checkFd(options.newDirfd ?? AT_FDCWD, what);
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.#oldAddress = addressOf(this.oldPath);
    this.#newAddress = addressOf(this.newPath);
    this.target = { path: pathLabel(oldPath) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(this.opcode, this.#oldDirfd, this.#oldAddress, this.#newDirfd, this.#newAddress).opFlags(
      this.#flags,
    );
  }
}
