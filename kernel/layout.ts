/**
 * Byte layouts of the structures shared with the kernel: those of
 * `include/uapi/linux/io_uring.h`, and those the operations pass by address
 * (`struct statx`, `struct msghdr`, socket addresses, `struct epoll_event`,
 * `siginfo_t`, ...). `tests/constants_test.ts` checks every offset and size
 * here against the installed C headers of this machine's architecture.
 *
 * @module
 */
import { hostProcess as process } from "./host.ts";

/** Byte offsets of the fields of `struct io_uring_sqe` (64 bytes; 128 with IORING_SETUP_SQE128). */
export const SQE = {
  size: 64,
  opcode: 0, // __u8
  flags: 1, // __u8
  ioprio: 2, // __u16
  fd: 4, // __s32
  off: 8, // __u64 off / addr2 / cmd_op
  addr: 16, // __u64 addr / splice_off_in / level+optname
  len: 24, // __u32
  opFlags: 28, // __u32 rw_flags / fsync_flags / poll32_events / ... (union)
  userData: 32, // __u64
  bufIndex: 40, // __u16 buf_index / buf_group
  personality: 42, // __u16
  fileIndex: 44, // __s32 splice_fd_in / __u32 file_index / optlen / addr_len
  addr3: 48, // __u64 addr3 / optval / attr_ptr
  pad2: 56, // __u64 __pad2[1] / attr_type_mask
} as const;

/** Byte offsets of the fields of `struct io_uring_cqe` (16 bytes; 32 with IORING_SETUP_CQE32). */
export const CQE = {
  size: 16,
  userData: 0, // __u64
  res: 8, // __s32
  flags: 12, // __u32
  bigCqe: 16, // __u64 big_cqe[] (CQE32 only)
} as const;

/** Byte offsets of the fields of `struct io_uring_params` (120 bytes). */
export const PARAMS = {
  size: 120,
  sqEntries: 0,
  cqEntries: 4,
  flags: 8,
  sqThreadCpu: 12,
  sqThreadIdle: 16,
  features: 20,
  wqFd: 24,
  resv: 28, // __u32 resv[3]
  sqOff: 40, // struct io_sqring_offsets
  cqOff: 80, // struct io_cqring_offsets
} as const;

/** Byte offsets of the fields of `struct io_sqring_offsets` (40 bytes). */
export const SQRING_OFFSETS = {
  size: 40,
  head: 0,
  tail: 4,
  ringMask: 8,
  ringEntries: 12,
  flags: 16,
  dropped: 20,
  array: 24,
  resv1: 28,
  userAddr: 32,
} as const;

/** Byte offsets of the fields of `struct io_cqring_offsets` (40 bytes). */
export const CQRING_OFFSETS = {
  size: 40,
  head: 0,
  tail: 4,
  ringMask: 8,
  ringEntries: 12,
  overflow: 16,
  cqes: 20,
  flags: 24,
  resv1: 28,
  userAddr: 32,
} as const;

/** `struct __kernel_timespec`: tv_sec and tv_nsec, both 64-bit. */
export const KERNEL_TIMESPEC = { size: 16, tvSec: 0, tvNsec: 8 } as const;

/** `struct iovec` on 64-bit Linux: iov_base and iov_len. */
export const IOVEC = { size: 16, base: 0, len: 8 } as const;

/** `struct io_uring_probe` header and its `struct io_uring_probe_op` entries. */
export const PROBE = { size: 16, lastOp: 0, opsLen: 1, ops: 16, opSize: 8, opOp: 0, opFlags: 2 } as const;

/** `struct statx` (256 bytes) and the offsets of the fields this library reads. */
export const STATX = {
  size: 256,
  mask: 0, // __u32 stx_mask
  blksize: 4, // __u32
  attributes: 8, // __u64
  nlink: 16, // __u32
  uid: 20, // __u32
  gid: 24, // __u32
  mode: 28, // __u16
  ino: 32, // __u64
  size_: 40, // __u64 stx_size
  blocks: 48, // __u64
  attributesMask: 56, // __u64
  atime: 64, // struct statx_timestamp { __s64 tv_sec; __u32 tv_nsec; __s32 __reserved; }
  btime: 80,
  ctime: 96,
  mtime: 112,
  rdevMajor: 128, // __u32
  rdevMinor: 132,
  devMajor: 136,
  devMinor: 140,
} as const;

/** `struct io_uring_recvmsg_out` (16 bytes): the head of each multishot recvmsg buffer. */
export const RECVMSG_OUT = {
  size: 16,
  namelen: 0, // __u32
  controllen: 4, // __u32
  payloadlen: 8, // __u32
  flags: 12, // __u32
} as const;

/** `struct msghdr` on 64-bit Linux (56 bytes). */
export const MSGHDR = {
  size: 56,
  name: 0, // void *msg_name
  namelen: 8, // socklen_t msg_namelen
  iov: 16, // struct iovec *msg_iov
  iovlen: 24, // size_t msg_iovlen
  control: 32, // void *msg_control
  controllen: 40, // size_t msg_controllen
  flags: 48, // int msg_flags
} as const;

