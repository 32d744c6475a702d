import { IORING_FSYNC_DATASYNC, IORING_OP_FSYNC } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";
import { checkOptions } from "../util/checks.ts";

/** Options of {@link Fsync}. */
export interface FsyncOptions {
  /** fdatasync(2) instead of fsync(2) (IORING_FSYNC_DATASYNC). */
  datasync?: boolean;
}

/**
 * Queues (but does not submit) an fsync(2), or fdatasync(2) with `datasync`.
 * It does not wait for earlier writes in the ring: link it after them
 * (IOSQE_IO_LINK) or drain (IOSQE_IO_DRAIN) to order it.
 * Matches `io_uring_prep_fsync()` in liburing. Available since 5.1.
 *
 * @example
 * ```ts
 * import { Fsync, IoRing, O_WRONLY } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
 * await ring.run(new Fsync(fd, { datasync: true }));
 * await ring.closeFd(fd);
 * ```
 */
export class Fsync extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "fsync";
  /** IORING_OP_FSYNC. */
  readonly opcode: number = IORING_OP_FSYNC;
  /** Available since Linux 5.1. */
  readonly since: string = "5.1";
  readonly #fd: number;
  readonly #flags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to sync.
   */
  constructor(fd: number | FixedFile, options: FsyncOptions = {}) {
    super();
    checkOptions(options, this.name);
    this.#fd = this.useFd(fd, `fsync ${fdLabel(fd)}`);
    this.#flags = options.datasync === true ? IORING_FSYNC_DATASYNC : 0;
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_FSYNC, this.#fd, 0, 0, 0).opFlags(this.#flags);
  }
}
