import { IORING_OP_FALLOCATE } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkOptions, checkU64 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link Fallocate}. */
export interface FallocateOptions {
  /** `FALLOC_FL_*` flags (KEEP_SIZE, PUNCH_HOLE, ZERO_RANGE, ...); default 0: allocate and grow the file. */
  mode?: number;
}

/**
 * Queues (but does not submit) a fallocate(2): allocates (or, with a
 * `FALLOC_FL_*` mode, punches, zeroes, collapses...) `length` bytes at
 * `offset`. Without FALLOC_FL_KEEP_SIZE the file grows to cover the range.
 * Matches `io_uring_prep_fallocate()` in liburing. Available since 5.6.
 *
 * @example
 * ```ts
 * import { Fallocate, IoRing, O_WRONLY } from "@ioring/ioring";
 * using ring = new IoRing();
 * const path = Deno.makeTempFileSync();
 * const fd = await ring.openat(path, { flags: O_WRONLY });
 * await ring.run(new Fallocate(fd, 0, 1 << 20));
 * console.log(Deno.statSync(path).size); // 1048576
 * await ring.closeFd(fd);
 * ```
 */
export class Fallocate extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "fallocate";
  /** IORING_OP_FALLOCATE. */
  readonly opcode: number = IORING_OP_FALLOCATE;
  /** Available since Linux 5.6. */
  readonly since: string = "5.6";
  readonly #fd: number;
  readonly #offset: number;
  readonly #length: number;
  readonly #mode: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file to allocate in.
   * @param offset Where the range starts.
   * @param length The range's length in bytes.
   */
  constructor(fd: number | FixedFile, offset: number, length: number, options: FallocateOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `fallocate ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.#offset = checkU64(offset, what, "offset");
    this.#length = checkU64(length, what, "length");
    this.#mode = checkFlags(options.mode ?? 0, what, "mode");
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    // The length travels in addr and the mode in len.
    sqe.prepRw(IORING_OP_FALLOCATE, this.#fd, this.#length, this.#mode, this.#offset);
  }
}
