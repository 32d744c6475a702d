import { AT_FDCWD, IORING_OP_UNLINKAT } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, cString } from "../memory/buffers.ts";
import { checkFd, checkFlags, checkOptions, pathLabel } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Unlinkat}. */
export interface UnlinkatOptions {
  /** The directory a relative path starts from; default `AT_FDCWD`. */
  dirfd?: number;
  /** AT_REMOVEDIR to remove an (empty) directory, as rmdir(2); default 0. */
  flags?: number;
}

/**
 * Queues (but does not submit) an unlinkat(2): removes a name, or an empty
 * directory with AT_REMOVEDIR.
 * Matches `io_uring_prep_unlinkat()` in liburing. Available since 5.11.
 *
 * @example
 * ```ts
 * import { AT_REMOVEDIR, IoRing, Unlinkat } from "@ioring/ioring";
 * using ring = new IoRing();
 * const dir = Deno.makeTempDirSync();
 * await ring.run(new Unlinkat(dir, { flags: AT_REMOVEDIR }));
 * ```
 */
export class Unlinkat extends OpBase {
  /** Its name in errors. */
  readonly name: string = "unlinkat";
  /** IORING_OP_UNLINKAT. */
  readonly opcode: number = IORING_OP_UNLINKAT;
  /** Available since Linux 5.11. */
  readonly since: string = "5.11";
  /** The NUL-terminated path; held until completion. */
  readonly path: Uint8Array;
  readonly #dirfd: number;
  readonly #flags: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param path The name to remove.
   */
  constructor(path: string | URL, options: UnlinkatOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `unlinkat '${pathLabel(path)}'`;
    this.path = cString(path, what);
    this.#dirfd = checkFd(options.dirfd ?? AT_FDCWD, what);
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.#address = addressOf(this.path);
    this.target = { path: pathLabel(path) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_UNLINKAT, this.#dirfd, this.#address, 0, 0).opFlags(this.#flags);
  }
}
