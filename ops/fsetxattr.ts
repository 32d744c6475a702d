import { IORING_OP_FSETXATTR } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, type BufferSource, byteView, checkAttached, cText } from "../memory/buffers.ts";
import { checkFlags, checkOptions } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link Fsetxattr} and {@link Setxattr}. */
export interface SetxattrOptions {
  /** XATTR_CREATE (fail if it exists) or XATTR_REPLACE (fail if it does not); default 0: either. */
  flags?: number;
}

/**
 * Queues (but does not submit) an fsetxattr(2): sets the extended attribute
 * `name` ("user.comment") of an open file to the bytes of `value`.
 * Matches `io_uring_prep_fsetxattr()` in liburing. Available since 5.19.
 *
 * @example
 * ```ts
 * import { Fsetxattr, IoRing, O_WRONLY } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
 * const value = new TextEncoder().encode("draft");
 * const res = await ring.run(new Fsetxattr(fd, "user.status", value)).catch((e) => e.code);
 * console.log(res); // 0, or "EOPNOTSUPP" where the filesystem has no user xattrs
 * await ring.closeFd(fd);
 * ```
 */
export class Fsetxattr extends OpBase {
  /** Its name in errors. */
  readonly name: string = "fsetxattr";
  /** IORING_OP_FSETXATTR. */
  readonly opcode: number = IORING_OP_FSETXATTR;
  /** Available since Linux 5.19. */
  readonly since: string = "5.19";
  /** The NUL-terminated attribute name; held until completion. */
  readonly attrName: Uint8Array;
  /** The attribute's new value; held until completion. */
  readonly value: Uint8Array;
  readonly #fd: number;
  readonly #flags: number;
  readonly #nameAddress: number;
  readonly #valueAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file.
   * @param name The attribute's name, with its namespace ("user.x").
   * @param value Its value (a whole view; may be empty).
   */
  constructor(fd: number | FixedFile, name: string, value: BufferSource, options: SetxattrOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `fsetxattr ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.attrName = cText(name, what, "name");
    this.value = byteView(value, what);
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.#nameAddress = addressOf(this.attrName);
    this.#valueAddress = addressOf(this.value);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    checkAttached(this.value, this.#valueAddress, this.name);
    sqe.prepRw(IORING_OP_FSETXATTR, this.#fd, this.#nameAddress, this.value.byteLength, this.#valueAddress)
      .opFlags(this.#flags);
  }
}
