import { IORING_OP_GETXATTR } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, cString, cText } from "../memory/buffers.ts";
import { checkOptions, checkXattrSize, pathLabel } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import type { GetxattrOptions } from "./fgetxattr.ts";

export type { GetxattrOptions } from "./fgetxattr.ts";

/**
 * Queues (but does not submit) a getxattr(2) of the file at `path`
 * (following symlinks) into a buffer that the builder owns: `res` is the
 * value's length; {@link Getxattr.result} copies it out.
 * Matches `io_uring_prep_getxattr()` in liburing. Available since 5.19.
 *
 * @example
 * ```ts
 * import { Getxattr, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const op = new Getxattr(Deno.makeTempFileSync(), "user.missing");
 * console.log(await ring.run(op).catch((e) => e.code)); // "ENODATA" (or "EOPNOTSUPP")
 * ```
 */
export class Getxattr extends OpBase {
  /** Its name in errors. */
  readonly name: string = "getxattr";
  /** IORING_OP_GETXATTR. */
  readonly opcode: number = IORING_OP_GETXATTR;
  /** Available since Linux 5.19. */
  readonly since: string = "5.19";
  /** The NUL-terminated path; held until completion. */
  readonly path: Uint8Array;
  /** The NUL-terminated attribute name; held until completion. */
  readonly attrName: Uint8Array;
  /** Where the kernel writes the value; held until completion. */
  readonly value: Uint8Array;
  readonly #pathAddress: number;
  readonly #nameAddress: number;
  readonly #valueAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param path The file.
   * @param name The attribute's name, with its namespace ("user.x").
   */
  constructor(path: string | URL, name: string, options: GetxattrOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `getxattr '${pathLabel(path)}'`;
    this.path = cString(path, what);
    this.attrName = cText(name, what, "name");
    this.value = new Uint8Array(checkXattrSize(options.size, what));
    this.#pathAddress = addressOf(this.path);
    this.#nameAddress = addressOf(this.attrName);
    this.#valueAddress = addressOf(this.value);
    this.target = { path: pathLabel(path) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_GETXATTR, 0, this.#nameAddress, this.value.byteLength, this.#valueAddress)
      .addr3(this.#pathAddress);
  }

  /** A copy of the value, given the operation's `res` (its length). */
  result(res: number): Uint8Array {
    return this.value.slice(0, Math.max(0, Math.min(res, this.value.byteLength)));
  }
}
