/**
 * One builder per io_uring opcode. A builder is a small typed object: required
 * fields in the constructor, optional ones in an options object, `IOSQE_*`
 * flags, ioprio and personality as chainable setters. Queue it with
 * `ring.prepare(op, userData)` or run it with `await ring.run(op)`.
 *
 * @example
 * ```ts
 * import { IoRing, Nop } from "@ioring/ioring";
 * using ring = new IoRing();
 * console.log(await ring.run(new Nop())); // 0
 * ```
 *
 * @module
 */
export { type Op, OpBase } from "../sqe/op.ts";
export { BufferOp } from "./_rw.ts";
export { VectoredOp } from "./_vectored.ts";
export { TwoPathOp, type TwoPathOptions } from "./_two_paths.ts";
export { MsgOp } from "./_msghdr.ts";
export { SendOp } from "./_send.ts";
export { FixedFile } from "../sqe/fixed_file.ts";
export type { BufferSource } from "../memory/buffers.ts";
export { Nop } from "./nop.ts";
export { Read, type ReadOptions, type ReadWriteOptions } from "./read.ts";
export { Write } from "./write.ts";
export { Readv, type ReadvOptions, type VectoredOptions } from "./readv.ts";
export { Writev } from "./writev.ts";
export { Fsync, type FsyncOptions } from "./fsync.ts";
export { Openat, type OpenatOptions } from "./openat.ts";
export { Close } from "./close.ts";
export { Splice, type SpliceOptions } from "./splice.ts";
export { decodeStatx, Statx, type StatxOptions, type StatxResult } from "./statx.ts";
export { Timeout, type TimeoutOptions } from "./timeout.ts";
export { encodeTimespec, type TimeSpec, timeSpecMs } from "../memory/timespec.ts";
export { Accept, type AcceptOptions } from "./accept.ts";
export { Bind } from "./bind.ts";
export { Connect } from "./connect.ts";
export { Listen } from "./listen.ts";
export { MsgRing, MsgRingFd, type MsgRingFdOptions, type MsgRingOptions } from "./msg_ring.ts";
export { ProvideBuffers, type ProvideBuffersOptions } from "./provide_buffers.ts";
export { Recv, type RecvOptions } from "./recv.ts";
export { RecvMsg, type RecvMsgOptions, type RecvMsgOut, type RecvMsgResult } from "./recvmsg.ts";
export { RecvZc, type RecvZcOptions } from "./recv_zc.ts";
export { RemoveBuffers } from "./remove_buffers.ts";
export { Send, type SendOptions } from "./send.ts";
export { SendMsg, type SendMsgOptions } from "./sendmsg.ts";
export { SendMsgZc, type SendMsgZcOptions } from "./sendmsg_zc.ts";
export { SendZc, type SendZcOptions } from "./send_zc.ts";
export { Shutdown } from "./shutdown.ts";
export { Socket, type SocketOptions } from "./socket.ts";
export { SocketCmd, type SocketCmdOptions } from "./uring_cmd.ts";
export { bufferId } from "./_net.ts";
export {
  decodeSockaddr,
  encodeSockaddr,
  formatIPv4,
  formatIPv6,
  type Ipv4SocketAddress,
  type Ipv6SocketAddress,
  parseIPv4,
  parseIPv6,
  SOCKADDR_IN6_SIZE,
  SOCKADDR_IN_SIZE,
  SOCKADDR_STORAGE_SIZE,
  SOCKADDR_UN_SIZE,
  type SocketAddress,
  type UnixSocketAddress,
} from "../memory/sockaddr.ts";
export { ReadFixed } from "./read_fixed.ts";
export { WriteFixed } from "./write_fixed.ts";
export { ReadvFixed } from "./readv_fixed.ts";
export { WritevFixed } from "./writev_fixed.ts";
export { SyncFileRange, type SyncFileRangeOptions } from "./sync_file_range.ts";
export { Fallocate, type FallocateOptions } from "./fallocate.ts";
export { Fadvise } from "./fadvise.ts";
export { Madvise } from "./madvise.ts";
export { Openat2, type Openat2Options } from "./openat2.ts";
export { Renameat, type RenameatOptions } from "./renameat.ts";
export { Unlinkat, type UnlinkatOptions } from "./unlinkat.ts";
export { Mkdirat, type MkdiratOptions } from "./mkdirat.ts";
export { Symlinkat, type SymlinkatOptions } from "./symlinkat.ts";
export { Linkat, type LinkatOptions } from "./linkat.ts";
export { Fsetxattr, type SetxattrOptions } from "./fsetxattr.ts";
export { Setxattr } from "./setxattr.ts";
export { Fgetxattr, type GetxattrOptions } from "./fgetxattr.ts";
export { Getxattr } from "./getxattr.ts";
export { Ftruncate } from "./ftruncate.ts";
export { Tee, type TeeOptions } from "./tee.ts";
export { EpollCtl, type EpollCtlOptions } from "./epoll_ctl.ts";
export { type EpollEvent, EpollWait, type EpollWaitOptions } from "./epoll_wait.ts";
export { FilesUpdate } from "./files_update.ts";
export { FixedFdInstall, type FixedFdInstallOptions } from "./fixed_fd_install.ts";
export { Waitid, type WaitidOptions, type WaitidResult } from "./waitid.ts";
export { type FutexArray, type FutexOptions, FutexWait } from "./futex_wait.ts";
export { FutexWake } from "./futex_wake.ts";
export { type FutexWaiter, FutexWaitv } from "./futex_waitv.ts";
export { Pipe, type PipeOptions } from "./pipe.ts";
export { ReadMultishot, type ReadMultishotOptions } from "./read_multishot.ts";
export { AsyncCancel, type AsyncCancelTarget } from "./async_cancel.ts";
export { LinkTimeout, type LinkTimeoutOptions } from "./link_timeout.ts";
export { TimeoutRemove, type TimeoutRemoveOptions } from "./timeout_remove.ts";
export { PollAdd, type PollAddOptions } from "./poll_add.ts";
export { PollRemove, type PollUpdateOptions } from "./poll_remove.ts";
