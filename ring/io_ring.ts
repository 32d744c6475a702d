/**
 * {@link IoRing}: the ring, with one promise method per operation.
 *
 * @module
 */
import { Close } from "../ops/close.ts";
import type { FixedFile } from "../ops/fixed_file.ts";
import { Fsync, type FsyncOptions } from "../ops/fsync.ts";
import type { BufferSource } from "../ops/_memory.ts";
import { Nop } from "../ops/nop.ts";
import type { Op } from "../ops/op.ts";
import { Openat, type OpenatOptions } from "../ops/openat.ts";
import { Read, type ReadWriteOptions } from "../ops/read.ts";
import { Readv, type VectoredOptions } from "../ops/readv.ts";
import { Statx, type StatxOptions, type StatxResult } from "../ops/statx.ts";
import { Timeout, type TimeoutOptions, type TimeSpec } from "../ops/timeout.ts";
import { Write } from "../ops/write.ts";
import { Writev } from "../ops/writev.ts";
import { IoRingCore, type RunOptions } from "./core.ts";

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
} from "./core.ts";

const ETIME = 62;
const SHARED_NOP = new Nop();

/**
 * An io_uring instance: one submission queue and one completion queue mapped
 * into this process, and the file descriptor that owns them.
 *
 * Two ways to use it, on the same ring at the same time:
 * - the promise API: `await ring.read(fd, buffer, offset)` and friends, or
 *   `await ring.run(op)` for any op builder; a negative result rejects with
 *   {@link IoRingError};
 * - the low-level API: `ring.prepare(op, userData)`, `ring.submit()`, and
 *   completions from `for await (const cqe of ring.completions())` or, without
 *   allocating, `ring.forEachCompletion(callback)`.
 *
 * Operations queued in one tick are submitted together with one
 * `io_uring_enter` on a microtask. Matches `io_uring_queue_init_params()` in
 * liburing; the ring's memory is `mmap`ed and read and written from
 * JavaScript directly.
 *
 * @example Reading a file
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * using ring = new IoRing({ entries: 64 });
 * const fd = await ring.openat("/etc/hostname");
 * const buffer = new Uint8Array(256);
 * const n = await ring.read(fd, buffer, 0);
 * console.log(new TextDecoder().decode(buffer.subarray(0, n)));
 * await ring.close(fd);
 * ```
 */
export class IoRing extends IoRingCore {
  #make<T extends Op>(build: () => T): T | Promise<never> {
    try {
      return build();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #runBuilt(op: Op | Promise<never>, options?: RunOptions, okErrno = 0): Promise<number> {
    return op instanceof Promise ? op : this.runAccepting(op, okErrno, options);
  }

  /**
   * Does nothing, through the kernel: resolves with 0.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * await Promise.all(Array.from({ length: 100 }, () => ring.nop()));
   * ```
   */
  nop(options?: RunOptions): Promise<number> {
    return this.run(SHARED_NOP, options);
  }

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
   * await ring.close(fd);
   * ```
   */
  read(
    fd: number | FixedFile,
    buffer: BufferSource,
    offset = -1,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new Read(fd, buffer, offset, options)), options);
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
   * await ring.close(fd);
   * ```
   */
  write(
    fd: number | FixedFile,
    buffer: BufferSource,
    offset = -1,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new Write(fd, buffer, offset, options)), options);
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
   * await ring.close(fd);
   * ```
   */
  readv(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    offset = -1,
    options?: VectoredOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new Readv(fd, buffers, offset, options)), options);
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
   * await ring.close(fd);
   * ```
   */
  writev(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    offset = -1,
    options?: VectoredOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new Writev(fd, buffers, offset, options)), options);
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
   * await ring.close(fd);
   * ```
   */
  async fsync(fd: number | FixedFile, options?: FsyncOptions & RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Fsync(fd, options)), options);
  }

  /**
   * Opens `path` (flags default to O_RDONLY; O_CLOEXEC is always added) and resolves with the new fd.
   *
   * @example
   * ```ts
   * import { IoRing, O_CREAT, O_TRUNC, O_WRONLY } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat(`${Deno.makeTempDirSync()}/new.txt`, { flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600 });
   * await ring.close(fd);
   * ```
   */
  openat(path: string | URL, options?: OpenatOptions & RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new Openat(path, options)), options);
  }

  /**
   * With an fd: closes that file descriptor through the ring (IORING_OP_CLOSE).
   * Without one: closes the ring itself.
   */
  override close(fd?: number | FixedFile): Promise<void>;
  override close(...args: [(number | FixedFile)?]): Promise<void> {
    if (args.length === 0) return super.close();
    const fd = args[0] as number;
    return this.#runBuilt(this.#make(() => new Close(fd))).then(() => {});
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
  async statx(path: string | URL, options?: StatxOptions & RunOptions): Promise<StatxResult> {
    const op = this.#make(() => new Statx(path, options));
    await this.#runBuilt(op, options);
    return (op as Statx).result();
  }

  /**
   * Waits for `time` (milliseconds, or `{ sec, nsec }`) on the kernel's timer.
   * Resolves with `true` when the time passed, `false` when `count`
   * completions came first.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(await ring.timeout(5)); // true
   * ```
   */
  async timeout(time: TimeSpec, options?: TimeoutOptions & Pick<RunOptions, "signal">): Promise<boolean> {
    const res = await this.#runBuilt(this.#make(() => new Timeout(time, options)), options, ETIME);
    return res === -ETIME;
  }
}
