/**
 * Byte layouts of the structures shared with the kernel, from
 * `include/uapi/linux/io_uring.h`. `tests/constants_test.ts` checks every
 * offset and size here against the installed C headers.
 *
 * @module
 */

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
