/**
 * {@link IoRing}: the ring, with one promise method per operation.
 *
 * @module
 */
import { Close } from "../ops/close.ts";
import { FixedFile } from "../sqe/fixed_file.ts";
import { Fsync, type FsyncOptions } from "../ops/fsync.ts";
import { addressOf, type BufferSource, byteView, encodeIovecs } from "../memory/buffers.ts";
import { checkInt, checkU16, checkU32, describe, isThenable } from "../util/checks.ts";
import {
  IORING_ASYNC_CANCEL_ALL,
  IORING_ASYNC_CANCEL_ANY,
  IORING_ASYNC_CANCEL_FD,
  IORING_ASYNC_CANCEL_OP,
  IORING_ASYNC_CANCEL_USERDATA,
  IORING_REGISTER_BUFFERS,
  IORING_REGISTER_BUFFERS2,
  IORING_REGISTER_BUFFERS_UPDATE,
  IORING_REGISTER_FILE_ALLOC_RANGE,
  IORING_REGISTER_FILES,
  IORING_REGISTER_FILES2,
  IORING_REGISTER_FILES_UPDATE2,
  IORING_REGISTER_IOWQ_AFF,
  IORING_REGISTER_IOWQ_MAX_WORKERS,
  IORING_REGISTER_PERSONALITY,
  IORING_REGISTER_RESTRICTIONS,
  IORING_REGISTER_SYNC_CANCEL,
  IORING_RESTRICTION_REGISTER_OP,
  IORING_RESTRICTION_SQE_FLAGS_ALLOWED,
  IORING_RESTRICTION_SQE_FLAGS_REQUIRED,
  IORING_RESTRICTION_SQE_OP,
  IORING_RSRC_REGISTER_SPARSE,
  IORING_UNREGISTER_BUFFERS,
  IORING_UNREGISTER_FILES,
  IORING_UNREGISTER_IOWQ_AFF,
  IORING_UNREGISTER_PERSONALITY,
  IORING_UNREGISTER_RING_FDS,
} from "../kernel/constants.ts";
import {
  FILE_INDEX_RANGE,
  RESTRICTION,
  RSRC_REGISTER,
  RSRC_UPDATE2,
  SYNC_CANCEL_REG,
} from "../kernel/layout.ts";
import { IoRingError } from "../util/error.ts";
import { Nop } from "../ops/nop.ts";
import type { Op } from "../sqe/op.ts";
import { Openat, type OpenatOptions } from "../ops/openat.ts";
import { Read, type ReadOptions, type ReadWriteOptions } from "../ops/read.ts";
import { Readv, type ReadvOptions, type VectoredOptions } from "../ops/readv.ts";
import {
  BufferRing,
  type BufferRingTake,
  type BufferSelection,
  runSelecting,
  runWithBufferRing,
  withGroupOf,
} from "../ring/buffer_ring.ts";
import { Statx, type StatxOptions, type StatxResult } from "../ops/statx.ts";
import { Timeout, type TimeoutOptions } from "../ops/timeout.ts";
import { encodeTimespec, type TimeSpec } from "../memory/timespec.ts";
import { Write } from "../ops/write.ts";
import { Writev } from "../ops/writev.ts";
import {
  cancelTarget,
  IoRingCore,
  type MultishotCqe,
  type MultishotOptions,
  type RunOptions,
} from "../ring/core.ts";
import { Accept, type AcceptOptions } from "../ops/accept.ts";
import { Bind } from "../ops/bind.ts";
import { Connect } from "../ops/connect.ts";
import { Listen } from "../ops/listen.ts";
import { MsgRing, type MsgRingOptions } from "../ops/msg_ring.ts";
import { Recv, type RecvOptions } from "../ops/recv.ts";
import { RecvMsg, type RecvMsgOptions, type RecvMsgResult } from "../ops/recvmsg.ts";
import { Send, type SendOptions } from "../ops/send.ts";
import { SendMsg, type SendMsgOptions } from "../ops/sendmsg.ts";
import { SendZc, type SendZcOptions } from "../ops/send_zc.ts";
import { Shutdown } from "../ops/shutdown.ts";
import { Socket, type SocketOptions } from "../ops/socket.ts";
import type { SocketAddress } from "../memory/sockaddr.ts";
import { EpollCtl, type EpollCtlOptions } from "../ops/epoll_ctl.ts";
import { type EpollEvent, EpollWait, type EpollWaitOptions } from "../ops/epoll_wait.ts";
import { Fadvise } from "../ops/fadvise.ts";
import { Fallocate, type FallocateOptions } from "../ops/fallocate.ts";
import { Fgetxattr, type GetxattrOptions } from "../ops/fgetxattr.ts";
import { Fsetxattr, type SetxattrOptions } from "../ops/fsetxattr.ts";
import { Ftruncate } from "../ops/ftruncate.ts";
import { type FutexArray, type FutexOptions, FutexWait } from "../ops/futex_wait.ts";
import { type FutexWaiter, FutexWaitv } from "../ops/futex_waitv.ts";
import { FutexWake } from "../ops/futex_wake.ts";
import { Getxattr } from "../ops/getxattr.ts";
import { Linkat, type LinkatOptions } from "../ops/linkat.ts";
import { Madvise } from "../ops/madvise.ts";
import { Mkdirat, type MkdiratOptions } from "../ops/mkdirat.ts";
import { Openat2, type Openat2Options } from "../ops/openat2.ts";
import { Pipe, type PipeOptions } from "../ops/pipe.ts";
import { PollAdd } from "../ops/poll_add.ts";
import { Renameat, type RenameatOptions } from "../ops/renameat.ts";
import { Setxattr } from "../ops/setxattr.ts";
import { Splice, type SpliceOptions } from "../ops/splice.ts";
import { Symlinkat, type SymlinkatOptions } from "../ops/symlinkat.ts";
import { SyncFileRange, type SyncFileRangeOptions } from "../ops/sync_file_range.ts";
import { Tee, type TeeOptions } from "../ops/tee.ts";
import { Unlinkat, type UnlinkatOptions } from "../ops/unlinkat.ts";
import { Waitid, type WaitidOptions, type WaitidResult } from "../ops/waitid.ts";
import { ReadFixed } from "../ops/read_fixed.ts";
import { WriteFixed } from "../ops/write_fixed.ts";
import { SendMsgZc, type SendMsgZcOptions } from "../ops/sendmsg_zc.ts";
import { ReadMultishot, type ReadMultishotOptions } from "../ops/read_multishot.ts";
import { ProvideBuffers, type ProvideBuffersOptions } from "../ops/provide_buffers.ts";
import { RemoveBuffers } from "../ops/remove_buffers.ts";
import { FilesUpdate } from "../ops/files_update.ts";
import { FixedFdInstall, type FixedFdInstallOptions } from "../ops/fixed_fd_install.ts";
import { AsyncCancel, type AsyncCancelTarget } from "../ops/async_cancel.ts";
import { TimeoutRemove, type TimeoutRemoveOptions } from "../ops/timeout_remove.ts";
import { PollRemove, type PollUpdateOptions } from "../ops/poll_remove.ts";
import type { SocketCmd } from "../ops/uring_cmd.ts";

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
import { ETIME } from "../kernel/errno.ts";

