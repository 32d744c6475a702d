import { IORING_OP_FGETXATTR } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, cText } from "../memory/buffers.ts";
import { checkOptions, checkXattrSize } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link Fgetxattr} and {@link Getxattr}. */
export interface GetxattrOptions {
  /**
   * The most value bytes to read; default 4096 (values may be up to 65536).
   * A larger value fails with ERANGE; 0 asks only for the value's size (`res`).
   */
  size?: number;
}

/**
 * Queues (but does not submit) an fgetxattr(2) into a buffer that the builder
 * owns: `res` is the value's length; {@link Fgetxattr.result} copies it out.
 * Matches `io_uring_prep_fgetxattr()` in liburing. Available since 5.19.
 *
 * @example
 * ```ts ignore
 * import { Fgetxattr, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * // fd: an open file that has a user.status attribute
 * const op = new Fgetxattr(fd, "user.status");
 * const length = await ring.run(op);
 * console.log(new TextDecoder().decode(op.result(length)));
 * ```
 */
export class Fgetxattr extends OpBase {
  /** Its name in errors. */
  readonly name: string = "fgetxattr";
  /** IORING_OP_FGETXATTR. */
  readonly opcode: number = IORING_OP_FGETXATTR;
  /** Available since Linux 5.19. */
  readonly since: string = "5.19";
  /** The NUL-terminated attribute name; held until completion. */
  readonly attrName: Uint8Array;
  /** Where the kernel writes the value; held until completion. */
  readonly value: Uint8Array;
  readonly #fd: number;
  readonly #nameAddress: number;
  readonly #valueAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file.
   * @param name The attribute's name, with its namespace ("user.x").
   */
  constructor(fd: number | FixedFile, name: string, options: GetxattrOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `fgetxattr ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.attrName = cText(name, what, "name");
    this.value = new Uint8Array(checkXattrSize(options.size, what));
    this.#nameAddress = addressOf(this.attrName);
    this.#valueAddress = addressOf(this.value);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_FGETXATTR, this.#fd, this.#nameAddress, this.value.byteLength, this.#valueAddress);
  }

  /** A copy of the value, given the operation's `res` (its length). */
  result(res: number): Uint8Array {
    return this.value.slice(0, Math.max(0, Math.min(res, this.value.byteLength)));
  }
}
