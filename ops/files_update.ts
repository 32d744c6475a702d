import {
  IORING_FILE_INDEX_ALLOC,
  IORING_OP_FILES_UPDATE,
  IORING_REGISTER_FILES_SKIP,
} from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { checkInt, describe } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";

/**
 * Queues (but does not submit) an update of the ring's registered file table:
 * slots `offset`, `offset + 1`, ... get the file descriptors `fds` (the table
 * takes its own reference, so the fds may be closed afterwards); -1 empties a
 * slot and IORING_REGISTER_FILES_SKIP (-2) leaves it as is. With `offset`
 * IORING_FILE_INDEX_ALLOC the kernel picks free slots and writes them into
 * the builder's array: read them with {@link FilesUpdate.result}. `res` is the
 * number of slots updated. The ring needs a registered file table (else ENXIO).
 * Matches `io_uring_prep_files_update()` in liburing. Available since 5.6;
 * IORING_FILE_INDEX_ALLOC since 5.19.
 *
 * @example
 * ```ts ignore
 * import { FilesUpdate, FixedFile, IoRing, Read } from "@ioring/ioring";
 * using ring = new IoRing();
 * // after registering a file table with free slots:
 * await ring.run(new FilesUpdate([fd], 3));
 * await ring.run(new Read(new FixedFile(3), new Uint8Array(64), 0));
 * ```
 */
export class FilesUpdate extends OpBase {
  /** Its name in errors. */
  readonly name: string = "files_update";
  /** IORING_OP_FILES_UPDATE. */
  readonly opcode: number = IORING_OP_FILES_UPDATE;
  /** The Linux version this use of the op needs: 5.6, or 5.19 with IORING_FILE_INDEX_ALLOC. */
  readonly since: string;
  /** The fds the kernel reads (and, with IORING_FILE_INDEX_ALLOC, the slots it writes back); held until completion. */
  readonly fds: Int32Array;
  readonly #offset: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fds The file descriptors to install (at least one), -1 to empty a slot, -2 to skip one.
   * @param offset The first slot, or IORING_FILE_INDEX_ALLOC to let the kernel pick free ones.
   */
  constructor(fds: readonly number[], offset: number) {
    super();
    const what = "update registered files";
    if (!Array.isArray(fds) || fds.length === 0) {
      throw new RangeError(
        `Cannot ${what}: fds must be a non-empty array of file descriptors: current value is ${
          Array.isArray(fds) ? "[]" : describe(fds)
        }`,
      );
    }
    for (const fd of fds) {
      checkInt(fd, what, "each fd", IORING_REGISTER_FILES_SKIP, 0x7fffffff, "a file descriptor, -1 or -2");
    }
    if (offset !== IORING_FILE_INDEX_ALLOC) {
      checkInt(offset, what, "offset", 0, 0x7fffffff, "a slot index or IORING_FILE_INDEX_ALLOC");
    }
    this.fds = Int32Array.from(fds);
    // liburing passes the offset as an int sign-extended to 64 bits: IORING_FILE_INDEX_ALLOC is -1.
    this.#offset = offset === IORING_FILE_INDEX_ALLOC ? -1 : offset;
    this.#address = addressOf(this.fds);
    this.since = offset === IORING_FILE_INDEX_ALLOC ? "5.19" : "5.6";
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_FILES_UPDATE, -1, this.#address, this.fds.length, this.#offset);
  }

  /** The first `res` entries of the array: with IORING_FILE_INDEX_ALLOC, the slots the kernel picked. */
  result(res: number): number[] {
    return Array.from(this.fds.subarray(0, Math.max(0, Math.min(res, this.fds.length))));
  }
}