const SHARED_NOP = new Nop();
const TWO_32 = 4294967296;

/** What {@link IoRing.registerRestrictions} allows. Anything not listed is refused. */
export interface Restrictions {
  /** `IORING_REGISTER_*` opcodes allowed after the ring is enabled. */
  registerOps?: readonly number[];
  /** `IORING_OP_*` opcodes allowed in SQEs. */
  sqeOps?: readonly number[];
  /** IOSQE_* flags an SQE may carry. */
  sqeFlagsAllowed?: number;
  /** IOSQE_* flags every SQE must carry. */
  sqeFlagsRequired?: number;
}

/**
 * What {@link IoRing.cancelSync} cancels, in the terms of liburing's `io_uring_sync_cancel_reg`: every criterion
 * given must match.
 */
export interface CancelMatch {
  /** The `userData` a low-level op was prepared with (IORING_ASYNC_CANCEL_USERDATA when combined). */
  userData?: number;
  /** Ops on this file descriptor or registered file (IORING_ASYNC_CANCEL_FD, FD_FIXED). */
  fd?: number | FixedFile;
  /** Ops of this `IORING_OP_*` code (IORING_ASYNC_CANCEL_OP, 6.6). */
  opcode?: number;
  /** Any op (IORING_ASYNC_CANCEL_ANY); the other criteria must then be absent. */
  any?: boolean;
  /** Every match rather than the first (IORING_ASYNC_CANCEL_ALL). */
  all?: boolean;
}

/** The `io_uring_sync_cancel_reg` fields of a cancelSync target. */
function syncCancelTarget(
  target: number | FixedFile | "all" | CancelMatch,
): { fd: number; flags: number; userData: number; opcode: number } {
  if (typeof target === "number" || target === "all" || target instanceof FixedFile || isThenable(target)) {
    return { ...cancelTarget(target as number, true), userData: 0, opcode: 0 };
  }
  const what = "cancel synchronously";
  if (target === null || typeof target !== "object") {
    throw new TypeError(
      `Cannot ${what}: target must be an fd, a FixedFile, "all" or { userData, fd, opcode, any, all }: current value is ${
        describe(target)
      }`,
    );
  }
  let flags = target.all === true ? IORING_ASYNC_CANCEL_ALL : 0;
  let fd = -1;
  if (target.fd !== undefined) {
    const byFd = cancelTarget(target.fd, false);
    fd = byFd.fd;
    flags |= byFd.flags & ~IORING_ASYNC_CANCEL_ALL;
  }
  let opcode = 0;
  if (target.opcode !== undefined) {
    opcode = checkInt(target.opcode, what, "opcode", 0, 255, "an IORING_OP_* code from 0 to 255");
    flags |= IORING_ASYNC_CANCEL_OP;
  }
  let userData = 0;
  if (target.userData !== undefined) {
    if (!Number.isSafeInteger(target.userData) || target.userData < 0) {
      throw new RangeError(
        `Cannot ${what}: userData must be an integer from 0 to 2^53-1: current value is ${
          describe(target.userData)
        }`,
      );
    }
    userData = target.userData;
    // Alone, user data is the classic key (no flag, 5.19); beside fd or opcode it must be asked for (6.6).
    if ((flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP)) !== 0) {
      flags |= IORING_ASYNC_CANCEL_USERDATA;
    }
  }
  if (target.any === true) {
    if (target.fd !== undefined || target.opcode !== undefined || target.userData !== undefined) {
      throw new TypeError(`Cannot ${what}: any matches every op: give it without userData, fd or opcode`);
    }
    flags |= IORING_ASYNC_CANCEL_ANY;
  } else if (target.fd === undefined && target.opcode === undefined && target.userData === undefined) {
    throw new TypeError(
      `Cannot ${what}: give userData, fd, opcode or any: current value is ${describe(target)}`,
    );
  }
  return { fd, flags, userData, opcode };
}

function setU64(words: Uint32Array, index: number, value: number): void {
  words[index] = value >>> 0;
  words[index + 1] = Math.floor(value / TWO_32);
}

/** The `__s32` fd array of a file registration: fds, -1 for an empty slot, -2 to skip. */
function fileTable(fds: readonly number[], what: string): Int32Array {
  if (!Array.isArray(fds) || fds.length === 0) {
    throw new TypeError(`Cannot ${what}: fds must be a non-empty array`);
  }
  return Int32Array.from(fds, (fd) => {
    if (!Number.isInteger(fd) || fd < -2 || fd > 0x7fffffff) {
      throw new RangeError(
        `Cannot ${what}: each fd must be a file descriptor, -1 or -2: current value is ${fd}`,
      );
    }
    return fd;
  });
}

/** The `__u64` tags of a registration (0 = untagged), or null when none are given. */
function encodeTags(tags: readonly number[] | undefined, count: number, what: string): Uint32Array | null {
  if (tags === undefined) return null;
  if (!Array.isArray(tags) || tags.length !== count) {
    throw new TypeError(
      `Cannot register with tags: ${what} needs one tag per entry (${count}): current count is ${tags?.length}`,
    );
  }
  const words = new Uint32Array(count * 2);
  tags.forEach((tag, i) => {
    if (!Number.isSafeInteger(tag) || tag < 0) {
      throw new RangeError(
        `Cannot register with tags: each tag must be an integer from 0 to 2^53-1: current value is ${tag}`,
      );
    }
    setU64(words, i * 2, tag);
  });
  return words;
}

