import { IORING_OP_SYNC_FILE_RANGE, SYNC_FILE_RANGE_WRITE } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { checkFlags, checkOptions, checkU32, checkU64 } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { fdLabel, type FixedFile } from "../sqe/fixed_file.ts";

/** Options of {@link SyncFileRange}. */
export interface SyncFileRangeOptions {
  /** `SYNC_FILE_RANGE_*` flags; default SYNC_FILE_RANGE_WRITE (start writeback, do not wait). */
  flags?: number;
}

/**
 * Queues (but does not submit) a sync_file_range(2): starts and/or waits for
 * writeback of `length` bytes from `offset` (a `length` of 0 means to the end
 * of the file). It flushes no metadata: it is no substitute for fsync.
 * Matches `io_uring_prep_sync_file_range()` in liburing. Available since 5.2.
 *
 * @example
 * ```ts
 * import { IoRing, O_WRONLY, SyncFileRange } from "@ioring/ioring";
 * import { SYNC_FILE_RANGE_WRITE_AND_WAIT } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
 * await ring.write(fd, new Uint8Array(4096), 0);
 * await ring.run(new SyncFileRange(fd, 0, 4096, { flags: SYNC_FILE_RANGE_WRITE_AND_WAIT }));
 * await ring.closeFd(fd);
 * ```
 */
export class SyncFileRange extends OpBase {
  /** Points the kernel at no memory. */
  override readonly holdsMemory: boolean = false;
  /** Its name in errors. */
  readonly name: string = "sync_file_range";
  /** IORING_OP_SYNC_FILE_RANGE. */
  readonly opcode: number = IORING_OP_SYNC_FILE_RANGE;
  /** Available since Linux 5.2. */
  readonly since: string = "5.2";
  readonly #fd: number;
  readonly #offset: number;
  readonly #length: number;
  readonly #flags: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param fd The file to write back.
   * @param offset Where the range starts (default 0).
   * @param length The range's length in bytes, below 2^32; 0 (default) for the rest of the file.
   */
  constructor(fd: number | FixedFile, offset = 0, length = 0, options: SyncFileRangeOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `sync_file_range ${fdLabel(fd)}`;
    this.#fd = this.useFd(fd, what);
    this.#offset = checkU64(offset, what, "offset");
    this.#length = checkU32(length, what, "length");
    this.#flags = checkFlags(options.flags ?? SYNC_FILE_RANGE_WRITE, what);
    this.target = { fd: this.#fd };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_SYNC_FILE_RANGE, this.#fd, 0, this.#length, this.#offset).opFlags(this.#flags);
  }
}
