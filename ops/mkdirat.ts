import { AT_FDCWD, IORING_OP_MKDIRAT } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, cString } from "../memory/buffers.ts";
import { checkFd, checkFlags, checkOptions, pathLabel } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Mkdirat}. */
export interface MkdiratOptions {
  /** The directory a relative path starts from; default `AT_FDCWD`. */
  dirfd?: number;
  /** Permission bits; default 0o777 (less the umask). */
  mode?: number;
}

/**
 * Queues (but does not submit) a mkdirat(2): creates a directory.
 * Matches `io_uring_prep_mkdirat()` in liburing. Available since 5.15.
 *
 * @example
 * ```ts
 * import { IoRing, Mkdirat } from "@ioring/ioring";
 * using ring = new IoRing();
 * const dir = Deno.makeTempDirSync();
 * await ring.run(new Mkdirat(`${dir}/sub`, { mode: 0o750 }));
 * console.log(Deno.statSync(`${dir}/sub`).isDirectory); // true
 * ```
 */
export class Mkdirat extends OpBase {
  /** Its name in errors. */
  readonly name: string = "mkdirat";
  /** IORING_OP_MKDIRAT. */
  readonly opcode: number = IORING_OP_MKDIRAT;
  /** Available since Linux 5.15. */
  readonly since: string = "5.15";
  /** The NUL-terminated path; held until completion. */
  readonly path: Uint8Array;
  readonly #dirfd: number;
  readonly #mode: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param path The directory to create.
   */
  constructor(path: string | URL, options: MkdiratOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `mkdirat '${pathLabel(path)}'`;
    this.path = cString(path, what);
    this.#dirfd = checkFd(options.dirfd ?? AT_FDCWD, what);
    this.#mode = checkFlags(options.mode ?? 0o777, what, "mode");
    this.#address = addressOf(this.path);
    this.target = { path: pathLabel(path) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_MKDIRAT, this.#dirfd, this.#address, this.#mode, 0);
  }
}