function bufferList(buffers: readonly BufferSource[], what: string): Uint8Array[] {
  if (!Array.isArray(buffers) || buffers.length === 0) {
    throw new TypeError(`Cannot ${what}: buffers must be a non-empty array`);
  }
  return buffers.map((buffer) => byteView(buffer, what));
}

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
   * await ring.close(fd);
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
   * await ring.close(fd);
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
    if (buffer instanceof BufferRing) {
      const op = this.#make(() => new Read(fd, null, offset, withGroupOf(buffer, options, "read")));
      return op instanceof Promise ? op : runWithBufferRing(this, op, buffer, options);
    }
    const op = this.#make(() => new Read(fd, buffer, offset, options));
    return buffer === null && !(op instanceof Promise)
      ? runSelecting(this, op, options)
      : this.#runBuilt(op, options);
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
   * await ring.close(fd);
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
   * await ring.close(fd);
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
    if (buffers instanceof BufferRing) {
      const op = this.#make(() => new Readv(fd, null, offset, withGroupOf(buffers, options, "readv")));
      return op instanceof Promise ? op : runWithBufferRing(this, op, buffers, options);
    }
    const op = this.#make(() => new Readv(fd, buffers, offset, options));
    return buffers === null && !(op instanceof Promise)
      ? runSelecting(this, op, options)
      : this.#runBuilt(op, options);
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

  // ---- network -------------------------------------------------------------------

  /**
   * Sends `buffer` on a socket (send(2), or sendto(2) with `to`); resolves with the bytes sent.
   *
   * @example
   * ```ts ignore
   * const sent = await ring.send(socket, new TextEncoder().encode("hello"));
   * ```
   */
  send(fd: number | FixedFile, buffer: BufferSource, options?: SendOptions & RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new Send(fd, buffer, options)), options);
  }

  /**
   * Receives into `buffer` from a socket (recv(2)); resolves with the bytes received, 0 at end of stream.
   *
   * @example
   * ```ts ignore
   * const n = await ring.recv(socket, buffer, { timeout: 5_000 });
   * ```
   */
  recv(fd: number | FixedFile, buffer: BufferSource, options?: RecvOptions & RunOptions): Promise<number>;
  /**
   * Receives from a socket into a buffer the kernel picks from `pool`, and resolves with it taken, as
   * {@link BufferRing.take} returns it: `{ bid, data }`, `data` a view of the bytes, the caller's until
   * `pool.recycle(bid)`. Resolves with null at end of stream. `length` caps the receive (default: a
   * whole buffer). Rejects with {@link IoRingError} ENOBUFS when the ring has no buffer left.
   *
   * @example
   * ```ts ignore
   * using pool = BufferRing.register(ring, { group: 1, entries: 64, size: 16384 });
   * for (let got; (got = await ring.recv(socket, pool)) !== null;) {
   *   handle(got.data);
   *   pool.recycle(got.bid);
   * }
   * ```
   */
  recv(
    fd: number | FixedFile,
    pool: BufferRing,
    options?: Omit<RecvOptions, "bufferGroup" | "multishot"> & RunOptions,
  ): Promise<BufferRingTake | null>;
  /**
   * Receives from a socket into a buffer the kernel picks from `options.bufferGroup`, and resolves with
   * the bytes received (0 at end of stream) and the buffer's id (null when the kernel picked none).
   *
   * @example
   * ```ts ignore
   * const { bytes, bufferId } = await ring.recv(socket, null, { bufferGroup: 1 });
   * ```
   */
  recv(
    fd: number | FixedFile,
    buffer: null,
    options: RecvOptions & RunOptions & { bufferGroup: number },
  ): Promise<BufferSelection>;
  recv(
    fd: number | FixedFile,
    buffer: BufferSource | BufferRing | null,
    options?: RecvOptions & RunOptions,
  ): Promise<number | BufferRingTake | BufferSelection | null> {
    if (buffer instanceof BufferRing) {
      const op = this.#make(() => new Recv(fd, null, withGroupOf(buffer, options, "recv")));
      return op instanceof Promise ? op : runWithBufferRing(this, op, buffer, options);
    }
    const op = this.#make(() => new Recv(fd, buffer, options));
    return buffer === null && !(op instanceof Promise)
      ? runSelecting(this, op, options)
      : this.#runBuilt(op, options);
  }

  /**
   * Sends several buffers as one message (sendmsg(2)); resolves with the bytes sent.
   *
   * @example
   * ```ts ignore
   * await ring.sendmsg(socket, [header, body]);
   * ```
   */
  sendmsg(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    options?: SendMsgOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new SendMsg(fd, buffers, options)), options);
  }

  /**
   * Receives one message into several buffers (recvmsg(2)); resolves with the bytes received and the
   * sender's address, control data and flags.
   *
   * @example
   * ```ts ignore
   * const { bytes, address } = await ring.recvmsg(udpSocket, [buffer]);
   * ```
   */
  async recvmsg(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    options?: RecvMsgOptions & RunOptions,
  ): Promise<RecvMsgResult & { bytes: number }> {
    const op = this.#make(() => new RecvMsg(fd, buffers, options));
    const bytes = await this.#runBuilt(op, options);
    return { bytes, ...(op as RecvMsg).result() };
  }

  /**
   * Sends `buffer` without copying it (SEND_ZC, 6.0); resolves with the bytes sent once the kernel has
   * released the buffer (its notification CQE).
   *
   * @example
   * ```ts ignore
   * await ring.sendZc(tcpSocket, largeBuffer);
   * ```
   */
  sendZc(
    fd: number | FixedFile,
    buffer: BufferSource,
    options?: SendZcOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new SendZc(fd, buffer, options)), options);
  }

  /**
   * Accepts one connection on a listening socket (accept4(2)); resolves with its fd and the peer's address.
   * For a stream of connections use `ring.multishot(new Accept(fd, { multishot: true }))`.
   *
   * @example
   * ```ts ignore
   * const { fd, peer } = await ring.accept(listener);
   * ```
   */
  async accept(
    fd: number | FixedFile,
    options?: AcceptOptions & RunOptions,
  ): Promise<{ fd: number; peer: SocketAddress | null }> {
    const op = this.#make(() => new Accept(fd, options));
    const accepted = await this.#runBuilt(op, options);
    return { fd: accepted, peer: (op as Accept).peer() };
  }

  /**
   * Connects a socket to `address` (connect(2)).
   *
   * @example
   * ```ts ignore
   * await ring.connect(socket, { family: "ipv4", address: "127.0.0.1", port: 8080 }, { timeout: 1_000 });
   * ```
   */
  async connect(fd: number | FixedFile, address: SocketAddress, options?: RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Connect(fd, address)), options);
  }

  /**
   * Creates a socket (socket(2), SOCKET op 5.19); resolves with its fd (or its slot with `direct`).
   *
   * @example
   * ```ts ignore
   * import { AF_INET, SOCK_STREAM } from "@ioring/ioring";
   * const fd = await ring.socket(AF_INET, SOCK_STREAM);
   * ```
   */
  socket(domain: number, type: number, protocol = 0, options?: SocketOptions & RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new Socket(domain, type, protocol, options)), options);
  }

  /**
   * Binds a socket to `address` (bind(2), BIND op 6.11).
   *
   * @example
   * ```ts ignore
   * await ring.bind(fd, { family: "ipv4", address: "127.0.0.1", port: 0 });
   * ```
   */
  async bind(fd: number | FixedFile, address: SocketAddress, options?: RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Bind(fd, address)), options);
  }

  /**
   * Marks a socket as listening (listen(2), LISTEN op 6.11).
   *
   * @example
   * ```ts ignore
   * await ring.listen(fd, 128);
   * ```
   */
  async listen(fd: number | FixedFile, backlog?: number, options?: RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Listen(fd, backlog)), options);
  }

  /**
   * Shuts down one or both directions of a connection (shutdown(2)); `how` defaults to SHUT_RDWR.
   *
   * @example
   * ```ts ignore
   * import { SHUT_WR } from "@ioring/ioring";
   * await ring.shutdown(socket, SHUT_WR);
   * ```
   */
  async shutdown(fd: number | FixedFile, how?: number, options?: RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Shutdown(fd, how)), options);
  }

  /**
   * Posts a completion into another ring (MSG_RING with IORING_MSG_DATA, 5.18): it sees `userData` and `res`.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using a = new IoRing(), b = new IoRing();
   * await a.msgRing(b, 42, 7);
   * for await (const cqe of b.completions()) {
   *   console.log(cqe.userData, cqe.res); // 42 7
   *   break;
   * }
   * ```
   */
  async msgRing(
    target: IoRingCore | number,
    userData: number,
    res = 0,
    options?: MsgRingOptions & RunOptions,
  ): Promise<void> {
    const fd = typeof target === "number" ? target : target?.fd;
    await this.#runBuilt(this.#make(() => new MsgRing(fd, userData, res, options)), options);
  }

  // ---- files and directories -----------------------------------------------------

  /**
   * Opens `path` with openat2(2)'s `struct open_how` (resolve flags such as RESOLVE_BENEATH); resolves with the fd.
   *
   * @example
   * ```ts ignore
   * import { RESOLVE_BENEATH } from "@ioring/ioring";
   * const fd = await ring.openat2("data/file.txt", { dirfd: root, resolve: RESOLVE_BENEATH });
   * ```
   */
  openat2(path: string | URL, options?: Openat2Options & RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new Openat2(path, options)), options);
  }

  /**
   * Allocates or punches space in a file (fallocate(2)).
   *
   * @example
   * ```ts ignore
   * await ring.fallocate(fd, 0, 1 << 20);
   * ```
   */
  async fallocate(
    fd: number | FixedFile,
    offset: number,
    length: number,
    options?: FallocateOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new Fallocate(fd, offset, length, options)), options);
  }

  /**
   * Sets a file's length (ftruncate(2), FTRUNCATE op 6.9).
   *
   * @example
   * ```ts ignore
   * await ring.ftruncate(fd, 0);
   * ```
   */
  async ftruncate(fd: number | FixedFile, length: number, options?: RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Ftruncate(fd, length)), options);
  }

  /**
   * Flushes a range of a file (sync_file_range(2)).
   *
   * @example
   * ```ts ignore
   * await ring.syncFileRange(fd, 0, 4096);
   * ```
   */
  async syncFileRange(
    fd: number | FixedFile,
    offset?: number,
    length?: number,
    options?: SyncFileRangeOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new SyncFileRange(fd, offset, length, options)), options);
  }

  /**
   * Tells the kernel how a file range will be used (posix_fadvise(2)).
   *
   * @example
   * ```ts ignore
   * import { POSIX_FADV_SEQUENTIAL } from "@ioring/ioring";
   * await ring.fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
   * ```
   */
  async fadvise(
    fd: number | FixedFile,
    offset: number,
    length: number,
    advice: number,
    options?: RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new Fadvise(fd, offset, length, advice)), options);
  }

  /**
   * Tells the kernel how memory will be used (madvise(2)).
   *
   * @example
   * ```ts ignore
   * import { MADV_SEQUENTIAL } from "@ioring/ioring";
   * await ring.madvise(buffer, MADV_SEQUENTIAL);
   * ```
   */
  async madvise(buffer: BufferSource, advice: number, options?: RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Madvise(buffer, advice)), options);
  }

  /**
   * Renames a file or directory (renameat2(2)).
   *
   * @example
   * ```ts ignore
   * await ring.renameat("old.txt", "new.txt");
   * ```
   */
  async renameat(
    oldPath: string | URL,
    newPath: string | URL,
    options?: RenameatOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new Renameat(oldPath, newPath, options)), options);
  }

  /**
   * Removes a file, or a directory with `{ flags: AT_REMOVEDIR }` (unlinkat(2)).
   *
   * @example
   * ```ts ignore
   * await ring.unlinkat("old.txt");
   * ```
   */
  async unlinkat(path: string | URL, options?: UnlinkatOptions & RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Unlinkat(path, options)), options);
  }

  /**
   * Creates a directory (mkdirat(2)).
   *
   * @example
   * ```ts ignore
   * await ring.mkdirat("logs", { mode: 0o755 });
   * ```
   */
  async mkdirat(path: string | URL, options?: MkdiratOptions & RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new Mkdirat(path, options)), options);
  }

  /**
   * Creates a symbolic link at `linkPath` pointing to `target` (symlinkat(2)).
   *
   * @example
   * ```ts ignore
   * await ring.symlinkat("data.txt", "latest");
   * ```
   */
  async symlinkat(
    target: string | URL,
    linkPath: string | URL,
    options?: SymlinkatOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new Symlinkat(target, linkPath, options)), options);
  }

  /**
   * Creates a hard link (linkat(2)).
   *
   * @example
   * ```ts ignore
   * await ring.linkat("data.txt", "data-copy.txt");
   * ```
   */
  async linkat(
    oldPath: string | URL,
    newPath: string | URL,
    options?: LinkatOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new Linkat(oldPath, newPath, options)), options);
  }

  /**
   * Reads an extended attribute of a path (getxattr(2)); resolves with its value.
   *
   * @example
   * ```ts ignore
   * const value = await ring.getxattr("file.txt", "user.origin");
   * ```
   */
  async getxattr(
    path: string | URL,
    name: string,
    options?: GetxattrOptions & RunOptions,
  ): Promise<Uint8Array> {
    const op = this.#make(() => new Getxattr(path, name, options));
    return (op as Getxattr).result(await this.#runBuilt(op, options));
  }

  /**
   * Sets an extended attribute of a path (setxattr(2)).
   *
   * @example
   * ```ts ignore
   * await ring.setxattr("file.txt", "user.origin", new TextEncoder().encode("upload"));
   * ```
   */
  async setxattr(
    path: string | URL,
    name: string,
    value: BufferSource,
    options?: SetxattrOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new Setxattr(path, name, value, options)), options);
  }

  /**
   * Reads an extended attribute of an open file (fgetxattr(2)); resolves with its value.
   *
   * @example
   * ```ts ignore
   * const value = await ring.fgetxattr(fd, "user.origin");
   * ```
   */
  async fgetxattr(
    fd: number | FixedFile,
    name: string,
    options?: GetxattrOptions & RunOptions,
  ): Promise<Uint8Array> {
    const op = this.#make(() => new Fgetxattr(fd, name, options));
    return (op as Fgetxattr).result(await this.#runBuilt(op, options));
  }

  /**
   * Sets an extended attribute of an open file (fsetxattr(2)).
   *
   * @example
   * ```ts ignore
   * await ring.fsetxattr(fd, "user.origin", new TextEncoder().encode("upload"));
   * ```
   */
  async fsetxattr(
    fd: number | FixedFile,
    name: string,
    value: BufferSource,
    options?: SetxattrOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new Fsetxattr(fd, name, value, options)), options);
  }

  // ---- pipes, polling, processes, futexes ------------------------------------------

  /**
   * Moves up to `length` bytes between two fds, one a pipe, without a copy through user memory (splice(2)).
   *
   * @example
   * ```ts ignore
   * const moved = await ring.splice(file, pipeWrite, 65536, { offIn: 0 });
   * ```
   */
  splice(fdIn: number, fdOut: number, length: number, options?: SpliceOptions & RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new Splice(fdIn, fdOut, length, options)), options);
  }

  /**
   * Duplicates up to `length` bytes from one pipe into another without consuming them (tee(2)).
   *
   * @example
   * ```ts ignore
   * const copied = await ring.tee(pipeA, pipeB, 65536);
   * ```
   */
  tee(
    fdIn: number | FixedFile,
    fdOut: number | FixedFile,
    length: number,
    options?: TeeOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new Tee(fdIn, fdOut, length, options)), options);
  }

  /**
   * Creates a pipe (PIPE op, 6.16); resolves with [read end, write end].
   *
   * @example
   * ```ts ignore
   * const [readEnd, writeEnd] = await ring.pipe();
   * ```
   */
  async pipe(options?: PipeOptions & RunOptions): Promise<[number, number]> {
    const op = this.#make(() => new Pipe(options));
    await this.#runBuilt(op, options);
    return (op as Pipe).result();
  }

  /**
   * Waits once for `events` (POLLIN, POLLOUT, ...) on an fd (POLL_ADD); resolves with the events that fired.
   * For a stream of readiness use `ring.multishot(new PollAdd(fd, events, { multishot: true }))`.
   *
   * @example
   * ```ts ignore
   * import { POLLIN } from "@ioring/ioring";
   * const ready = await ring.pollAdd(socket, POLLIN);
   * ```
   */
  pollAdd(fd: number | FixedFile, events: number, options?: RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new PollAdd(fd, events)), options);
  }

  /**
   * Adds, changes or removes an fd in an epoll set (epoll_ctl(2)).
   *
   * @example
   * ```ts ignore
   * import { EPOLL_CTL_ADD, EPOLLIN } from "@ioring/ioring";
   * await ring.epollCtl(epfd, EPOLL_CTL_ADD, socket, EPOLLIN);
   * ```
   */
  async epollCtl(
    epfd: number,
    op: number,
    fd: number,
    events?: number,
    options?: EpollCtlOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new EpollCtl(epfd, op, fd, events, options)), options);
  }

  /**
   * Waits for events of an epoll set (epoll_wait(2), EPOLL_WAIT op 6.15); resolves with them.
   *
   * @example
   * ```ts ignore
   * for (const { events, data } of await ring.epollWait(epfd, 16)) console.log(events, data);
   * ```
   */
  async epollWait(
    epfd: number | FixedFile,
    maxEvents: number,
    options?: EpollWaitOptions & RunOptions,
  ): Promise<EpollEvent[]> {
    const op = this.#make(() => new EpollWait(epfd, maxEvents, options));
    return (op as EpollWait).result(await this.#runBuilt(op, options));
  }

  /**
   * Waits for a child process to change state (waitid(2), WAITID op 6.7); resolves with what happened.
   *
   * @example
   * ```ts ignore
   * import { P_PID, WSTOPPED } from "@ioring/ioring";
   * const info = await ring.waitid(P_PID, child.pid, { options: WSTOPPED });
   * ```
   */
  async waitid(idtype: number, id: number, options?: WaitidOptions & RunOptions): Promise<WaitidResult> {
    const op = this.#make(() => new Waitid(idtype, id, options));
    await this.#runBuilt(op, options);
    return (op as Waitid).result();
  }

  /**
   * Sleeps until `futex[index]` is woken, if it still holds `value` (FUTEX_WAIT op, 6.7): Atomics.wait,
   * without blocking the thread.
   *
   * @example
   * ```ts ignore
   * const word = new Int32Array(new SharedArrayBuffer(4));
   * const woken = ring.futexWait(word, 0, 0);
   * await ring.futexWake(word, 0, 1);
   * ```
   */
  async futexWait(
    futex: FutexArray,
    index: number,
    value: number,
    options?: FutexOptions & RunOptions,
  ): Promise<void> {
    await this.#runBuilt(this.#make(() => new FutexWait(futex, index, value, options)), options);
  }

  /**
   * Wakes up to `count` waiters on `futex[index]` (FUTEX_WAKE op, 6.7); resolves with how many woke.
   *
   * @example
   * ```ts ignore
   * const woke = await ring.futexWake(word, 0, 1);
   * ```
   */
  futexWake(
    futex: FutexArray,
    index: number,
    count?: number,
    options?: FutexOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new FutexWake(futex, index, count, options)), options);
  }

  /**
   * Sleeps until any of several futexes is woken (FUTEX_WAITV op, 6.7); resolves with the index of the one woken.
   *
   * @example
   * ```ts ignore
   * const which = await ring.futexWaitv([{ futex: a, index: 0, value: 0 }, { futex: b, index: 0, value: 0 }]);
   * ```
   */
  futexWaitv(waiters: readonly FutexWaiter[], options?: RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new FutexWaitv(waiters)), options);
  }

  // ---- registration ----------------------------------------------------------------

  #fixedBuffers: Uint8Array[] = []; // registered buffers stay referenced while the kernel holds them pinned

  #rsrcRegister(
    opcode: number,
    name: string,
    count: number,
    flags: number,
    data: ArrayBufferView | null,
    tags?: readonly number[],
    legacy?: { opcode: number; name: string },
  ): void {
    const arg = new Uint32Array(RSRC_REGISTER.size / 4);
    arg[RSRC_REGISTER.nr / 4] = count;
    arg[RSRC_REGISTER.flags / 4] = flags;
    setU64(arg, RSRC_REGISTER.data / 4, data === null ? 0 : addressOf(data));
    const tagWords = encodeTags(tags, count, name);
    setU64(arg, RSRC_REGISTER.tags / 4, tagWords === null ? 0 : addressOf(tagWords));
    try {
      this.register(opcode, name, arg, RSRC_REGISTER.size);
    } catch (error) {
      // A ring restricted in liburing's terms allows IORING_REGISTER_FILES/BUFFERS, not their "2" forms:
      // the plain form does the same registration when there are no tags and no sparse table.
      if (!(error instanceof IoRingError) || error.code !== "EACCES" || legacy === undefined) throw error;
      if (tagWords !== null || flags !== 0 || data === null) throw error;
      this.register(legacy.opcode, legacy.name, data, count);
    }
  }

  #rsrcUpdate(
    opcode: number,
    name: string,
    offset: number,
    count: number,
    data: ArrayBufferView,
    tags?: readonly number[],
  ): number {
    checkU32(offset, name, "offset");
    const arg = new Uint32Array(RSRC_UPDATE2.size / 4);
    arg[RSRC_UPDATE2.offset / 4] = offset;
    setU64(arg, RSRC_UPDATE2.data / 4, addressOf(data));
    const tagWords = encodeTags(tags, count, name);
    setU64(arg, RSRC_UPDATE2.tags / 4, tagWords === null ? 0 : addressOf(tagWords));
    arg[RSRC_UPDATE2.nr / 4] = count;
    return this.register(opcode, name, arg, RSRC_UPDATE2.size);
  }

  /**
   * Registers files with the ring (IORING_REGISTER_FILES2, 5.13; on a ring whose restrictions allow only
   * IORING_REGISTER_FILES, as liburing's `io_uring_register_files` needs, that one, without tags): ops given the returned
   * {@link FixedFile}s skip the per-op fd lookup. -1 leaves a slot empty. With `tags`, the ring posts a
   * completion with `userData` = the slot's tag when the kernel lets go of that file (a later
   * update or unregister); read it from `completions()`. Throws {@link IoRingError} if the kernel refuses.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat("/etc/hostname");
   * const [file] = ring.registerFiles([fd]);
   * console.log(await ring.read(file, new Uint8Array(64), 0) > 0); // true
   * ring.unregisterFiles();
   * ```
   */
  registerFiles(fds: readonly number[], options: { tags?: readonly number[] } = {}): FixedFile[] {
    const table = fileTable(fds, "register files");
    this.#rsrcRegister(
      IORING_REGISTER_FILES2,
      "IORING_REGISTER_FILES2",
      table.length,
      0,
      table,
      options.tags,
      { opcode: IORING_REGISTER_FILES, name: "IORING_REGISTER_FILES" },
    );
    return Array.from(table, (_, i) => new FixedFile(i));
  }

  /**
   * Registers an empty file table of `count` slots (IORING_RSRC_REGISTER_SPARSE, 5.19), to be filled by
   * {@link IoRing.updateFiles} or by ops that open or accept straight into a slot.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const slots = ring.registerSparseFiles(64);
   * console.log(slots.length); // 64
   * ```
   */
  registerSparseFiles(count: number): FixedFile[] {
    if (!Number.isInteger(count) || count < 1 || count > 0xffffffff) {
      throw new RangeError(`Cannot register files: count must be an integer >= 1: current value is ${count}`);
    }
    this.#rsrcRegister(
      IORING_REGISTER_FILES2,
      "IORING_REGISTER_FILES2",
      count,
      IORING_RSRC_REGISTER_SPARSE,
      null,
    );
    return Array.from({ length: count }, (_, i) => new FixedFile(i));
  }

  /**
   * Replaces slots `offset…` of the file table (IORING_REGISTER_FILES_UPDATE2, 5.13): -1 empties a slot,
   * IORING_REGISTER_FILES_SKIP (-2) leaves it. Returns how many slots were updated.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerSparseFiles(4);
   * const fd = await ring.openat("/etc/hostname");
   * console.log(ring.updateFiles(2, [fd])); // 1
   * ```
   */
  updateFiles(offset: number, fds: readonly number[], options: { tags?: readonly number[] } = {}): number {
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) {
      throw new RangeError(`Cannot update files: offset must be an integer >= 0: current value is ${offset}`);
    }
    const table = fileTable(fds, "update files");
    return this.#rsrcUpdate(
      IORING_REGISTER_FILES_UPDATE2,
      "IORING_REGISTER_FILES_UPDATE2",
      offset,
      table.length,
      table,
      options.tags,
    );
  }

  /**
   * Drops the file table (IORING_UNREGISTER_FILES); ops on its slots then fail (EBADF or ENXIO).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerSparseFiles(4);
   * ring.unregisterFiles();
   * ```
   */
  unregisterFiles(): void {
    this.register(IORING_UNREGISTER_FILES, "IORING_UNREGISTER_FILES", null, 0);
  }

  /**
   * Limits the slots the kernel picks for IORING_FILE_INDEX_ALLOC to `offset…offset+length-1`
   * (IORING_REGISTER_FILE_ALLOC_RANGE, 6.0).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerSparseFiles(16);
   * ring.registerFileAllocRange(8, 8);
   * ```
   */
  registerFileAllocRange(offset: number, length: number): void {
    checkU32(offset, "register the file alloc range", "offset");
    checkU32(length, "register the file alloc range", "length");
    const arg = new Uint32Array(FILE_INDEX_RANGE.size / 4);
    arg[FILE_INDEX_RANGE.off / 4] = offset;
    arg[FILE_INDEX_RANGE.len / 4] = length;
    this.register(IORING_REGISTER_FILE_ALLOC_RANGE, "IORING_REGISTER_FILE_ALLOC_RANGE", arg, 0);
  }

  /**
   * Registers (pins) buffers with the ring (IORING_REGISTER_BUFFERS2, 5.13; IORING_REGISTER_BUFFERS on a ring
   * whose restrictions allow only that one, without tags): READ_FIXED/WRITE_FIXED and the
   * fixed-buffer sends name them by index (their position here) and skip per-op page pinning. The ring
   * keeps them referenced until {@link IoRing.unregisterBuffers}. Pinned memory counts against
   * RLIMIT_MEMLOCK on older kernels; the error says so.
   *
   * @example
   * ```ts
   * import { IoRing, ReadFixed } from "@ioring/ioring";
   * using ring = new IoRing();
   * const memory = new Uint8Array(4096);
   * ring.registerBuffers([memory]);
   * const fd = await ring.openat("/etc/hostname");
   * console.log(await ring.run(new ReadFixed(fd, memory, 0, 0)) > 0); // true
   * ```
   */
  registerBuffers(buffers: readonly BufferSource[], options: { tags?: readonly number[] } = {}): void {
    const views = bufferList(buffers, "register buffers");
    const iovecs = encodeIovecs(views);
    this.#rsrcRegister(
      IORING_REGISTER_BUFFERS2,
      "IORING_REGISTER_BUFFERS2",
      views.length,
      0,
      iovecs,
      options.tags,
      { opcode: IORING_REGISTER_BUFFERS, name: "IORING_REGISTER_BUFFERS" },
    );
    this.#fixedBuffers = views;
  }

  /**
   * Registers an empty buffer table of `count` slots (IORING_RSRC_REGISTER_SPARSE, 5.19), to be filled by
   * {@link IoRing.updateBuffers}.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerSparseBuffers(16);
   * console.log(ring.updateBuffers(3, [new Uint8Array(4096)])); // 1
   * ```
   */
  registerSparseBuffers(count: number): void {
    if (!Number.isInteger(count) || count < 1 || count > 16384) {
      throw new RangeError(
        `Cannot register buffers: count must be an integer from 1 to 16384: current value is ${count}`,
      );
    }
    this.#rsrcRegister(
      IORING_REGISTER_BUFFERS2,
      "IORING_REGISTER_BUFFERS2",
      count,
      IORING_RSRC_REGISTER_SPARSE,
      null,
    );
    this.#fixedBuffers = [];
  }

  /**
   * Replaces registered buffers `offset…` (IORING_REGISTER_BUFFERS_UPDATE, 5.13). Returns how many were updated.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerBuffers([new Uint8Array(4096), new Uint8Array(4096)]);
   * console.log(ring.updateBuffers(1, [new Uint8Array(8192)])); // 1
   * ```
   */
  updateBuffers(
    offset: number,
    buffers: readonly BufferSource[],
    options: { tags?: readonly number[] } = {},
  ): number {
    const views = bufferList(buffers, "update buffers");
    const updated = this.#rsrcUpdate(
      IORING_REGISTER_BUFFERS_UPDATE,
      "IORING_REGISTER_BUFFERS_UPDATE",
      offset,
      views.length,
      encodeIovecs(views),
      options.tags,
    );
    views.forEach((view, i) => (this.#fixedBuffers[offset + i] = view));
    return updated;
  }

  /**
   * Unpins every registered buffer (IORING_UNREGISTER_BUFFERS) and lets go of them.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerBuffers([new Uint8Array(4096)]);
   * ring.unregisterBuffers();
   * ```
   */
  unregisterBuffers(): void {
    this.register(IORING_UNREGISTER_BUFFERS, "IORING_UNREGISTER_BUFFERS", null, 0);
    this.#fixedBuffers = [];
  }

  /**
   * Registers the calling process's current credentials as a personality (IORING_REGISTER_PERSONALITY,
   * 5.6); ops run with them when given `.personality(id)`. Returns the id.
   *
   * @example
   * ```ts
   * import { IoRing, Nop } from "@ioring/ioring";
   * using ring = new IoRing();
   * const id = ring.registerPersonality();
   * console.log(await ring.run(new Nop().personality(id))); // 0
   * ring.unregisterPersonality(id);
   * ```
   */
  registerPersonality(): number {
    return this.register(IORING_REGISTER_PERSONALITY, "IORING_REGISTER_PERSONALITY", null, 0);
  }

  /**
   * Forgets a personality (IORING_UNREGISTER_PERSONALITY).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.unregisterPersonality(ring.registerPersonality());
   * ```
   */
  unregisterPersonality(id: number): void {
    checkU16(id, "unregister a personality", "id");
    this.register(IORING_UNREGISTER_PERSONALITY, "IORING_UNREGISTER_PERSONALITY", null, id);
  }

  /**
   * Caps the ring's io-wq worker threads (IORING_REGISTER_IOWQ_MAX_WORKERS, 5.15): `bounded` for
   * regular-file and block I/O, `unbounded` for the rest; 0 leaves one unchanged. Returns the previous caps.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const [bounded, unbounded] = ring.setIowqMaxWorkers(2, 4);
   * console.log(bounded > 0, unbounded > 0); // true true
   * ```
   */
  setIowqMaxWorkers(bounded: number, unbounded: number): [number, number] {
    checkU32(bounded, "set io-wq max workers", "bounded");
    checkU32(unbounded, "set io-wq max workers", "unbounded");
    const arg = new Uint32Array([bounded, unbounded]);
    this.register(IORING_REGISTER_IOWQ_MAX_WORKERS, "IORING_REGISTER_IOWQ_MAX_WORKERS", arg, 2);
    return [arg[0], arg[1]];
  }

  /**
   * Pins the ring's io-wq workers to `cpus` (IORING_REGISTER_IOWQ_AFF, 5.14); an empty list undoes it
   * (IORING_UNREGISTER_IOWQ_AFF).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.setIowqAffinity([0]);
   * ring.setIowqAffinity([]);
   * ```
   */
  setIowqAffinity(cpus: readonly number[]): void {
    if (!Array.isArray(cpus)) {
      throw new TypeError(
        `Cannot set io-wq affinity: cpus must be an array of CPU numbers: current value is ${describe(cpus)}`,
      );
    }
    if (cpus.length === 0) {
      this.register(IORING_UNREGISTER_IOWQ_AFF, "IORING_UNREGISTER_IOWQ_AFF", null, 0);
      return;
    }
    const mask = new Uint8Array(128); // cpu_set_t: 1024 CPUs
    for (const cpu of cpus) {
      if (!Number.isInteger(cpu) || cpu < 0 || cpu >= 1024) {
        throw new RangeError(
          `Cannot set io-wq affinity: CPUs must be integers from 0 to 1023: current value is ${cpu}`,
        );
      }
      mask[cpu >> 3] |= 1 << (cpu & 7);
    }
    this.register(IORING_REGISTER_IOWQ_AFF, "IORING_REGISTER_IOWQ_AFF", mask, mask.length);
  }

  /**
   * Restricts what this ring may do (IORING_REGISTER_RESTRICTIONS, 5.10), a sandbox for code that gets the
   * ring: which register opcodes, which SQE opcodes, which IOSQE flags are allowed, and which are
   * required. Only a ring created with `rDisabled` takes restrictions, once; `ring.enable()` then starts
   * it. A refused op completes with EACCES. Register opcodes are the kernel's: `registerFiles()` and
   * `registerBuffers()` use IORING_REGISTER_FILES2/BUFFERS2 and fall back to IORING_REGISTER_FILES/BUFFERS
   * (allowed as liburing users write it) when the ring refuses those and no tags are given; sparse tables
   * and tags need the "2" forms allowed. Unregistering the ring's own registered fd stays allowed so
   * that `close()` can let go of the ring.
   *
   * @example
   * ```ts
   * import { IoRing, IORING_OP_NOP, IORING_OP_READ } from "@ioring/ioring";
   * using ring = new IoRing({ rDisabled: true });
   * ring.registerRestrictions({ sqeOps: [IORING_OP_NOP, IORING_OP_READ] });
   * ring.enable();
   * console.log(await ring.nop()); // 0
   * ```
   */
  registerRestrictions(restrictions: Restrictions): void {
    const entries: [number, number][] = [];
    const ops = (list: readonly number[] | undefined, kind: number, name: string) => {
      for (const op of list ?? []) {
        if (!Number.isInteger(op) || op < 0 || op > 255) {
          throw new RangeError(
            `Cannot register restrictions: ${name} must hold opcodes from 0 to 255: current value is ${op}`,
          );
        }
        entries.push([kind, op]);
      }
    };
    ops(
      [...(restrictions.registerOps ?? []), IORING_UNREGISTER_RING_FDS],
      IORING_RESTRICTION_REGISTER_OP,
      "registerOps",
    );
    ops(restrictions.sqeOps, IORING_RESTRICTION_SQE_OP, "sqeOps");
    for (
      const [value, kind, name] of [
        [restrictions.sqeFlagsAllowed, IORING_RESTRICTION_SQE_FLAGS_ALLOWED, "sqeFlagsAllowed"],
        [restrictions.sqeFlagsRequired, IORING_RESTRICTION_SQE_FLAGS_REQUIRED, "sqeFlagsRequired"],
      ] as const
    ) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        throw new RangeError(
          `Cannot register restrictions: ${name} must be IOSQE_* bits (0 to 255): current value is ${value}`,
        );
      }
      entries.push([kind, value]);
    }
    const array = new Uint8Array(entries.length * RESTRICTION.size);
    const view = new DataView(array.buffer);
    entries.forEach(([kind, value], i) => {
      view.setUint16(i * RESTRICTION.size + RESTRICTION.opcode, kind, true);
      view.setUint8(i * RESTRICTION.size + RESTRICTION.arg, value);
    });
    this.register(IORING_REGISTER_RESTRICTIONS, "IORING_REGISTER_RESTRICTIONS", array, entries.length);
  }

  /**
   * Cancels operations in flight and blocks this thread until they are cancelled or `timeout` passes
   * (IORING_REGISTER_SYNC_CANCEL, 6.0). `target` is a file descriptor or {@link FixedFile} (every op on it),
   * "all" (every op on the ring), or a {@link CancelMatch} in liburing's terms: by `userData` (a low-level
   * op's), `fd`, `opcode` (6.6), or `any`, all criteria given having to match, the first match only unless
   * `all` is set, as `io_uring_register_sync_cancel()` does. Unlike {@link IoRingCore.cancelFd}, it has
   * finished when it returns; each op still settles on its own. Returns how many were cancelled (0 when
   * none matched). Throws ETIME if the ops did not let go in time.
   *
   * @example Cancelling a low-level read by its user data
   * ```ts
   * import { IoRing, Read } from "@ioring/ioring";
   * using ring = new IoRing();
   * const [r, w] = await ring.pipe();
   * ring.prepare(new Read(r, new Uint8Array(8)), 42);
   * ring.submit();
   * console.log(ring.cancelSync({ userData: 42 }, { timeout: 1000 })); // 1
   * ```
   */
  cancelSync(target: number | FixedFile | "all" | CancelMatch, options: { timeout?: TimeSpec } = {}): number {
    const arg = new Uint8Array(SYNC_CANCEL_REG.size);
    const view = new DataView(arg.buffer);
    const { fd, flags, userData, opcode } = syncCancelTarget(target);
    view.setUint32(SYNC_CANCEL_REG.addr, userData >>> 0, true);
    view.setUint32(SYNC_CANCEL_REG.addr + 4, Math.floor(userData / TWO_32), true);
    view.setInt32(SYNC_CANCEL_REG.fd, fd, true);
    view.setUint32(SYNC_CANCEL_REG.flags, flags, true);
    view.setUint8(SYNC_CANCEL_REG.opcode, opcode);
    const timespec = options.timeout === undefined
      ? new BigInt64Array([-1n, -1n])
      : encodeTimespec(options.timeout, "cancel");
    view.setBigInt64(SYNC_CANCEL_REG.timeout, timespec[0], true);
    view.setBigInt64(SYNC_CANCEL_REG.timeout + 8, timespec[1], true);
    try {
      const ret = this.register(IORING_REGISTER_SYNC_CANCEL, "IORING_REGISTER_SYNC_CANCEL", arg, 1);
      // Without IORING_ASYNC_CANCEL_ALL the kernel says 0 for the one op it cancelled.
      return (flags & IORING_ASYNC_CANCEL_ALL) === 0 ? 1 : ret;
    } catch (error) {
      if (error instanceof IoRingError && error.code === "ENOENT") return 0;
      throw error;
    }
  }

  // ---- the remaining opcodes -------------------------------------------------------

  /**
   * Reads into registered buffer `bufIndex` (`buffer` is a view inside it) from `fd` (READ_FIXED, 5.1).
   * {@link FixedBufferPool} hands out buffers that carry their index.
   *
   * @example
   * ```ts ignore
   * const n = await ring.readFixed(fd, registered.subarray(0, 4096), 0, 0);
   * ```
   */
  readFixed(
    fd: number | FixedFile,
    buffer: BufferSource,
    bufIndex: number,
    offset = -1,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new ReadFixed(fd, buffer, bufIndex, offset, options)), options);
  }

  /**
   * Writes from registered buffer `bufIndex` (`buffer` is a view inside it) to `fd` (WRITE_FIXED, 5.1).
   *
   * @example
   * ```ts ignore
   * await ring.writeFixed(fd, registered.subarray(0, n), 0, 0);
   * ```
   */
  writeFixed(
    fd: number | FixedFile,
    buffer: BufferSource,
    bufIndex: number,
    offset = -1,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new WriteFixed(fd, buffer, bufIndex, offset, options)), options);
  }

  /**
   * Sends several buffers as one message without copying them (SENDMSG_ZC, 6.1); resolves with the
   * bytes sent once the kernel has released the buffers.
   *
   * @example
   * ```ts ignore
   * await ring.sendmsgZc(tcpSocket, [header, body]);
   * ```
   */
  sendmsgZc(
    fd: number | FixedFile,
    buffers: readonly BufferSource[],
    options?: SendMsgZcOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new SendMsgZc(fd, buffers, options)), options);
  }

  /**
   * Reads from `fd` into buffers the kernel picks from `bufferGroup`, a completion per read, as an async
   * iterator (READ_MULTISHOT, 6.7); the buffer id is in each completion's flags.
   *
   * @example
   * ```ts ignore
   * for await (const { res, flags } of ring.readMultishot(pipeFd, group)) console.log(res, flags);
   * ```
   */
  readMultishot(
    fd: number | FixedFile,
    bufferGroup: number,
    options?: ReadMultishotOptions & MultishotOptions,
  ): AsyncIterableIterator<MultishotCqe> {
    return this.multishot(new ReadMultishot(fd, bufferGroup, options), options);
  }

  /**
   * Hands the kernel `count` buffers of `size` bytes carved from `memory` as buffer group `group`
   * (PROVIDE_BUFFERS, 5.7); resolves with how many were added.
   *
   * @example
   * ```ts ignore
   * await ring.provideBuffers(new Uint8Array(16 * 4096), 1, 4096);
   * ```
   */
  provideBuffers(
    memory: BufferSource,
    group: number,
    size: number,
    options?: ProvideBuffersOptions & RunOptions,
  ): Promise<number> {
    return this.#runBuilt(this.#make(() => new ProvideBuffers(memory, group, size, options)), options);
  }

  /**
   * Takes back up to `count` unused buffers of group `group` (REMOVE_BUFFERS, 5.7); resolves with how many.
   *
   * @example
   * ```ts ignore
   * const removed = await ring.removeBuffers(1, 16);
   * ```
   */
  removeBuffers(group: number, count: number, options?: RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new RemoveBuffers(group, count)), options);
  }

  /**
   * Replaces registered-file slots from `offset` through the SQ (FILES_UPDATE, 5.6); resolves with how
   * many were updated. {@link IoRing.updateFiles} does the same synchronously.
   *
   * @example
   * ```ts ignore
   * await ring.filesUpdate([fd], 3);
   * ```
   */
  filesUpdate(fds: readonly number[], offset: number, options?: RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new FilesUpdate(fds, offset)), options);
  }

  /**
   * Turns a registered file (a direct descriptor) into a regular fd (FIXED_FD_INSTALL, 6.8); resolves with it.
   *
   * @example
   * ```ts ignore
   * const fd = await ring.fixedFdInstall(new FixedFile(2));
   * ```
   */
  fixedFdInstall(file: FixedFile, options?: FixedFdInstallOptions & RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new FixedFdInstall(file, options)), options);
  }

  /**
   * Cancels low-level operations by their user data, or by other keys (ASYNC_CANCEL, 5.5); resolves with
   * the kernel's result (0, or a count with `all`). Promise operations take `{ signal }` instead.
   *
   * @example
   * ```ts ignore
   * await ring.asyncCancel({ userData: 42, all: true });
   * ```
   */
  asyncCancel(target: number | AsyncCancelTarget, options?: RunOptions): Promise<number> {
    return this.#runBuilt(this.#make(() => new AsyncCancel(target)), options);
  }

  /**
   * Removes (or, with IORING_TIMEOUT_UPDATE, changes) a low-level timeout by its user data
   * (TIMEOUT_REMOVE, 5.5).
   *
   * @example
   * ```ts ignore
   * await ring.timeoutRemove(7);
   * ```
   */
  async timeoutRemove(userData: number, options?: TimeoutRemoveOptions & RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new TimeoutRemove(userData, options)), options);
  }

  /**
   * Removes (or updates the events or user data of) a low-level poll by its user data (POLL_REMOVE, 5.1).
   *
   * @example
   * ```ts ignore
   * await ring.pollRemove(9);
   * ```
   */
  async pollRemove(userData: number, options?: PollUpdateOptions & RunOptions): Promise<void> {
    await this.#runBuilt(this.#make(() => new PollRemove(userData, options)), options);
  }

  /**
   * Runs a socket command (URING_CMD on a socket, 6.7: SIOCINQ, SIOCOUTQ, getsockopt, setsockopt,
   * getsockname); resolves with the command, whose decoders read its result.
   *
   * @example
   * ```ts ignore
   * const queued = (await ring.socketCommand(SocketCmd.siocinq(socket))).int();
   * ```
   */
  async socketCommand(command: SocketCmd, options?: RunOptions): Promise<SocketCmd> {
    await this.run(command, options);
    return command;
  }
}
