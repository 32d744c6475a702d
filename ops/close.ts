import { IORING_OP_CLOSE } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, FixedFile } from "../sqe/fixed_file.ts";

/**
 * Queues (but does not submit) a close(2) of a file descriptor, or of a
 * registered file's slot (a direct descriptor) when given a {@link FixedFile}.
 * Matches `io_uring_prep_close()` / `io_uring_prep_close_direct()` in
 * liburing. Available since 5.6; direct descriptors since 5.15.
 *
 * @example
 * ```ts
 * import { Close, IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.openat("/etc/hostname");
 * await ring.run(new Close(fd));
 * ```
 */
export class Close extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "close";
  /** IORING_OP_CLOSE. */
  readonly opcode: number = IORING_OP_CLOSE;
  /** The Linux version this use of the op needs: 5.6, or 5.15 for a direct descriptor. */
  readonly since: string;
  readonly #fd: number;
  readonly #fileIndex: number; // slot + 1 for a direct descriptor, else 0

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file descriptor to close.
   */
  constructor(fd: number | FixedFile) {
    super();
    if (fd instanceof FixedFile) {
      // Closing a direct descriptor names its slot in file_index (slot + 1) with fd 0, and no
      // IOSQE_FIXED_FILE, which close refuses: io_uring_prep_close_direct() in liburing (5.15).
      this.#fd = 0;
      this.#fileIndex = fd.index + 1;
    } else {
      this.#fd = this.useFd(fd, `close ${fdLabel(fd)}`);
      this.#fileIndex = 0;
    }
    this.target = { fd: fd instanceof FixedFile ? fd.index : this.#fd };
    this.since = fd instanceof FixedFile ? "5.15" : "5.6";
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_CLOSE, this.#fd, 0, 0, 0);
    if (this.#fileIndex !== 0) sqe.fileIndex(this.#fileIndex);
  }
}
