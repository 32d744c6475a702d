import { IORING_OP_FTRUNCATE } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkU64 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/**
 * Queues (but does not submit) an ftruncate(2): the file becomes exactly
 * `length` bytes long, cut or extended with zeros.
 * Matches `io_uring_prep_ftruncate()` in liburing. Available since 6.9.
 *
 * @example
 * ```ts
 * import { Ftruncate, IoRing, O_WRONLY } from "@ioring/ioring";
 * using ring = new IoRing();
 * const path = Deno.makeTempFileSync();
 * const fd = await ring.openat(path, { flags: O_WRONLY });
 * await ring.run(new Ftruncate(fd, 100));
 * console.log(Deno.statSync(path).size); // 100
 * await ring.closeFd(fd);
 * ```
 */
export class Ftruncate extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "ftruncate";
  /** IORING_OP_FTRUNCATE. */
  readonly opcode: number = IORING_OP_FTRUNCATE;
  /** Available since Linux 6.9. */
  readonly since: string = "6.9";
  readonly #fd: number;
  readonly #length: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file to cut or extend (open for writing).
   * @param length Its new size in bytes.
   */
  constructor(fd: number | FixedFile, length: number) {
    super();
    const what = `ftruncate ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.#length = checkU64(length, what, "length");
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_FTRUNCATE, this.#fd, 0, 0, this.#length);
  }
}
