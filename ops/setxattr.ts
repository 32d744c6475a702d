import { IORING_OP_SETXATTR } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached, cString, cText } from "../memory/buffers.ts";
import { checkFlags, checkOptions, pathLabel } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import type { SetxattrOptions } from "./fsetxattr.ts";

export type { SetxattrOptions } from "./fsetxattr.ts";

/**
 * Queues (but does not submit) a setxattr(2): sets the extended attribute
 * `name` ("user.comment") of the file at `path` (following symlinks) to the
 * bytes of `value`.
 * Matches `io_uring_prep_setxattr()` in liburing. Available since 5.19.
 *
 * @example
 * ```ts
 * import { IoRing, Setxattr } from "@ioring/ioring";
 * using ring = new IoRing();
 * const value = new TextEncoder().encode("draft");
 * const res = await ring.run(new Setxattr(Deno.makeTempFileSync(), "user.status", value))
 *   .catch((e) => e.code);
 * console.log(res); // 0, or "EOPNOTSUPP" where the filesystem has no user xattrs
 * ```
 */
export class Setxattr extends OpBase {
  /** Its name in errors. */
  readonly name: string = "setxattr";
  /** IORING_OP_SETXATTR. */
  readonly opcode: number = IORING_OP_SETXATTR;
  /** Available since Linux 5.19. */
  readonly since: string = "5.19";
  /** The NUL-terminated path; held until completion. */
  readonly path: Uint8Array;
  /** The NUL-terminated attribute name; held until completion. */
  readonly attrName: Uint8Array;
  /** The attribute's new value; held until completion. */
  readonly value: Uint8Array;
  readonly #flags: number;
  readonly #pathAddress: number;
  readonly #nameAddress: number;
  readonly #valueAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param path The file.
   * @param name The attribute's name, with its namespace ("user.x").
   * @param value Its value (a whole view; may be empty).
   */
  constructor(path: string | URL, name: string, value: BufferSource, options: SetxattrOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `setxattr '${pathLabel(path)}'`;
    this.path = cString(path, what);
    this.attrName = cText(name, what, "name");
    this.value = byteView(value, what);
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.#pathAddress = addressOf(this.path);
    this.#nameAddress = addressOf(this.attrName);
    this.#valueAddress = addressOf(this.value);
    this.target = { path: pathLabel(path) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    checkAttached(this.value, this.#valueAddress, this.name);
    sqe.prepRw(IORING_OP_SETXATTR, 0, this.#nameAddress, this.value.byteLength, this.#valueAddress)
      .opFlags(this.#flags)
      .addr3(this.#pathAddress);
  }
}
