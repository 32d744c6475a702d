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
export { type Op, OpBase } from "./op.ts";
export { FixedFile } from "./fixed_file.ts";
export type { BufferSource } from "./_memory.ts";
export { Nop } from "./nop.ts";
export { Read, type ReadWriteOptions } from "./read.ts";
export { Write } from "./write.ts";
export { Readv, type VectoredOptions } from "./readv.ts";
export { Writev } from "./writev.ts";
export { Fsync, type FsyncOptions } from "./fsync.ts";
export { Openat, type OpenatOptions } from "./openat.ts";
export { Close } from "./close.ts";
export { Splice, type SpliceOptions } from "./splice.ts";
export { decodeStatx, Statx, type StatxOptions, type StatxResult } from "./statx.ts";
export { encodeTimespec, Timeout, type TimeoutOptions, type TimeSpec } from "./timeout.ts";
export { Accept, type AcceptOptions } from "./accept.ts";
export { Bind } from "./bind.ts";
export { Connect } from "./connect.ts";
export { Listen } from "./listen.ts";
export { MsgRing, MsgRingFd, type MsgRingFdOptions, type MsgRingOptions } from "./msg_ring.ts";
export { ProvideBuffers, type ProvideBuffersOptions } from "./provide_buffers.ts";
export { Recv, type RecvOptions } from "./recv.ts";
export { RecvMsg, type RecvMsgOptions, type RecvMsgOut, type RecvMsgResult } from "./recvmsg.ts";
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
} from "./_sockaddr.ts";
