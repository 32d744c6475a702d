import { AT_FDCWD, IORING_OP_OPENAT, O_CLOEXEC, O_RDONLY } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { addressOf, cString } from "../memory/buffers.ts";
import { checkFd, checkFlags, checkOptions, pathLabel } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { directSlot } from "./_net.ts";

/** Options of {@link Openat}. */
export interface OpenatOptions {
  /** `O_*` flags; default `O_RDONLY`. `O_CLOEXEC` is always added. */
  flags?: number;
  /** Permission bits for a created file; default 0o666 (less the umask). */
  mode?: number;
  /** The directory a relative path starts from; default `AT_FDCWD`. */
  dirfd?: number;
  /**
   * Open straight into the ring's registered-file table (a direct descriptor, 5.15): a slot, or "alloc"
   * for a free one (IORING_FILE_INDEX_ALLOC; `res` is then the slot). O_CLOEXEC does not apply there.
   */
  direct?: number | "alloc";
}

/**
 * Queues (but does not submit) an openat(2): `res` is the new file descriptor
 * (or, with `direct`, a slot of the registered-file table).
 * Matches `io_uring_prep_openat()` / `io_uring_prep_openat_direct()` in liburing.
 * Available since 5.6; `direct` since 5.15.
 *
 * @example
 * ```ts
 * import { IoRing, Openat } from "@ioring/ioring";
 * using ring = new IoRing();
 * const fd = await ring.run(new Openat("/etc/hostname"));
 * await ring.closeFd(fd);
 * ```
 */
export class Openat extends OpBase {
  /** Its name in errors. */
  readonly name: string = "openat";
  /** IORING_OP_OPENAT. */
  readonly opcode: number = IORING_OP_OPENAT;
  /** The Linux version this use of the op needs: 5.6, or 5.15 with `direct`. */
  readonly since: string;
  /** The NUL-terminated path the kernel reads; held until completion. */
  readonly path: Uint8Array;
  readonly #dirfd: number;
  readonly #flags: number;
  readonly #fileIndex: number;
  readonly #mode: number;
  readonly #address: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param path The file to open.
   */
  constructor(path: string | URL, options: OpenatOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `openat '${pathLabel(path)}'`;
    this.path = cString(path, what);
    this.#dirfd = checkFd(options.dirfd ?? AT_FDCWD, what);
    // The kernel refuses O_CLOEXEC for a direct descriptor, which has no fd to close on exec.
    this.#fileIndex = options.direct === undefined ? 0 : directSlot(options.direct, what);
    this.since = this.#fileIndex === 0 ? "5.6" : "5.15";
    this.#flags = (checkFlags(options.flags ?? O_RDONLY, what) | (this.#fileIndex === 0 ? O_CLOEXEC : 0)) >>>
      0;
    this.#mode = checkFlags(options.mode ?? 0o666, what, "mode");
    this.#address = addressOf(this.path);
    this.target = { path: String(path instanceof URL ? decodeURIComponent(path.pathname) : path) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_OPENAT, this.#dirfd, this.#address, this.#mode, 0).opFlags(this.#flags);
    if (this.#fileIndex !== 0) sqe.fileIndex(this.#fileIndex);
  }
}