/** `struct sockaddr_in` (16 bytes); port and address in network byte order. */
export const SOCKADDR_IN = {
  size: 16,
  family: 0, // sa_family_t sin_family
  port: 2, // in_port_t sin_port
  addr: 4, // struct in_addr sin_addr (4 bytes)
} as const;

/** `struct sockaddr_in6` (28 bytes); port, flow info and address in network byte order. */
export const SOCKADDR_IN6 = {
  size: 28,
  family: 0, // sa_family_t sin6_family
  port: 2, // in_port_t sin6_port
  flowInfo: 4, // uint32_t sin6_flowinfo
  addr: 8, // struct in6_addr sin6_addr (16 bytes)
  scopeId: 24, // uint32_t sin6_scope_id
} as const;

/** `struct sockaddr_un` (110 bytes). */
export const SOCKADDR_UN = {
  size: 110,
  family: 0, // sa_family_t sun_family
  path: 2, // char sun_path[108]
} as const;

/** `struct sockaddr_storage` (128 bytes): room for any socket address. */
export const SOCKADDR_STORAGE = {
  size: 128,
  family: 0, // sa_family_t ss_family
} as const;

/** `struct epoll_event`: packed on x86_64 (12 bytes, data at 4), aligned elsewhere (16, data at 8). */
export const EPOLL_EVENT: { readonly size: number; readonly events: number; readonly data: number } =
  process.arch === "x64"
    ? {
      size: 12,
      events: 0, // uint32_t events
      data: 4, // epoll_data_t data (64 bits, unaligned: __attribute__((packed)))
    }
    : {
      size: 16,
      events: 0, // uint32_t events
      data: 8, // epoll_data_t data (64 bits)
    };

/** `siginfo_t` on 64-bit Linux (128 bytes) and the SIGCHLD fields waitid(2) fills. */
export const SIGINFO = {
  size: 128,
  signo: 0, // int si_signo
  errno: 4, // int si_errno
  code: 8, // int si_code
  pid: 16, // pid_t si_pid
  uid: 20, // uid_t si_uid
  status: 24, // int si_status
} as const;

/** `struct open_how` (24 bytes, OPEN_HOW_SIZE_VER0): the openat2(2) arguments. */
export const OPEN_HOW = {
  size: 24,
  flags: 0, // __u64
  mode: 8, // __u64
  resolve: 16, // __u64
} as const;

/** `struct futex_waitv` (24 bytes): one entry of a futex_waitv(2) array. */
export const FUTEX_WAITV = {
  size: 24,
  val: 0, // __u64
  uaddr: 8, // __u64
  flags: 16, // __u32
  reserved: 20, // __u32 __reserved
} as const;

/** `struct io_uring_rsrc_register` (IORING_REGISTER_FILES2/BUFFERS2): count, flags, then pointers to data and tags. */
export const RSRC_REGISTER = { size: 32, nr: 0, flags: 4, resv2: 8, data: 16, tags: 24 } as const;

/** `struct io_uring_rsrc_update2` (IORING_REGISTER_FILES_UPDATE2/BUFFERS_UPDATE). */
export const RSRC_UPDATE2 = { size: 32, offset: 0, resv: 4, data: 8, tags: 16, nr: 24, resv2: 28 } as const;

/** `struct io_uring_file_index_range` (IORING_REGISTER_FILE_ALLOC_RANGE). */
export const FILE_INDEX_RANGE = { size: 16, off: 0, len: 4, resv: 8 } as const;

/** `struct io_uring_restriction`: the kind (IORING_RESTRICTION_*), then a register op, SQE op or flags byte. */
export const RESTRICTION = { size: 16, opcode: 0, arg: 2, resv: 3, resv2: 4 } as const;

/** `struct io_uring_sync_cancel_reg` (IORING_REGISTER_SYNC_CANCEL): what to cancel and how long to wait. */
export const SYNC_CANCEL_REG = { size: 64, addr: 0, fd: 8, flags: 12, timeout: 16, opcode: 32 } as const;

/** `struct io_uring_buf` (16 bytes): one entry of a buffer ring. Entry 0's `resv` is the ring's tail. */
export const BUF = { size: 16, addr: 0, len: 8, bid: 12, resv: 14 } as const;

/** `struct io_uring_buf_ring`: `bufs[]`, whose first 16 bytes are overlaid by `resv1..3` and the `tail`. */
export const BUF_RING = { size: 16, resv1: 0, resv2: 8, resv3: 12, tail: 14, bufs: 0 } as const;

/**
 * `struct io_uring_buf_reg` (40 bytes), the argument of IORING_(UN)REGISTER_PBUF_RING: ring address (0 with
 * IOU_PBUF_RING_MMAP), entries, group, IOU_PBUF_RING_* flags (`pad` in older headers), and `min_left` for
 * incremental rings (part of `resv` in older headers).
 */
export const BUF_REG = { size: 40, ringAddr: 0, ringEntries: 8, bgid: 12, flags: 14, minLeft: 16 } as const;

/** `struct io_uring_buf_status` (40 bytes), the argument of IORING_REGISTER_PBUF_STATUS (6.8). */
export const BUF_STATUS = { size: 40, bufGroup: 0, head: 4 } as const;
