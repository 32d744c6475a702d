import { AT_FDCWD, IORING_OP_SYMLINKAT } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, cString } from "../memory/buffers.ts";
import { checkFd, checkOptions, pathLabel } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Symlinkat}. */
export interface SymlinkatOptions {
  /** The directory a relative `linkPath` starts from; default `AT_FDCWD`. */
  newDirfd?: number;
}

/**
 * Queues (but does not submit) a symlinkat(2): creates `linkPath` as a
 * symbolic link whose contents are `target` (which need not exist).
 * Matches `io_uring_prep_symlinkat()` in liburing. Available since 5.15.
 *
 * @example
 * ```ts
 * import { IoRing, Symlinkat } from "@ioring/ioring";
 * using ring = new IoRing();
 * const dir = Deno.makeTempDirSync();
 * await ring.run(new Symlinkat("/etc/hostname", `${dir}/link`));
 * console.log(Deno.readLinkSync(`${dir}/link`)); // "/etc/hostname"
 * ```
 */
export class Symlinkat extends OpBase {
  /** Its name in errors. */
  readonly name: string = "symlinkat";
  /** IORING_OP_SYMLINKAT. */
  readonly opcode: number = IORING_OP_SYMLINKAT;
  /** Available since Linux 5.15. */
  readonly since: string = "5.15";
  /** The NUL-terminated link contents; held until completion. */
  readonly linkTarget: Uint8Array;
  /** The NUL-terminated path of the new link; held until completion. */
  readonly linkPath: Uint8Array;
  readonly #newDirfd: number;
  readonly #targetAddress: number;
  readonly #linkAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param target What the link points to (stored as is).
   * @param linkPath Where the link is created.
   */
  constructor(target: string | URL, linkPath: string | URL, options: SymlinkatOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `symlinkat '${pathLabel(linkPath)}' to '${pathLabel(target)}'`;
    this.linkTarget = cString(target, what);
    this.linkPath = cString(linkPath, what);
    this.#newDirfd = checkFd(options.newDirfd ?? AT_FDCWD, what);
    this.#targetAddress = addressOf(this.linkTarget);
    this.#linkAddress = addressOf(this.linkPath);
    this.target = { path: pathLabel(linkPath) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The link's path travels in off.
    sqe.prepRw(IORING_OP_SYMLINKAT, this.#newDirfd, this.#targetAddress, 0, this.#linkAddress);
  }
}
