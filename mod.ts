/**
 * io_uring for Deno and Bun, through each runtime's built-in FFI: no native
 * addon. SQEs are written from JavaScript straight into the ring's mapped
 * memory and submitted in batches with one `io_uring_enter`; completions
 * arrive as promises or as an async iterator, without blocking the event loop.
 *
 * @example Copy the start of a file
 * ```ts
 * import { IoRing, O_CREAT, O_TRUNC, O_WRONLY } from "@ioring/ioring";
 * await using ring = new IoRing();
 * const src = await ring.openat("/etc/hostname");
 * const dst = await ring.openat(`${Deno.makeTempDirSync()}/copy`, { flags: O_WRONLY | O_CREAT | O_TRUNC });
 * const buffer = new Uint8Array(4096);
 * const n = await ring.read(src, buffer, 0);
 * await ring.write(dst, buffer.subarray(0, n), 0);
 * await Promise.all([ring.closeFd(src), ring.closeFd(dst)]);
 * ```
 *
 * The flags a first program needs (`IOSQE_*`, open flags, `AT_*`, socket families, CQE flags, the
 * multishot and absolute timeout flags) are exported here; the whole table of kernel constants, every
 * `IORING_*`, `IOSQE_*`, `O_*`, `MSG_*`, `EPOLL*`, … under its C name, is at `@ioring/ioring/constants`.
 * The op builders are exported here and at `@ioring/ioring/ops`; TCP and Unix sockets at
 * `@ioring/ioring/net`. Files as `Deno.FsFile` (`open`), and whole files in one call (`readFile`,
 * `readTextFile`, `writeFile`, `writeTextFile`), run on the thread's default ring (`defaultRing()`) unless
 * given `{ ring }`.
 *
 * @module
 */
export {
  type CancelMatch,
  type CompletionCallback,
  type CompletionsOptions,
  ControlMethods,
  type Cqe,
  FileSystemMethods,
  IoRing,
  IoRingCore,
  type IoRingOptions,
  type LinkOptions,
  type LinkResult,
  type MultishotCqe,
  type MultishotOptions,
  NetMethods,
  PipeAndWaitMethods,
  type ProbeResult,
  RegistrationMethods,
  type Restrictions,
  type RunOptions,
} from "./facade/io_ring.ts";
export { LowLevelRing, RingBase } from "./ring/core.ts";
export { IoRingError, type IoRingErrorTarget } from "./util/error.ts";
export { IoUringUnavailableError } from "./ffi/native.ts";
export { errnoMessage, errnoName, errnoNumber } from "./kernel/errno.ts";
export {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_REMOVEDIR,
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_BUFFER,
  IORING_CQE_F_MORE,
  IORING_CQE_F_NOTIF,
  IORING_TIMEOUT_ABS,
  IORING_TIMEOUT_MULTISHOT,
  IOSQE_ASYNC,
  IOSQE_BUFFER_SELECT,
  IOSQE_CQE_SKIP_SUCCESS,
  IOSQE_FIXED_FILE,
  IOSQE_IO_DRAIN,
  IOSQE_IO_HARDLINK,
  IOSQE_IO_LINK,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  SOCK_DGRAM,
  SOCK_STREAM,
} from "./kernel/constants.ts";
export * from "./ops/mod.ts";
export {
  type FixedBuffer,
  FixedBufferPool,
  type FixedBufferPoolOptions,
} from "./facade/fixed_buffer_pool.ts";
export {
  BufferRing,
  type BufferRingOptions,
  type BufferRingTake,
  type BufferSelection,
} from "./ring/buffer_ring.ts";
export { SqeWriter } from "./sqe/writer.ts";
export { defaultRing } from "./facade/default_ring.ts";
export { copyFile, type CopyFileOptions } from "./files/copy_file.ts";
export { FsFile, open, type OpenOptions } from "./files/fs_file.ts";
export { readFile, type ReadFileOptions, readTextFile } from "./files/read_file.ts";
export { writeFile, type WriteFileOptions, writeTextFile } from "./files/write_file.ts";
export {
  Conn,
  connect,
  type ConnectOptions,
  type ConnOptions,
  listen,
  Listener,
  type ListenOptions,
  listenSync,
  NET_BUFFER_GROUP,
  type NetAddr,
  TcpConn,
  TcpListener,
  type UnixAddr,
} from "./net/mod.ts";
