import { IORING_OP_FIXED_FD_INSTALL } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkOptions, describe } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link FixedFdInstall}. */
export interface FixedFdInstallOptions {
  /** IORING_FIXED_FD_NO_CLOEXEC to leave O_CLOEXEC off the new descriptor; default 0. */
  flags?: number;
}

/**
 * Queues (but does not submit) the installation of a registered file as a
 * normal file descriptor of this process: `res` is the new fd (O_CLOEXEC
 * unless IORING_FIXED_FD_NO_CLOEXEC). The registered slot stays as it was;
 * either may be closed without affecting the other.
 * Matches `io_uring_prep_fixed_fd_install()` in liburing. Available since 6.8.
 *
 * @example
 * ```ts ignore
 * import { FixedFdInstall, FixedFile, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * // after opening a file straight into registered slot 0:
 * const fd = await ring.run(new FixedFdInstall(new FixedFile(0)));
 * ```
 */
export class FixedFdInstall extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "fixed_fd_install";
  /** IORING_OP_FIXED_FD_INSTALL. */
  readonly opcode: number = IORING_OP_FIXED_FD_INSTALL;
  /** Available since Linux 6.8. */
  readonly since: string = "6.8";
  readonly #slot: number;
  readonly #flags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param file The registered file to install.
   */
  constructor(file: FixedFile, options: FixedFdInstallOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = "install a registered file as an fd";
    if (!(file instanceof FixedFile)) {
      throw new TypeError(`Cannot ${what}: file must be a FixedFile: current value is ${describe(file)}`);
    }
    this.#slot = this.useFd(file, what); // sets IOSQE_FIXED_FILE, which the kernel requires
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.target = { fd: this.#slot };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_FIXED_FD_INSTALL, this.#slot, 0, 0, 0).opFlags(this.#flags);
  }
}
