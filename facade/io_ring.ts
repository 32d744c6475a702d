/**
 * {@link IoRing}: the ring, with one promise method per operation.
 *
 * Its methods are grouped by what they do, each group a class that the next one extends:
 * {@link IoRingCore} (setup, submission, completions, `run`, `link`, `multishot`, callbacks, cancellation)
 * < {@link ControlMethods} (nop, timeouts, cancellation, messages to other rings, credentials, io-wq,
 * restrictions) < {@link RegistrationMethods} (registered files and buffers) < {@link FileSystemMethods}
 * (space, names, links, xattrs) < {@link NetMethods} (sockets) < {@link PipeAndWaitMethods} (pipes, poll,
 * epoll, processes, futexes) < {@link IoRing} (reading, writing, opening, closing and describing files).
 *
 * @module
 */
import type { FixedFile } from "../sqe/fixed_file.ts";
import type { BufferSource } from "../memory/buffers.ts";
import type { BufferRing, BufferRingTake, BufferSelection } from "../ring/buffer_ring.ts";
import type { RunOptions } from "../ring/core.ts";
import { Read, type ReadOptions, type ReadWriteOptions } from "../ops/read.ts";
import { Write } from "../ops/write.ts";
import { Readv, type ReadvOptions, type VectoredOptions } from "../ops/readv.ts";
import { Writev } from "../ops/writev.ts";
import { Fsync, type FsyncOptions } from "../ops/fsync.ts";
import { Openat, type OpenatOptions } from "../ops/openat.ts";
import { Close } from "../ops/close.ts";
import { Statx, type StatxOptions, type StatxResult } from "../ops/statx.ts";
import { PipeAndWaitMethods } from "./pipe_and_wait_methods.ts";

export {
  type CompletionCallback,
  type CompletionsOptions,
  type Cqe,
  IoRingCore,
  type IoRingOptions,
  type LinkOptions,
  type LinkResult,
  type MultishotCqe,
  type MultishotOptions,
  type ProbeResult,
  type RunOptions,
} from "../ring/core.ts";
export { type CancelMatch, ControlMethods, type Restrictions } from "./control_methods.ts";
export { RegistrationMethods } from "./registration_methods.ts";
export { FileSystemMethods } from "./file_system_methods.ts";
export { NetMethods } from "./net_methods.ts";
export { PipeAndWaitMethods } from "./pipe_and_wait_methods.ts";

/**
 * An io_uring instance: one submission queue and one completion queue mapped
 * into this process, and the file descriptor that owns them.
 *
 * Three ways to use it, on the same ring at the same time:
 * - the promise API: `await ring.read(fd, buffer, offset)` and friends, or
 *   `await ring.run(op)` for any op builder; a negative result rejects with
 *   {@link IoRingError};
 * - callbacks: `ring.start(op, (res) => ...)`, one call with the result
 *   (`-errno` on failure) and no promise;
 * - the low-level API: `ring.prepare(op, userData)`, `ring.submit()`, and
 *   completions from `for await (const cqe of ring.completions())` or, without
 *   allocating, `ring.forEachCompletion(callback)`.
 *
 * Operations queued in one tick are submitted together with one
 * `io_uring_enter` on a microtask. Matches `io_uring_queue_init_params()` in
 * liburing; the ring's memory is `mmap`ed and read and written from
 * JavaScript directly.
 *
 * The promise methods come in groups, each documented with the class that holds it: reading, writing,
 * opening, closing and describing files here; pipes, polls and waits in {@link PipeAndWaitMethods};
 * sockets in {@link NetMethods}; names, links, space and xattrs in {@link FileSystemMethods}; registered
 * files and buffers in {@link RegistrationMethods}; timeouts, cancellation, messages to other rings and
 * the ring's own settings in {@link ControlMethods}; and `run`, `link`, `multishot`, `start`, `prepare`
 * and completions in {@link IoRingCore}.
 *
 * @example Reading a file
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * using ring = new IoRing({ entries: 64 });
 * const fd = await ring.openat("/etc/hostname");
 * const buffer = new Uint8Array(256);
 * const n = await ring.read(fd, buffer, 0);
 * console.log(new TextDecoder().decode(buffer.subarray(0, n)));
 * await ring.closeFd(fd);
 * ```
 */
