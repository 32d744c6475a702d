import { AT_FDCWD, IORING_OP_STATX, STATX_BASIC_STATS, STATX_BTIME } from "../kernel/constants.ts";
import { STATX } from "../kernel/layout.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { opBytes } from "../memory/arena.ts";
import { addressOf, cString } from "../memory/buffers.ts";
import { checkFd, checkFlags, checkOptions, pathLabel } from "../util/checks.ts";
import { OpBase } from "../sqe/op.ts";
import { TWO_32 } from "../util/u64.ts";

/** Options of {@link Statx}. */
export interface StatxOptions {
  /** `AT_*` flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, ...). */
  flags?: number;
  /** `STATX_*` fields wanted; default basic stats and birth time. */
  mask?: number;
  /** The directory a relative path starts from (or the fd itself with AT_EMPTY_PATH); default `AT_FDCWD`. */
  dirfd?: number;
}

/** A file's metadata, decoded from `struct statx`. 64-bit fields are exact up to 2^53. */
export interface StatxResult {
  /** The `STATX_*` fields the kernel filled. */
  mask: number;
  /** Bytes (`stx_size`). */
  size: number;
  /** File type and permission bits (`stx_mode`). */
  mode: number;
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** A symbolic link (with AT_SYMLINK_NOFOLLOW). */
  isSymlink: boolean;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Hard links. */
  nlink: number;
  /** Inode number. */
  ino: number;
  /** 512-byte blocks allocated. */
  blocks: number;
  /** Preferred I/O block size. */
  blksize: number;
  /** Times in milliseconds since the epoch, with sub-millisecond fractions. */
  atimeMs: number;
  /** Last modification. */
  mtimeMs: number;
  /** Last status change. */
  ctimeMs: number;
  /** 0 when the filesystem does not report it. */
  birthtimeMs: number;
  /** The device holding the file. */
  dev: { major: number; minor: number };
  /** The device it is, for a device file. */
  rdev: { major: number; minor: number };
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/**
 * Queues (but does not submit) a statx(2) into a `struct statx` that the
 * builder owns; decode it with {@link Statx.result} once `res` is 0.
 * Matches `io_uring_prep_statx()` in liburing. Available since 5.6.
 *
 * @example
 * ```ts
 * import { IoRing, Statx } from "@ioring/ioring";
 * using ring = new IoRing();
 * const op = new Statx("/etc/hostname");
 * await ring.run(op);
 * console.log(op.result().size);
 * ```
 */
export class Statx extends OpBase {
  /** Its name in errors. */
  readonly name: string = "statx";
  /** IORING_OP_STATX. */
  readonly opcode: number = IORING_OP_STATX;
  /** Available since Linux 5.6. */
  readonly since: string = "5.6";
  /** The NUL-terminated path; held until completion. */
  readonly path: Uint8Array;
  /** The `struct statx` the kernel fills; held until completion. */
  readonly statx: Uint8Array = opBytes(STATX.size);
  readonly #dirfd: number;
  readonly #flags: number;
  readonly #mask: number;
  readonly #pathAddress: number;
  readonly #statxAddress: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param path The file to describe ("" with AT_EMPTY_PATH and a dirfd describes that fd).
   */
  constructor(path: string | URL, options: StatxOptions = {}) {
    super();
    checkOptions(options, this.name);
    const what = `statx '${pathLabel(path)}'`;
    this.path = cString(path, what);
    this.#dirfd = checkFd(options.dirfd ?? AT_FDCWD, what);
    this.#flags = checkFlags(options.flags ?? 0, what);
    this.#mask = checkFlags(options.mask ?? (STATX_BASIC_STATS | STATX_BTIME), what, "mask");
    this.#pathAddress = addressOf(this.path);
    this.#statxAddress = addressOf(this.statx);
    this.target = { path: String(path instanceof URL ? decodeURIComponent(path.pathname) : path) };
  }

  /** Writes the SQE's fields. */
  protected prepOp(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_STATX, this.#dirfd, this.#pathAddress, this.#mask, this.#statxAddress).opFlags(
      this.#flags,
    );
  }

  /** Decodes the `struct statx` the kernel filled. */
  result(): StatxResult {
    return decodeStatx(this.statx);
  }
}

/** Decodes a `struct statx`. */
export function decodeStatx(bytes: Uint8Array): StatxResult {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (o: number) => v.getUint32(o, true) + v.getUint32(o + 4, true) * TWO_32;
  const time = (o: number) =>
    (v.getUint32(o, true) + v.getInt32(o + 4, true) * TWO_32) * 1000 + v.getUint32(o + 8, true) / 1e6;
  const mode = v.getUint16(STATX.mode, true);
  const mask = v.getUint32(STATX.mask, true);
  return {
    mask,
    size: u64(STATX.size_),
    mode,
    isFile: (mode & S_IFMT) === S_IFREG,
    isDirectory: (mode & S_IFMT) === S_IFDIR,
    isSymlink: (mode & S_IFMT) === S_IFLNK,
    uid: v.getUint32(STATX.uid, true),
    gid: v.getUint32(STATX.gid, true),
    nlink: v.getUint32(STATX.nlink, true),
    ino: u64(STATX.ino),
    blocks: u64(STATX.blocks),
    blksize: v.getUint32(STATX.blksize, true),
    atimeMs: time(STATX.atime),
    mtimeMs: time(STATX.mtime),
    ctimeMs: time(STATX.ctime),
    birthtimeMs: (mask & STATX_BTIME) !== 0 ? time(STATX.btime) : 0,
    dev: { major: v.getUint32(STATX.devMajor, true), minor: v.getUint32(STATX.devMinor, true) },
    rdev: { major: v.getUint32(STATX.rdevMajor, true), minor: v.getUint32(STATX.rdevMinor, true) },
  };
}
