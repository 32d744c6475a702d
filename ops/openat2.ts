import { AT_FDCWD, IORING_OP_OPENAT2, O_CLOEXEC, O_CREAT, O_RDONLY, O_TMPFILE } from "../kernel/constants.ts";
import { OPEN_HOW } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { opWords } from "../memory/arena.ts";
import { addressOf, cString } from "../memory/buffers.ts";
import { checkFd, checkFlags, checkOptions, pathLabel } from "../util/checks.ts";
import { directSlot } from "./_net.ts";
import { OpBase } from "../sqe/op.ts";

/** Options of {@link Openat2}: the fields of `struct open_how`, and the directory. */
export interface Openat2Options {
  /** `O_*` flags; default `O_RDONLY`. `O_CLOEXEC` is always added. Unknown flags fail with EINVAL. */
  flags?: number;
  /**
   * Permission bits for a created file; default 0o666 (less the umask) with
   * O_CREAT or O_TMPFILE, else 0: openat2 rejects a mode without them.
   */
  mode?: number;
  /** `RESOLVE_*` flags that restrict how the path is resolved; default 0. */
  resolve?: number;
  /** The directory a relative path starts from; default `AT_FDCWD`. */
  dirfd?: number;
  /**
   * Open straight into the ring's registered-file table (a direct descriptor, 5.15): a slot, or "alloc"
   * for the kernel to pick one (its index is then `res`). Such a file has no fd: use it as a `FixedFile`.
   */
  direct?: number | "alloc";
}

/**
 * Queues (but does not submit) an openat2(2): an openat whose `resolve` flags
 * can confine the lookup (RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS, ...) and which
 * rejects unknown flags instead of ignoring them. `res` is the new file
 * descriptor.
 * Matches `io_uring_prep_openat2()` and `io_uring_prep_openat2_direct()` in liburing. Available since
 * 5.6; `direct` since 5.15.
 *
 * @example Refuse to leave a directory
 * ```ts
 * import { IoRing, O_DIRECTORY, Openat2 } from "@ioring/ioring";
 * import { RESOLVE_BENEATH } from "@ioring/ioring/constants";
 * using ring = new IoRing();
 * const dirfd = await ring.openat("/etc", { flags: O_DIRECTORY });
 * const fd = await ring.run(new Openat2("hostname", { dirfd, resolve: RESOLVE_BENEATH }));
 * const escape = await ring.run(new Openat2("../etc/hostname", { dirfd, resolve: RESOLVE_BENEATH }))
 *   .catch((error) => error.code);
 * console.log(escape); // "EXDEV"
 * await Promise.all([ring.closeFd(fd), ring.closeFd(dirfd)]);
 * ```
 */
export class Openat2 extends OpBase {
  /** Its name in errors. */
  readonly name: string = "openat2";
  /** IORING_OP_OPENAT2. */
  readonly opcode: number = IORING_OP_OPENAT2;
  /** The Linux version this use of the op needs: 5.6, or 5.15 with `direct`. */
  readonly since: string;
  /** The NUL-terminated path the kernel reads; held until completion. */
  readonly path: Uint8Array;
  /** The `struct open_how` (flags, mode, resolve as 64-bit little-endian words) the kernel reads. */
  readonly how: Uint32Array = opWords(OPEN_HOW.size / 4);
  readonly #dirfd: number;
  readonly #fileIndex: number;
  readonly #pathAddress: number;
  readonly #howAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param path The file to open.
   */
  constructor(path: string | URL, options: Openat2Options = {}) {
    super();
    checkOptions(options, this.name);
    const what = `openat2 '${pathLabel(path)}'`;
    this.path = cString(path, what);
    this.#dirfd = checkFd(options.dirfd ?? AT_FDCWD, what);
    // The kernel refuses O_CLOEXEC for a direct descriptor, which has no fd to close on exec.
    this.#fileIndex = options.direct === undefined ? 0 : directSlot(options.direct, what);
    this.since = this.#fileIndex === 0 ? "5.6" : "5.15";
    const flags = (checkFlags(options.flags ?? O_RDONLY, what) | (this.#fileIndex === 0 ? O_CLOEXEC : 0)) >>>
      0;
    const creates = (flags & O_CREAT) !== 0 || (flags & O_TMPFILE) === O_TMPFILE;
    // Each field is a 64-bit little-endian word whose high half stays 0.
    this.how[OPEN_HOW.flags / 4] = flags;
    this.how[OPEN_HOW.mode / 4] = checkFlags(options.mode ?? (creates ? 0o666 : 0), what, "mode");
    this.how[OPEN_HOW.resolve / 4] = checkFlags(options.resolve ?? 0, what, "resolve");
    this.#pathAddress = addressOf(this.path);
    this.#howAddress = addressOf(this.how);
    this.target = { path: pathLabel(path) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_OPENAT2, this.#dirfd, this.#pathAddress, OPEN_HOW.size, this.#howAddress);
    if (this.#fileIndex !== 0) sqe.fileIndex(this.#fileIndex);
  }
}