export class IoRing extends PipeAndWaitMethods {
  /**
   * Reads into `buffer` from `fd` at `offset` (-1: the file position) and
   * resolves with the number of bytes read (0 at end of file).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat("/etc/hostname");
   * const buffer = new Uint8Array(256);
   * console.log(await ring.read(fd, buffer, 0) > 0); // true
   * await ring.closeFd(fd);
   * ```
   */
  read(
    fd: number | FixedFile,
    buffer: BufferSource,
    offset?: number,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<number>;
  /**
   * Reads from `fd` at `offset` (-1: the file position) into a buffer the kernel picks from `pool`, and
   * resolves with it taken, as {@link BufferRing.take} returns it: `{ bid, data }`, `data` a view of the
   * bytes, the caller's until `pool.recycle(bid)`. Resolves with null at end of file (the buffer goes back
   * to the ring). `length` caps the read (default: a whole buffer). Rejects with {@link IoRingError}
   * ENOBUFS when the ring has no buffer left.
   *
   * @example
   * ```ts
   * import { BufferRing, IoRing } from "@ioring/ioring";
   * await using ring = new IoRing();
   * using pool = BufferRing.register(ring, { group: 1, entries: 8, size: 4096 });
   * const fd = await ring.openat("/etc/hostname");
   * const got = await ring.read(fd, pool, 0);
   * if (got !== null) {
   *   console.log(new TextDecoder().decode(got.data));
   *   pool.recycle(got.bid);
   * }
   * await ring.closeFd(fd);
   * ```
   */
  read(
    fd: number | FixedFile,
    pool: BufferRing,
    offset?: number,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<BufferRingTake | null>;
  /**
   * Reads from `fd` at `offset` into a buffer the kernel picks from `options.bufferGroup` (a group of
   * {@link ProvideBuffers}, say), and resolves with the bytes read and the buffer's id. Rejects with
   * {@link IoRingError} ENOBUFS when the group has no buffer left.
   *
   * @example
   * ```ts
   * import { IoRing, ProvideBuffers } from "@ioring/ioring";
   * await using ring = new IoRing();
   * const memory = new Uint8Array(4 * 256); // the kernel writes it: keep it reachable
   * await ring.run(new ProvideBuffers(memory, 9, 256));
   * const fd = await ring.openat("/etc/hostname");
   * const { bytes, bufferId } = await ring.read(fd, null, 0, { bufferGroup: 9 });
   * console.log(memory.subarray(bufferId! * 256).subarray(0, bytes).length === bytes); // true
   * await ring.closeFd(fd);
   * ```
   */
  read(
    fd: number | FixedFile,
    buffer: null,
    offset: number,
    options: ReadOptions & RunOptions & { bufferGroup: number },
  ): Promise<BufferSelection>;
  read(
    fd: number | FixedFile,
    buffer: BufferSource | BufferRing | null,
    offset = -1,
    options?: ReadOptions & RunOptions,
  ): Promise<number | BufferRingTake | BufferSelection | null> {
    return this.runReadLike("read", buffer, options, (memory, opts) => new Read(fd, memory, offset, opts));
  }

  /**
   * Writes `buffer` to `fd` at `offset` (-1: the file position) and resolves
   * with the number of bytes written.
   *
   * @example
   * ```ts
   * import { IoRing, O_WRONLY } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
   * console.log(await ring.write(fd, new TextEncoder().encode("hi"), 0)); // 2
   * await ring.closeFd(fd);
   * ```
   */
  write(
    fd: number | FixedFile,
    buffer: BufferSource,
    offset = -1,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new Write(fd, buffer, offset, options), options);
  }

  /**
   * Reads into several buffers in order (readv/preadv2) and resolves with the total bytes read.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat("/etc/hostname");
   * console.log(await ring.readv(fd, [new Uint8Array(1), new Uint8Array(255)], 0) > 0); // true
   * await ring.closeFd(fd);
   * ```
   */
  readv(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    offset?: number,
    options?: VectoredOptions & RunOptions,
  ): Promise<number>;
  /**
   * Reads from `fd` at `offset` into one buffer the kernel picks from `pool` (readv with a buffer group)
   * and resolves with it taken, null at end of file, as `ring.read(fd, pool)` does. `length` caps it.
   *
   * @example
   * ```ts
   * import { BufferRing, IoRing } from "@ioring/ioring";
   * await using ring = new IoRing();
   * using pool = BufferRing.register(ring, { group: 1, entries: 8, size: 4096 });
   * const fd = await ring.openat("/etc/hostname");
   * const got = await ring.readv(fd, pool, 0, { length: 4 });
   * console.log(got?.data.length); // 4
   * if (got !== null) pool.recycle(got.bid);
   * await ring.closeFd(fd);
   * ```
   */
  readv(
    fd: number | FixedFile,
    pool: BufferRing,
    offset?: number,
    options?: Omit<ReadvOptions, "bufferGroup"> & RunOptions,
  ): Promise<BufferRingTake | null>;
  /**
   * Reads from `fd` at `offset` into one buffer the kernel picks from `options.bufferGroup` and resolves
   * with the bytes read and the buffer's id, as `ring.read(fd, null, offset, { bufferGroup })` does.
   *
   * @example
   * ```ts
   * import { IoRing, ProvideBuffers } from "@ioring/ioring";
   * await using ring = new IoRing();
   * const memory = new Uint8Array(4 * 256); // the kernel writes it: keep it reachable
   * await ring.run(new ProvideBuffers(memory, 9, 256));
   * const fd = await ring.openat("/etc/hostname");
   * const { bytes, bufferId } = await ring.readv(fd, null, 0, { bufferGroup: 9, length: 2 });
   * console.log(bytes, memory.subarray(bufferId! * 256, bufferId! * 256 + bytes).length); // 2 2
   * await ring.closeFd(fd);
   * ```
   */
  readv(
    fd: number | FixedFile,
    buffers: null,
    offset: number,
    options: ReadvOptions & RunOptions & { bufferGroup: number },
  ): Promise<BufferSelection>;
  readv(
    fd: number | FixedFile,
    buffers: readonly BufferSource[] | BufferRing | null,
    offset = -1,
    options?: ReadvOptions & RunOptions,
  ): Promise<number | BufferRingTake | BufferSelection | null> {
    return this.runReadLike("readv", buffers, options, (memory, opts) => new Readv(fd, memory, offset, opts));
  }

  /**
   * Writes several buffers in order (writev/pwritev2) and resolves with the total bytes written.
   *
   * @example
   * ```ts
   * import { IoRing, O_WRONLY } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
   * const enc = new TextEncoder();
   * console.log(await ring.writev(fd, [enc.encode("a"), enc.encode("bc")], 0)); // 3
   * await ring.closeFd(fd);
   * ```
   */
  writev(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    offset = -1,
    options?: VectoredOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new Writev(fd, buffers, offset, options), options);
  }

  /**
   * Flushes `fd` to storage (fsync, or fdatasync with `datasync`).
   *
   * @example
   * ```ts
   * import { IoRing, O_WRONLY } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
   * await ring.fsync(fd, { datasync: true });
   * await ring.closeFd(fd);
   * ```
   */
  async fsync(fd: number | FixedFile, options?: FsyncOptions & RunOptions): Promise<void> {
    await this.runBuilt(() => new Fsync(fd, options), options);
  }

  /**
   * Opens `path` (flags default to O_RDONLY; O_CLOEXEC is always added) and resolves with the new fd.
   *
   * @example
   * ```ts
   * import { IoRing, O_CREAT, O_TRUNC, O_WRONLY } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat(`${Deno.makeTempDirSync()}/new.txt`, { flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600 });
   * await ring.closeFd(fd);
   * ```
   */
  openat(path: string | URL, options?: OpenatOptions & RunOptions): Promise<number> {
    return this.runBuilt(() => new Openat(path, options), options);
  }

  /**
   * Describes `path` (statx): size, mode, owner, times.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const stat = await ring.statx("/etc/hostname");
   * console.log(stat.isFile, stat.size > 0); // true true
   * ```
   */
  statx(path: string | URL, options?: StatxOptions & RunOptions): Promise<StatxResult> {
    return this.runBuilt(() => new Statx(path, options), options, (_, op) => op.result());
  }

  /**
   * Closes the file descriptor `fd`, or the slot of a registered file (a direct descriptor), through the
   * ring (IORING_OP_CLOSE, 5.6; direct descriptors 5.15). Matches `io_uring_prep_close()` /
   * `io_uring_prep_close_direct()` in liburing. {@link IoRing.close} closes the ring itself.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat("/etc/hostname");
   * await ring.closeFd(fd);
   * ```
   */
  async closeFd(fd: number | FixedFile): Promise<void> {
    await this.runBuilt(() => new Close(fd));
  }

  /**
   * Closes the ring: queued SQEs that never reached the kernel fail with ECANCELED, operations in flight
   * are cancelled and settle, and then the ring's memory and fd are let go (see {@link IoRingCore.close}).
   * A file descriptor is closed with {@link IoRing.closeFd}.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * const ring = new IoRing();
   * await ring.close();
   * console.log(ring.closed); // true
   * ```
   */
  override close(): Promise<void>;
  /**
   * Closes the file descriptor `fd` through the ring, as {@link IoRing.closeFd} does.
   *
   * @deprecated Use {@link IoRing.closeFd}: `close()` closes the ring, `closeFd(fd)` a file descriptor.
   * This form goes in the next release.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat("/etc/hostname");
   * await ring.closeFd(fd); // rather than ring.close(fd)
   * ```
   */
  override close(fd: number | FixedFile): Promise<void>;
  override close(...args: [(number | FixedFile)?]): Promise<void> {
    if (args.length === 0) return super.close();
    return this.closeFd(args[0] as number | FixedFile);
  }
}
