/**
 * Every constant of the kernel's io_uring interface
 * (`include/uapi/linux/io_uring.h`), named exactly as in the C header so that
 * man pages and kernel sources can be searched for them. Values follow the
 * newest header; a kernel that predates a constant rejects it (usually with
 * EINVAL), which the "Since" notes help to anticipate. `tests/constants_test.ts`
 * compares these values with the installed C headers.
 *
 * @example
 * ```ts
 * import { IORING_OP_NOP } from "./constants.ts";
 * console.log(IORING_OP_NOP);
 * ```
 *
 * @module
 */
import { hostProcess as process } from "./host.ts";

/**
 * Syscall numbers of io_uring_setup(2), io_uring_enter(2) and io_uring_register(2).
 * They agree across architectures because every syscall numbered from 424 on
 * shares one number everywhere. Since 5.1.
 */
export const IO_URING_SYSCALL = {
  x64: { setup: 425, enter: 426, register: 427 },
  arm64: { setup: 425, enter: 426, register: 427 },
} as const;

// SQE flags (`sqe.flags`) and their bit numbers

/** Bit number of {@link IOSQE_FIXED_FILE}. */
export const IOSQE_FIXED_FILE_BIT = 0;

/** Bit number of {@link IOSQE_IO_DRAIN}. */
export const IOSQE_IO_DRAIN_BIT = 1;

/** Bit number of {@link IOSQE_IO_LINK}. */
export const IOSQE_IO_LINK_BIT = 2;

/** Bit number of {@link IOSQE_IO_HARDLINK}. */
export const IOSQE_IO_HARDLINK_BIT = 3;

/** Bit number of {@link IOSQE_ASYNC}. */
export const IOSQE_ASYNC_BIT = 4;

/** Bit number of {@link IOSQE_BUFFER_SELECT}. */
export const IOSQE_BUFFER_SELECT_BIT = 5;

/** Bit number of {@link IOSQE_CQE_SKIP_SUCCESS}. */
export const IOSQE_CQE_SKIP_SUCCESS_BIT = 6;

/** `sqe.fd` is an index into the registered file table. Since 5.1. */
export const IOSQE_FIXED_FILE = 1 << 0;

/** Start only after all earlier SQEs have completed. Since 5.2. */
export const IOSQE_IO_DRAIN = 1 << 1;

/** Start the next SQE only after this one succeeds. Since 5.3. */
export const IOSQE_IO_LINK = 1 << 2;

/** Like IOSQE_IO_LINK, but the chain survives this SQE failing. Since 5.5. */
export const IOSQE_IO_HARDLINK = 1 << 3;

/** Skip the non-blocking attempt and issue from an async worker. Since 5.6. */
export const IOSQE_ASYNC = 1 << 4;

/** Pick a provided buffer from group `sqe.buf_group`. Since 5.7. */
export const IOSQE_BUFFER_SELECT = 1 << 5;

/** Post no CQE if the request succeeds. Since 5.17. */
export const IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

// io_uring_setup(2) flags (`io_uring_params.flags`)

/** Busy-poll for I/O completions instead of waiting for interrupts (O_DIRECT only). Since 5.1. */
export const IORING_SETUP_IOPOLL = 1 << 0;

/** A kernel thread polls the SQ, so submitting needs no syscall. Since 5.1. */
export const IORING_SETUP_SQPOLL = 1 << 1;

/** Pin the SQPOLL thread to CPU `sq_thread_cpu`. Since 5.1. */
export const IORING_SETUP_SQ_AFF = 1 << 2;

/** Size the CQ from `cq_entries` instead of twice the SQ. Since 5.5. */
export const IORING_SETUP_CQSIZE = 1 << 3;

/** Clamp too-large entry counts to the maximum instead of failing. Since 5.6. */
export const IORING_SETUP_CLAMP = 1 << 4;

/** Share the async worker pool of the ring whose fd is in `wq_fd`. Since 5.6. */
export const IORING_SETUP_ATTACH_WQ = 1 << 5;

/** Start disabled, until IORING_REGISTER_ENABLE_RINGS. Since 5.10. */
export const IORING_SETUP_R_DISABLED = 1 << 6;

/** Keep submitting the rest of a batch when one SQE fails early. Since 5.18. */
export const IORING_SETUP_SUBMIT_ALL = 1 << 7;

/** Run completion task work at the next kernel entry instead of interrupting the task. Since 5.19. */
export const IORING_SETUP_COOP_TASKRUN = 1 << 8;

/** Set IORING_SQ_TASKRUN while task work is pending (with COOP_TASKRUN or DEFER_TASKRUN). Since 5.19. */
export const IORING_SETUP_TASKRUN_FLAG = 1 << 9;

/** SQEs are 128 bytes (room for IORING_OP_URING_CMD payloads). Since 5.19. */
export const IORING_SETUP_SQE128 = 1 << 10;

/** CQEs are 32 bytes. Since 5.19. */
export const IORING_SETUP_CQE32 = 1 << 11;

/** Promise that only one task submits to this ring. Since 6.0. */
export const IORING_SETUP_SINGLE_ISSUER = 1 << 12;

/** Run completion task work only when the submitter waits for events (needs SINGLE_ISSUER). Since 6.1. */
export const IORING_SETUP_DEFER_TASKRUN = 1 << 13;

/** The application supplies the ring memory instead of mmapping the kernel's. Since 6.5. */
export const IORING_SETUP_NO_MMAP = 1 << 14;

/** Return a registered ring index instead of a file descriptor (needs NO_MMAP). Since 6.5. */
export const IORING_SETUP_REGISTERED_FD_ONLY = 1 << 15;

/** No SQ index array: the SQ head and tail index the SQEs directly. Since 6.6. */
export const IORING_SETUP_NO_SQARRAY = 1 << 16;

/** In IOPOLL mode, sleep for part of the expected I/O time before polling. Since 6.13. */
export const IORING_SETUP_HYBRID_IOPOLL = 1 << 17;

/** 16- and 32-byte CQEs share the CQ; IORING_CQE_F_32 marks the big ones. Since 6.18. */
export const IORING_SETUP_CQE_MIXED = 1 << 18;

/** 64- and 128-byte SQEs share the SQ; the 128-byte opcodes take two slots. Since 6.19. */
export const IORING_SETUP_SQE_MIXED = 1 << 19;

/** Ignore SQ head and tail and always fetch SQEs from index 0 (needs NO_SQARRAY). Since 7.0. */
export const IORING_SETUP_SQ_REWIND = 1 << 20;

// SQE opcodes (`sqe.opcode`, enum io_uring_op)

/** Opcode: Do nothing; completes with 0 (useful for testing and wake-ups). Since 5.1. */
export const IORING_OP_NOP = 0;

/** Opcode: preadv2(2). Since 5.1. */
export const IORING_OP_READV = 1;

/** Opcode: pwritev2(2). Since 5.1. */
export const IORING_OP_WRITEV = 2;

/** Opcode: fsync(2), or fdatasync(2) with IORING_FSYNC_DATASYNC. Since 5.1. */
export const IORING_OP_FSYNC = 3;

/** Opcode: Read into a registered buffer. Since 5.1. */
export const IORING_OP_READ_FIXED = 4;

/** Opcode: Write from a registered buffer. Since 5.1. */
export const IORING_OP_WRITE_FIXED = 5;

/** Opcode: Wait for poll(2) events on a file descriptor. Since 5.1. */
export const IORING_OP_POLL_ADD = 6;

/** Opcode: Cancel or update an IORING_OP_POLL_ADD request. Since 5.1. */
export const IORING_OP_POLL_REMOVE = 7;

/** Opcode: sync_file_range(2). Since 5.2. */
export const IORING_OP_SYNC_FILE_RANGE = 8;

/** Opcode: sendmsg(2). Since 5.3. */
export const IORING_OP_SENDMSG = 9;

/** Opcode: recvmsg(2). Since 5.3. */
export const IORING_OP_RECVMSG = 10;

/** Opcode: Complete after a time or after a number of other completions. Since 5.4. */
export const IORING_OP_TIMEOUT = 11;

/** Opcode: Cancel or update an IORING_OP_TIMEOUT request. Since 5.5. */
export const IORING_OP_TIMEOUT_REMOVE = 12;

/** Opcode: accept4(2). Since 5.5. */
export const IORING_OP_ACCEPT = 13;

/** Opcode: Cancel requests in flight. Since 5.5. */
export const IORING_OP_ASYNC_CANCEL = 14;

/** Opcode: Time limit for the SQE linked before it. Since 5.5. */
export const IORING_OP_LINK_TIMEOUT = 15;

/** Opcode: connect(2). Since 5.5. */
export const IORING_OP_CONNECT = 16;

/** Opcode: fallocate(2). Since 5.6. */
export const IORING_OP_FALLOCATE = 17;

/** Opcode: openat(2). Since 5.6. */
export const IORING_OP_OPENAT = 18;

/** Opcode: close(2), or release a registered file slot. Since 5.6. */
export const IORING_OP_CLOSE = 19;

/** Opcode: Update registered file slots from within the ring. Since 5.6. */
export const IORING_OP_FILES_UPDATE = 20;

/** Opcode: statx(2). Since 5.6. */
export const IORING_OP_STATX = 21;

/** Opcode: pread(2), or read(2) at the file position with offset -1. Since 5.6. */
export const IORING_OP_READ = 22;

/** Opcode: pwrite(2), or write(2) at the file position with offset -1. Since 5.6. */
export const IORING_OP_WRITE = 23;

/** Opcode: posix_fadvise(2). Since 5.6. */
export const IORING_OP_FADVISE = 24;

/** Opcode: madvise(2). Since 5.6. */
export const IORING_OP_MADVISE = 25;

/** Opcode: send(2). Since 5.6. */
export const IORING_OP_SEND = 26;

/** Opcode: recv(2). Since 5.6. */
export const IORING_OP_RECV = 27;

/** Opcode: openat2(2). Since 5.6. */
export const IORING_OP_OPENAT2 = 28;

/** Opcode: epoll_ctl(2). Since 5.6. */
export const IORING_OP_EPOLL_CTL = 29;

/** Opcode: splice(2). Since 5.7. */
export const IORING_OP_SPLICE = 30;

/** Opcode: Hand buffers to a buffer group for IOSQE_BUFFER_SELECT. Since 5.7. */
export const IORING_OP_PROVIDE_BUFFERS = 31;

/** Opcode: Take buffers back out of a buffer group. Since 5.7. */
export const IORING_OP_REMOVE_BUFFERS = 32;

/** Opcode: tee(2). Since 5.8. */
export const IORING_OP_TEE = 33;

/** Opcode: shutdown(2). Since 5.11. */
export const IORING_OP_SHUTDOWN = 34;

/** Opcode: renameat2(2). Since 5.11. */
export const IORING_OP_RENAMEAT = 35;

/** Opcode: unlinkat(2). Since 5.11. */
export const IORING_OP_UNLINKAT = 36;

/** Opcode: mkdirat(2). Since 5.15. */
export const IORING_OP_MKDIRAT = 37;

/** Opcode: symlinkat(2). Since 5.15. */
export const IORING_OP_SYMLINKAT = 38;

/** Opcode: linkat(2). Since 5.15. */
export const IORING_OP_LINKAT = 39;

/** Opcode: Post a CQE (or pass a registered file) to another ring. Since 5.18. */
export const IORING_OP_MSG_RING = 40;

/** Opcode: fsetxattr(2). Since 5.19. */
export const IORING_OP_FSETXATTR = 41;

/** Opcode: setxattr(2). Since 5.19. */
export const IORING_OP_SETXATTR = 42;

/** Opcode: fgetxattr(2). Since 5.19. */
export const IORING_OP_FGETXATTR = 43;

/** Opcode: getxattr(2). Since 5.19. */
export const IORING_OP_GETXATTR = 44;

/** Opcode: socket(2). Since 5.19. */
export const IORING_OP_SOCKET = 45;

/** Opcode: Pass a driver-specific command (e.g. NVMe passthrough, socket commands). Since 5.19. */
export const IORING_OP_URING_CMD = 46;

/** Opcode: Zero-copy send(2); a second, notification CQE says when the buffer is free. Since 6.0. */
export const IORING_OP_SEND_ZC = 47;

/** Opcode: Zero-copy sendmsg(2). Since 6.1. */
export const IORING_OP_SENDMSG_ZC = 48;

/** Opcode: Repeated reads into provided buffers, one CQE each. Since 6.7. */
export const IORING_OP_READ_MULTISHOT = 49;

/** Opcode: waitid(2). Since 6.7. */
export const IORING_OP_WAITID = 50;

/** Opcode: futex(2) FUTEX_WAIT_BITSET, futex2 flags. Since 6.7. */
export const IORING_OP_FUTEX_WAIT = 51;

/** Opcode: futex(2) FUTEX_WAKE_BITSET, futex2 flags. Since 6.7. */
export const IORING_OP_FUTEX_WAKE = 52;

/** Opcode: futex_waitv(2). Since 6.7. */
export const IORING_OP_FUTEX_WAITV = 53;

/** Opcode: Install a registered file as a normal file descriptor. Since 6.8. */
export const IORING_OP_FIXED_FD_INSTALL = 54;

/** Opcode: ftruncate(2). Since 6.9. */
export const IORING_OP_FTRUNCATE = 55;

/** Opcode: bind(2). Since 6.11. */
export const IORING_OP_BIND = 56;

/** Opcode: listen(2). Since 6.11. */
export const IORING_OP_LISTEN = 57;

/** Opcode: Zero-copy receive into a registered zcrx area. Since 6.15. */
export const IORING_OP_RECV_ZC = 58;

/** Opcode: epoll_wait(2). Since 6.15. */
export const IORING_OP_EPOLL_WAIT = 59;

/** Opcode: preadv2(2) with iovecs inside a registered buffer. Since 6.15. */
export const IORING_OP_READV_FIXED = 60;

/** Opcode: pwritev2(2) with iovecs inside a registered buffer. Since 6.15. */
export const IORING_OP_WRITEV_FIXED = 61;

/** Opcode: pipe2(2), optionally into registered file slots. Since 6.16. */
export const IORING_OP_PIPE = 62;

/** Opcode: IORING_OP_NOP in a 128-byte SQE (IORING_SETUP_SQE_MIXED). Since 6.19. */
export const IORING_OP_NOP128 = 63;

/** Opcode: IORING_OP_URING_CMD in a 128-byte SQE (IORING_SETUP_SQE_MIXED). Since 6.19. */
export const IORING_OP_URING_CMD128 = 64;

/** One past the highest opcode in this table (the kernel's value depends on its version). */
export const IORING_OP_LAST = 65;

// IORING_OP_URING_CMD flags (`sqe.uring_cmd_flags`)

/** The command uses the registered buffer `sqe.buf_index`. Since 6.1. */
export const IORING_URING_CMD_FIXED = 1 << 0;

/** All IORING_URING_CMD_* flags userspace may set. */
export const IORING_URING_CMD_MASK = 0x1;

// IORING_OP_FSYNC flags (`sqe.fsync_flags`)

/** fdatasync(2) instead of fsync(2). Since 5.1. */
export const IORING_FSYNC_DATASYNC = 1 << 0;

// IORING_OP_TIMEOUT / TIMEOUT_REMOVE / LINK_TIMEOUT flags (`sqe.timeout_flags`)

/** The timespec is an absolute time, not a relative one. Since 5.5. */
export const IORING_TIMEOUT_ABS = 1 << 0;

/** IORING_OP_TIMEOUT_REMOVE updates the timeout instead of cancelling it. Since 5.11. */
export const IORING_TIMEOUT_UPDATE = 1 << 1;

/** Measure with CLOCK_BOOTTIME instead of CLOCK_MONOTONIC. Since 5.15. */
export const IORING_TIMEOUT_BOOTTIME = 1 << 2;

/** Measure with CLOCK_REALTIME instead of CLOCK_MONOTONIC. Since 5.15. */
export const IORING_TIMEOUT_REALTIME = 1 << 3;

/** IORING_OP_TIMEOUT_REMOVE updates a linked timeout. Since 5.15. */
export const IORING_LINK_TIMEOUT_UPDATE = 1 << 4;

/** Expiry (-ETIME) counts as success, so links are not broken. Since 5.16. */
export const IORING_TIMEOUT_ETIME_SUCCESS = 1 << 5;

/** Fire repeatedly, `sqe.off` times (0 for no limit). Since 6.4. */
export const IORING_TIMEOUT_MULTISHOT = 1 << 6;

/** `sqe.addr` holds the timeout in nanoseconds instead of pointing to a timespec. Since 7.1. */
export const IORING_TIMEOUT_IMMEDIATE_ARG = 1 << 7;

/** IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME. Since 5.15. */
export const IORING_TIMEOUT_CLOCK_MASK = 0xc;

/** IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE. Since 5.15. */
export const IORING_TIMEOUT_UPDATE_MASK = 0x12;

// IORING_OP_SPLICE / TEE flags (`sqe.splice_flags`, beyond splice(2)'s own)

/** `sqe.splice_fd_in` is a registered file index. Since 5.7. */
export const SPLICE_F_FD_IN_FIXED = 0x80000000;

// IORING_OP_POLL_ADD / POLL_REMOVE flags (in `sqe.len`)

/** Multishot poll: keep posting CQEs (with IORING_CQE_F_MORE). Since 5.13. */
export const IORING_POLL_ADD_MULTI = 1 << 0;

/** IORING_OP_POLL_REMOVE updates the event mask of the poll. Since 5.13. */
export const IORING_POLL_UPDATE_EVENTS = 1 << 1;

/** IORING_OP_POLL_REMOVE updates the user_data of the poll. Since 5.13. */
export const IORING_POLL_UPDATE_USER_DATA = 1 << 2;

/** Level-triggered poll. Defined since 6.0, but POLL_ADD refuses it with EINVAL (through 6.18 at least). */
export const IORING_POLL_ADD_LEVEL = 1 << 3;

// IORING_OP_ASYNC_CANCEL flags (`sqe.cancel_flags`)

/** Cancel every matching request, not just the first. Since 5.19. */
export const IORING_ASYNC_CANCEL_ALL = 1 << 0;

/** Match on `sqe.fd` instead of user_data. Since 5.19. */
export const IORING_ASYNC_CANCEL_FD = 1 << 1;

/** Match any request. Since 5.19. */
export const IORING_ASYNC_CANCEL_ANY = 1 << 2;

/** The `sqe.fd` to match is a registered file index. Since 6.0. */
export const IORING_ASYNC_CANCEL_FD_FIXED = 1 << 3;

/** Match on user_data (the default when no other key is given). Since 6.6. */
export const IORING_ASYNC_CANCEL_USERDATA = 1 << 4;

/** Match on opcode (`sqe.len`). Since 6.6. */
export const IORING_ASYNC_CANCEL_OP = 1 << 5;

// Send and receive flags (`sqe.ioprio` of SEND/RECV/SENDMSG/RECVMSG and their _ZC forms)

/** Arm poll before trying the transfer, instead of after -EAGAIN. Since 5.19. */
export const IORING_RECVSEND_POLL_FIRST = 1 << 0;

/** Multishot receive into provided buffers (with IORING_CQE_F_MORE). Since 6.0. */
export const IORING_RECV_MULTISHOT = 1 << 1;

/** Use the registered buffer `sqe.buf_index`. Since 6.0. */
export const IORING_RECVSEND_FIXED_BUF = 1 << 2;

/** Zero-copy sends report in the notification CQE whether data was copied. Since 6.2. */
export const IORING_SEND_ZC_REPORT_USAGE = 1 << 3;

/** Send or receive several provided buffers at once. Since 6.10. */
export const IORING_RECVSEND_BUNDLE = 1 << 4;

/** IORING_OP_SEND[_ZC] takes an iovec array. Since 6.17. */
export const IORING_SEND_VECTORIZED = 1 << 5;

/** Notification `cqe.res` flag: the zero-copy send copied (some) data. Since 6.2. */
export const IORING_NOTIF_USAGE_ZC_COPIED = 0x80000000;

// IORING_OP_ACCEPT flags (`sqe.ioprio`)

/** Multishot accept (with IORING_CQE_F_MORE). Since 5.19. */
export const IORING_ACCEPT_MULTISHOT = 1 << 0;

/** Fail with -EAGAIN instead of waiting for a connection. Since 6.10. */
export const IORING_ACCEPT_DONTWAIT = 1 << 1;

/** Arm poll before trying to accept. Since 6.10. */
export const IORING_ACCEPT_POLL_FIRST = 1 << 2;

// IORING_OP_MSG_RING commands (`sqe.addr`) and flags (`sqe.msg_ring_flags`)

/** Command: post a CQE with res `sqe.len` and user_data `sqe.off` to the target ring. Since 5.18. */
export const IORING_MSG_DATA = 0;

/** Command: pass a registered file to the target ring. Since 6.0. */
export const IORING_MSG_SEND_FD = 1;

/** Post no CQE to the target ring (IORING_MSG_SEND_FD only). Since 6.0. */
export const IORING_MSG_RING_CQE_SKIP = 1 << 0;

/** Use `sqe.file_index` as the target CQE's flags. Since 6.3. */
export const IORING_MSG_RING_FLAGS_PASS = 1 << 1;

// IORING_OP_FIXED_FD_INSTALL flags (`sqe.install_fd_flags`)

/** Install the descriptor without O_CLOEXEC. Since 6.8. */
export const IORING_FIXED_FD_NO_CLOEXEC = 1 << 0;

// IORING_OP_NOP flags (`sqe.nop_flags`)

/** Complete with `sqe.len` as the result. Since 6.10. */
export const IORING_NOP_INJECT_RESULT = 1 << 0;

/** Look up `sqe.fd` as a real request would (kernel header only). */
export const IORING_NOP_FILE = 1 << 1;

/** Look up `sqe.fd` as a registered file (kernel header only). */
export const IORING_NOP_FIXED_FILE = 1 << 2;

/** Look up the registered buffer `sqe.buf_index` (kernel header only). */
export const IORING_NOP_FIXED_BUFFER = 1 << 3;

/** Complete through task work (kernel header only). */
export const IORING_NOP_TW = 1 << 4;

/** Post a 32-byte CQE carrying `sqe.off` and `sqe.addr`. Since 6.18. */
export const IORING_NOP_CQE32 = 1 << 5;

// CQE flags (`cqe.flags`)

/** The upper 16 bits of `cqe.flags` hold the provided buffer ID. Since 5.7. */
export const IORING_CQE_F_BUFFER = 1 << 0;

/** The multishot request will post more CQEs. Since 5.13. */
export const IORING_CQE_F_MORE = 1 << 1;

/** The socket had more data after this receive. Since 5.19. */
export const IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;

/** A zero-copy send notification, not the send's own completion. Since 6.0. */
export const IORING_CQE_F_NOTIF = 1 << 3;

/** The incrementally consumed buffer will be used for more completions. Since 6.12. */
export const IORING_CQE_F_BUF_MORE = 1 << 4;

/** Padding that fills a gap in the ring; ignore it. Since 6.18. */
export const IORING_CQE_F_SKIP = 1 << 5;

/** This CQE is 32 bytes (IORING_SETUP_CQE_MIXED). Since 6.18. */
export const IORING_CQE_F_32 = 1 << 15;

/** Shift of the buffer ID within `cqe.flags`. Since 5.7. */
export const IORING_CQE_BUFFER_SHIFT = 16;

/** Timestamp CQE flag: a hardware timestamp. Since 6.17. */
export const IORING_CQE_F_TSTAMP_HW = 1 << 16;

// mmap(2) offsets

/** mmap offset of the SQ ring. Since 5.1. */
export const IORING_OFF_SQ_RING = 0x0;

/** mmap offset of the CQ ring (unneeded with IORING_FEAT_SINGLE_MMAP). Since 5.1. */
export const IORING_OFF_CQ_RING = 0x8000000;

/** mmap offset of the SQE array. Since 5.1. */
export const IORING_OFF_SQES = 0x10000000;

/** mmap offset of kernel-allocated buffer rings (IOU_PBUF_RING_MMAP). Since 6.4. */
export const IORING_OFF_PBUF_RING = 0x80000000;

/** Shift of the buffer group ID within an IORING_OFF_PBUF_RING offset. Since 6.4. */
export const IORING_OFF_PBUF_SHIFT = 16;

/** Mask that selects the region from an mmap offset. Since 6.4. */
export const IORING_OFF_MMAP_MASK = 0xf8000000;

// SQ ring flags (`sq_ring.flags`)

/** The SQPOLL thread sleeps; wake it with IORING_ENTER_SQ_WAKEUP. Since 5.1. */
export const IORING_SQ_NEED_WAKEUP = 1 << 0;

/** The CQ overflowed; completions wait in the kernel. Since 5.8. */
export const IORING_SQ_CQ_OVERFLOW = 1 << 1;

/** Task work is pending; enter the kernel to run it. Since 5.19. */
export const IORING_SQ_TASKRUN = 1 << 2;

// CQ ring flags (`cq_ring.flags`)

/** Do not signal the registered eventfd. Since 5.8. */
export const IORING_CQ_EVENTFD_DISABLED = 1 << 0;

// io_uring_enter(2) flags

/** Wait for `min_complete` completions. Since 5.1. */
export const IORING_ENTER_GETEVENTS = 1 << 0;

/** Wake the SQPOLL thread. Since 5.1. */
export const IORING_ENTER_SQ_WAKEUP = 1 << 1;

/** Wait for SQ space to free up (SQPOLL). Since 5.10. */
export const IORING_ENTER_SQ_WAIT = 1 << 2;

/** The last argument is a struct io_uring_getevents_arg. Since 5.11. */
export const IORING_ENTER_EXT_ARG = 1 << 3;

/** The fd argument is a registered ring index. Since 5.18. */
export const IORING_ENTER_REGISTERED_RING = 1 << 4;

/** The wait timeout is absolute. Since 6.12. */
export const IORING_ENTER_ABS_TIMER = 1 << 5;

/** The wait argument is an offset into a registered wait region. Since 6.13. */
export const IORING_ENTER_EXT_ARG_REG = 1 << 6;

/** Do not count the wait as iowait. Since 6.15. */
export const IORING_ENTER_NO_IOWAIT = 1 << 7;

// Feature flags (`io_uring_params.features`, set by the kernel)

/** SQ and CQ rings share one mapping. Since 5.4. */
export const IORING_FEAT_SINGLE_MMAP = 1 << 0;

/** CQ overflow is buffered instead of dropping completions. Since 5.5. */
export const IORING_FEAT_NODROP = 1 << 1;

/** Submission data need only live until the submit call returns. Since 5.5. */
export const IORING_FEAT_SUBMIT_STABLE = 1 << 2;

/** Offset -1 reads and writes at the file position. Since 5.6. */
export const IORING_FEAT_RW_CUR_POS = 1 << 3;

/** Requests run with the submitting task's credentials. Since 5.6. */
export const IORING_FEAT_CUR_PERSONALITY = 1 << 4;

/** Internal polling replaces async workers for pollable files. Since 5.7. */
export const IORING_FEAT_FAST_POLL = 1 << 5;

/** Poll takes 32-bit event masks (`poll32_events`). Since 5.9. */
export const IORING_FEAT_POLL_32BITS = 1 << 6;

/** SQPOLL works with unregistered files. Since 5.11. */
export const IORING_FEAT_SQPOLL_NONFIXED = 1 << 7;

/** IORING_ENTER_EXT_ARG is supported. Since 5.11. */
export const IORING_FEAT_EXT_ARG = 1 << 8;

/** Async workers are threads of the submitting task. Since 5.12. */
export const IORING_FEAT_NATIVE_WORKERS = 1 << 9;

/** Registered files and buffers take tags. Since 5.13. */
export const IORING_FEAT_RSRC_TAGS = 1 << 10;

/** IOSQE_CQE_SKIP_SUCCESS is supported. Since 5.17. */
export const IORING_FEAT_CQE_SKIP = 1 << 11;

/** Files of linked SQEs are resolved when the SQE runs. Since 5.17. */
export const IORING_FEAT_LINKED_FILE = 1 << 12;

/** io_uring_register(2) takes a registered ring index. Since 6.3. */
export const IORING_FEAT_REG_REG_RING = 1 << 13;

/** IORING_RECVSEND_BUNDLE is supported. Since 6.10. */
export const IORING_FEAT_RECVSEND_BUNDLE = 1 << 14;

/** Waits take a minimum timeout (`min_wait_usec`). Since 6.12. */
export const IORING_FEAT_MIN_TIMEOUT = 1 << 15;

/** Reads and writes take attributes (`attr_ptr`, `attr_type_mask`). */
export const IORING_FEAT_RW_ATTR = 1 << 16;

/** IORING_ENTER_NO_IOWAIT is supported. Since 6.15. */
export const IORING_FEAT_NO_IOWAIT = 1 << 17;

// io_uring_register(2) opcodes and their arguments

/** io_uring_register(2) opcode: Register fixed buffers. Since 5.1. */
export const IORING_REGISTER_BUFFERS = 0;

/** io_uring_register(2) opcode: Unregister all fixed buffers. Since 5.1. */
export const IORING_UNREGISTER_BUFFERS = 1;

/** io_uring_register(2) opcode: Register fixed files. Since 5.1. */
export const IORING_REGISTER_FILES = 2;

/** io_uring_register(2) opcode: Unregister all fixed files. Since 5.1. */
export const IORING_UNREGISTER_FILES = 3;

/** io_uring_register(2) opcode: Signal an eventfd on completions. Since 5.2. */
export const IORING_REGISTER_EVENTFD = 4;

/** io_uring_register(2) opcode: Stop signalling the eventfd. Since 5.2. */
export const IORING_UNREGISTER_EVENTFD = 5;

/** io_uring_register(2) opcode: Replace registered file slots. Since 5.5. */
export const IORING_REGISTER_FILES_UPDATE = 6;

/** io_uring_register(2) opcode: Signal an eventfd only for completions that went async. Since 5.6. */
export const IORING_REGISTER_EVENTFD_ASYNC = 7;

/** io_uring_register(2) opcode: Ask which opcodes the kernel supports. Since 5.6. */
export const IORING_REGISTER_PROBE = 8;

/** io_uring_register(2) opcode: Register the current credentials; returns a personality ID. Since 5.6. */
export const IORING_REGISTER_PERSONALITY = 9;

/** io_uring_register(2) opcode: Forget a personality ID. Since 5.6. */
export const IORING_UNREGISTER_PERSONALITY = 10;

/** io_uring_register(2) opcode: Restrict the opcodes and flags a disabled ring will accept. Since 5.10. */
export const IORING_REGISTER_RESTRICTIONS = 11;

/** io_uring_register(2) opcode: Enable a ring created with IORING_SETUP_R_DISABLED. Since 5.10. */
export const IORING_REGISTER_ENABLE_RINGS = 12;

/** io_uring_register(2) opcode: Register fixed files, with tags or sparse. Since 5.13. */
export const IORING_REGISTER_FILES2 = 13;

/** io_uring_register(2) opcode: Replace registered file slots, with tags. Since 5.13. */
export const IORING_REGISTER_FILES_UPDATE2 = 14;

/** io_uring_register(2) opcode: Register fixed buffers, with tags or sparse. Since 5.13. */
export const IORING_REGISTER_BUFFERS2 = 15;

/** io_uring_register(2) opcode: Replace registered buffer slots, with tags. Since 5.13. */
export const IORING_REGISTER_BUFFERS_UPDATE = 16;

/** io_uring_register(2) opcode: Set the CPU affinity of the async workers. Since 5.14. */
export const IORING_REGISTER_IOWQ_AFF = 17;

/** io_uring_register(2) opcode: Reset the CPU affinity of the async workers. Since 5.14. */
export const IORING_UNREGISTER_IOWQ_AFF = 18;

/** io_uring_register(2) opcode: Get and set the bounded and unbounded worker limits. Since 5.15. */
export const IORING_REGISTER_IOWQ_MAX_WORKERS = 19;

/** io_uring_register(2) opcode: Register ring fds for IORING_ENTER_REGISTERED_RING. Since 5.18. */
export const IORING_REGISTER_RING_FDS = 20;

/** io_uring_register(2) opcode: Unregister ring fds. Since 5.18. */
export const IORING_UNREGISTER_RING_FDS = 21;

/** io_uring_register(2) opcode: Register a provided-buffer ring. Since 5.19. */
export const IORING_REGISTER_PBUF_RING = 22;

/** io_uring_register(2) opcode: Unregister a provided-buffer ring. Since 5.19. */
export const IORING_UNREGISTER_PBUF_RING = 23;

/** io_uring_register(2) opcode: Cancel requests synchronously. Since 6.0. */
export const IORING_REGISTER_SYNC_CANCEL = 24;

/** io_uring_register(2) opcode: Limit the slots used for automatic file-slot allocation. Since 6.0. */
export const IORING_REGISTER_FILE_ALLOC_RANGE = 25;

/** io_uring_register(2) opcode: Read the kernel head of a provided-buffer ring. Since 6.8. */
export const IORING_REGISTER_PBUF_STATUS = 26;

/** io_uring_register(2) opcode: Enable NAPI busy polling. Since 6.9. */
export const IORING_REGISTER_NAPI = 27;

/** io_uring_register(2) opcode: Disable NAPI busy polling. Since 6.9. */
export const IORING_UNREGISTER_NAPI = 28;

/** io_uring_register(2) opcode: Choose the clock for wait timeouts. Since 6.12. */
export const IORING_REGISTER_CLOCK = 29;

/** io_uring_register(2) opcode: Copy registered buffers from another ring. Since 6.12. */
export const IORING_REGISTER_CLONE_BUFFERS = 30;

/** io_uring_register(2) opcode: Send an IORING_OP_MSG_RING message without a source ring. Since 6.13. */
export const IORING_REGISTER_SEND_MSG_RING = 31;

/** io_uring_register(2) opcode: Register a NIC receive queue for zero-copy receive. Since 6.15. */
export const IORING_REGISTER_ZCRX_IFQ = 32;

/** io_uring_register(2) opcode: Resize the SQ and CQ rings. Since 6.13. */
export const IORING_REGISTER_RESIZE_RINGS = 33;

/** io_uring_register(2) opcode: Register a memory region (e.g. for registered wait arguments). Since 6.13. */
export const IORING_REGISTER_MEM_REGION = 34;

/** io_uring_register(2) opcode: Query io_uring capabilities. Since 6.18. */
export const IORING_REGISTER_QUERY = 35;

/** io_uring_register(2) opcode: Auxiliary zero-copy receive control. */
export const IORING_REGISTER_ZCRX_CTRL = 36;

/** io_uring_register(2) opcode: Register BPF filters for requests. */
export const IORING_REGISTER_BPF_FILTER = 37;

/** One past the highest register opcode in this table (the kernel's value depends on its version). */
export const IORING_REGISTER_LAST = 38;

/** OR into the opcode when the fd argument is a registered ring index. Since 6.3. */
export const IORING_REGISTER_USE_REGISTERED_RING = 0x80000000;

/** File-update value that leaves the slot unchanged. Since 5.12. */
export const IORING_REGISTER_FILES_SKIP: number = -2;

/** Register an empty table of the given size instead of passing entries. Since 5.19. */
export const IORING_RSRC_REGISTER_SPARSE = 1 << 0;

/** IORING_REGISTER_CLONE_BUFFERS: the source fd is a registered ring index. Since 6.12. */
export const IORING_REGISTER_SRC_REGISTERED = 1 << 0;

/** IORING_REGISTER_CLONE_BUFFERS: replace buffers already in the destination. Since 6.13. */
export const IORING_REGISTER_DST_REPLACE = 1 << 1;

/** IORING_REGISTER_IOWQ_MAX_WORKERS index of the bounded (disk I/O) workers. Since 5.15. */
export const IO_WQ_BOUND = 0;

/** IORING_REGISTER_IOWQ_MAX_WORKERS index of the unbounded (e.g. socket) workers. Since 5.15. */
export const IO_WQ_UNBOUND = 1;

/** `io_uring_probe_op.flags`: the opcode is supported. Since 5.6. */
export const IO_URING_OP_SUPPORTED = 1 << 0;

/** `sqe.file_index` value asking the kernel to pick a free registered file slot. Since 5.19. */
export const IORING_FILE_INDEX_ALLOC = 0xffffffff;

// Restriction kinds (`io_uring_restriction.opcode`)

/** Allow an io_uring_register(2) opcode. Since 5.10. */
export const IORING_RESTRICTION_REGISTER_OP = 0;

/** Allow an SQE opcode. Since 5.10. */
export const IORING_RESTRICTION_SQE_OP = 1;

/** Allow these SQE flags. Since 5.10. */
export const IORING_RESTRICTION_SQE_FLAGS_ALLOWED = 2;

/** Require these SQE flags on every SQE. Since 5.10. */
export const IORING_RESTRICTION_SQE_FLAGS_REQUIRED = 3;

/** One past the highest restriction kind. Since 5.10. */
export const IORING_RESTRICTION_LAST = 4;

// Provided-buffer ring flags (`io_uring_buf_reg.flags`)

/** The kernel allocates the ring; mmap it at IORING_OFF_PBUF_RING. Since 6.4. */
export const IOU_PBUF_RING_MMAP = 1;

/** Buffers are consumed incrementally (see IORING_CQE_F_BUF_MORE). Since 6.12. */
export const IOU_PBUF_RING_INC = 2;

// Memory regions and registered waits

/** `io_uring_region_desc.flags`: the region is user memory at `user_addr`. Since 6.13. */
export const IORING_MEM_REGION_TYPE_USER = 1;

/** `io_uring_mem_region_reg.flags`: expose the region as registered wait arguments. Since 6.13. */
export const IORING_MEM_REGION_REG_WAIT_ARG = 1;

/** `io_uring_reg_wait.flags`: the `ts` field holds a timeout. Since 6.13. */
export const IORING_REG_WAIT_TS = 1 << 0;

// Read/write attributes (`sqe.attr_type_mask`)

/** `sqe.attr_ptr` points to a struct io_uring_attr_pi (integrity data). Since 6.14. */
export const IORING_RW_ATTR_FLAG_PI = 1 << 0;

// Socket commands (`sqe.cmd_op` of IORING_OP_URING_CMD on a socket)

/** Bytes unread in the receive queue (ioctl SIOCINQ). */
export const SOCKET_URING_OP_SIOCINQ = 0;

/** Bytes unsent in the send queue (ioctl SIOCOUTQ). */
export const SOCKET_URING_OP_SIOCOUTQ = 1;

/** getsockopt(2). Since 6.7. */
export const SOCKET_URING_OP_GETSOCKOPT = 2;

/** setsockopt(2). Since 6.7. */
export const SOCKET_URING_OP_SETSOCKOPT = 3;

/** Collect transmit timestamps as CQEs. Since 6.17. */
export const SOCKET_URING_OP_TX_TIMESTAMP = 4;

/** getsockname(2), or getpeername(2) with `sqe.optlen` = 1. Since 6.19. */
export const SOCKET_URING_OP_GETSOCKNAME = 5;

/** Bit of `cqe.flags` that marks a hardware timestamp (IORING_CQE_F_TSTAMP_HW). Since 6.17. */
export const IORING_TIMESTAMP_HW_SHIFT = 16;

/** Shift of the timestamp type (SCM_TSTAMP_*) within `cqe.flags`. Since 6.17. */
export const IORING_TIMESTAMP_TYPE_SHIFT = 17;

// Zero-copy receive (zcrx)

/** Shift of the area ID within a zcrx buffer offset. Since 6.15. */
export const IORING_ZCRX_AREA_SHIFT = 48;

/** `io_uring_zcrx_area_reg.flags`: the area is a dma-buf (`dmabuf_fd`). Since 6.16. */
export const IORING_ZCRX_AREA_DMABUF = 1;

/** `io_uring_zcrx_ifq_reg.flags`: import a zcrx instance from another ring. */
export const ZCRX_REG_IMPORT = 1;

/** `io_uring_zcrx_ifq_reg.flags`: no network device; all data is copied. */
export const ZCRX_REG_NODEV = 2;

/** zcrx feature: `rx_buf_len` picks the receive page size. */
export const ZCRX_FEATURE_RX_PAGE_SIZE = 1 << 0;

/** IORING_REGISTER_ZCRX_CTRL operation: flush the refill queue. */
export const ZCRX_CTRL_FLUSH_RQ = 0;

/** IORING_REGISTER_ZCRX_CTRL operation: export the instance as a file descriptor. */
export const ZCRX_CTRL_EXPORT = 1;

// Kernel-internal limits (not in the uapi header)

/** Largest SQ size io_uring_setup(2) accepts (larger fails with EINVAL unless IORING_SETUP_CLAMP). */
export const IORING_MAX_ENTRIES = 32768;

/** Largest CQ size io_uring_setup(2) accepts (twice IORING_MAX_ENTRIES). */
export const IORING_MAX_CQ_ENTRIES = 65536;

// Flags of the system calls that io_uring operations mirror (<fcntl.h>, <linux/stat.h>).
// A few `O_*` values differ between x86_64 and aarch64.

const ARM64 = process.arch === "arm64";

/** openat(2) dirfd meaning the current working directory. */
export const AT_FDCWD: number = -100;
/** Do not follow a final symlink (statx, linkat, ...). */
export const AT_SYMLINK_NOFOLLOW = 0x100;
/** unlinkat(2): remove a directory. */
export const AT_REMOVEDIR = 0x200;
/** linkat(2): follow a final symlink. */
export const AT_SYMLINK_FOLLOW = 0x400;
/** An empty path names `dirfd` itself (statx, linkat, ...). */
export const AT_EMPTY_PATH = 0x1000;
/** Open for reading only. */
export const O_RDONLY = 0o0;
/** Open for writing only. */
export const O_WRONLY = 0o1;
/** Open for reading and writing. */
export const O_RDWR = 0o2;
/** Create the file if it does not exist. */
export const O_CREAT = 0o100;
/** With O_CREAT: fail if the file exists. */
export const O_EXCL = 0o200;
/** Do not make a terminal the controlling one. */
export const O_NOCTTY = 0o400;
/** Truncate an existing regular file to length 0. */
export const O_TRUNC = 0o1000;
/** Every write appends. */
export const O_APPEND = 0o2000;
/** Non-blocking file descriptor. */
export const O_NONBLOCK = 0o4000;
/** Writes complete as for fdatasync(2). */
export const O_DSYNC = 0o10000;
/** Writes complete as for fsync(2). */
export const O_SYNC = 0o4010000;
/** Bypass the page cache (needs aligned buffers, offsets and lengths). */
export const O_DIRECT = ARM64 ? 0o200000 : 0o40000;
/** Fail unless the path is a directory. */
export const O_DIRECTORY = ARM64 ? 0o40000 : 0o200000;
/** Fail if the final component is a symlink. */
export const O_NOFOLLOW = ARM64 ? 0o100000 : 0o400000;
/** Do not update the access time. */
export const O_NOATIME = 0o1000000;
/** Close on exec (always added by this library's openat). */
export const O_CLOEXEC = 0o2000000;
/** A descriptor for the path only, not its contents. */
export const O_PATH = 0o10000000;
/** fcntl(2): set a pipe's capacity in bytes (at most /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE). */
export const F_SETPIPE_SZ = 1031;
/** fcntl(2): a pipe's capacity in bytes. */
export const F_GETPIPE_SZ = 1032;
/** getrlimit(2)/setrlimit(2): the most descriptors a process may hold open (<sys/resource.h>). */
export const RLIMIT_NOFILE = 7;
/** An unnamed temporary file in the directory given. */
export const O_TMPFILE = 0o20000000 | O_DIRECTORY;
/** statx mask: the basic stat(2) fields. */
export const STATX_BASIC_STATS = 0x7ff;
/** statx mask: birth time. */
export const STATX_BTIME = 0x800;
/** statx mask: all the fields this kernel knows. */
export const STATX_ALL = 0xfff;

// Flags of the file, memory, process and futex system calls that io_uring operations mirror
// (<linux/fs.h>, <linux/falloc.h>, <linux/fadvise.h>, <asm-generic/mman-common.h>, <linux/xattr.h>,
// <linux/eventpoll.h>, <asm-generic/poll.h>, <linux/futex.h>, <linux/wait.h>, <linux/openat2.h>,
// <fcntl.h>). These agree between x86_64 and aarch64.

/** renameat2(2): fail with EEXIST instead of replacing an existing target. */
export const RENAME_NOREPLACE = 1 << 0;
/** renameat2(2): atomically exchange the two paths (both must exist). */
export const RENAME_EXCHANGE = 1 << 1;
/** renameat2(2): leave a whiteout at the source (overlay filesystems). */
export const RENAME_WHITEOUT = 1 << 2;
/** fallocate(2): allocate without changing the file size. */
export const FALLOC_FL_KEEP_SIZE = 0x01;
/** fallocate(2): deallocate the range (with FALLOC_FL_KEEP_SIZE); it reads as zeros. */
export const FALLOC_FL_PUNCH_HOLE = 0x02;
/** fallocate(2): reserved code point. */
export const FALLOC_FL_NO_HIDE_STALE = 0x04;
/** fallocate(2): remove the range and shift the rest of the file down. */
export const FALLOC_FL_COLLAPSE_RANGE = 0x08;
/** fallocate(2): zero the range, allocating it. */
export const FALLOC_FL_ZERO_RANGE = 0x10;
/** fallocate(2): insert a hole at the offset, shifting the rest of the file up. */
export const FALLOC_FL_INSERT_RANGE = 0x20;
/** fallocate(2): unshare shared (reflinked) blocks in the range. */
export const FALLOC_FL_UNSHARE_RANGE = 0x40;
/** fallocate(2): zero the range with the device's write-zeroes command. Since 6.17. */
export const FALLOC_FL_WRITE_ZEROES = 0x80;
/** posix_fadvise(2): no special treatment. */
export const POSIX_FADV_NORMAL = 0;
/** posix_fadvise(2): expect random access. */
export const POSIX_FADV_RANDOM = 1;
/** posix_fadvise(2): expect sequential access. */
export const POSIX_FADV_SEQUENTIAL = 2;
/** posix_fadvise(2): the range will be needed soon (start readahead). */
export const POSIX_FADV_WILLNEED = 3;
/** posix_fadvise(2): the range will not be needed soon (drop it from the page cache). */
export const POSIX_FADV_DONTNEED = 4;
/** posix_fadvise(2): the range will be accessed once. */
export const POSIX_FADV_NOREUSE = 5;
/** madvise(2): no special treatment. */
export const MADV_NORMAL = 0;
/** madvise(2): expect random access. */
export const MADV_RANDOM = 1;
/** madvise(2): expect sequential access. */
export const MADV_SEQUENTIAL = 2;
/** madvise(2): the pages will be needed soon. */
export const MADV_WILLNEED = 3;
/** madvise(2): drop the pages; private anonymous memory then reads as zeros. */
export const MADV_DONTNEED = 4;
/** madvise(2): the pages may be freed lazily under memory pressure. */
export const MADV_FREE = 8;
/** madvise(2): free the pages and their backing store. */
export const MADV_REMOVE = 9;
/** madvise(2): do not map the pages into a child after fork. */
export const MADV_DONTFORK = 10;
/** madvise(2): undo MADV_DONTFORK. */
export const MADV_DOFORK = 11;
/** madvise(2): let KSM merge identical pages. */
export const MADV_MERGEABLE = 12;
/** madvise(2): undo MADV_MERGEABLE. */
export const MADV_UNMERGEABLE = 13;
/** madvise(2): back the range with transparent huge pages. */
export const MADV_HUGEPAGE = 14;
/** madvise(2): do not back the range with transparent huge pages. */
export const MADV_NOHUGEPAGE = 15;
/** madvise(2): leave the pages out of core dumps. */
export const MADV_DONTDUMP = 16;
/** madvise(2): undo MADV_DONTDUMP. */
export const MADV_DODUMP = 17;
/** madvise(2): a child sees the range zeroed after fork. */
export const MADV_WIPEONFORK = 18;
/** madvise(2): undo MADV_WIPEONFORK. */
export const MADV_KEEPONFORK = 19;
/** madvise(2): deactivate the pages (reclaim them first). */
export const MADV_COLD = 20;
/** madvise(2): reclaim the pages now. */
export const MADV_PAGEOUT = 21;
/** madvise(2): prefault the page tables readable. */
export const MADV_POPULATE_READ = 22;
/** madvise(2): prefault the page tables writable. */
export const MADV_POPULATE_WRITE = 23;
/** madvise(2): like MADV_DONTNEED, locked pages included. */
export const MADV_DONTNEED_LOCKED = 24;
/** madvise(2): collapse the range into transparent huge pages now. */
export const MADV_COLLAPSE = 25;
/** setxattr(2): fail with EEXIST if the attribute exists. */
export const XATTR_CREATE = 0x1;
/** setxattr(2): fail with ENODATA if the attribute does not exist. */
export const XATTR_REPLACE = 0x2;
/** sync_file_range(2): wait for writeback already under way in the range first. */
export const SYNC_FILE_RANGE_WAIT_BEFORE = 1;
/** sync_file_range(2): start writeback of the range's dirty pages. */
export const SYNC_FILE_RANGE_WRITE = 2;
/** sync_file_range(2): wait for the writeback to finish. */
export const SYNC_FILE_RANGE_WAIT_AFTER = 4;
/** sync_file_range(2): WAIT_BEFORE | WRITE | WAIT_AFTER. */
export const SYNC_FILE_RANGE_WRITE_AND_WAIT = 7;
/** epoll_ctl(2): add a file descriptor to the interest list. */
export const EPOLL_CTL_ADD = 1;
/** epoll_ctl(2): remove a file descriptor from the interest list. */
export const EPOLL_CTL_DEL = 2;
/** epoll_ctl(2): change the events of a registered file descriptor. */
export const EPOLL_CTL_MOD = 3;
/** epoll event: readable. */
export const EPOLLIN = 0x001;
/** epoll event: exceptional condition (out-of-band data). */
export const EPOLLPRI = 0x002;
/** epoll event: writable. */
export const EPOLLOUT = 0x004;
/** epoll event: error (always reported). */
export const EPOLLERR = 0x008;
/** epoll event: hang-up (always reported). */
export const EPOLLHUP = 0x010;
/** epoll event: invalid request. */
export const EPOLLNVAL = 0x020;
/** epoll event: normal data readable. */
export const EPOLLRDNORM = 0x040;
/** epoll event: priority band data readable. */
export const EPOLLRDBAND = 0x080;
/** epoll event: normal data writable. */
export const EPOLLWRNORM = 0x100;
/** epoll event: priority data writable. */
export const EPOLLWRBAND = 0x200;
/** epoll event: message available (unused on Linux). */
export const EPOLLMSG = 0x400;
/** epoll event: the peer shut down writing. */
export const EPOLLRDHUP = 0x2000;
/** epoll flag: wake only one of the epoll instances waiting on the file. */
export const EPOLLEXCLUSIVE = 1 << 28;
/** epoll flag: hold a wakeup source while the event is pending. */
export const EPOLLWAKEUP = 1 << 29;
/** epoll flag: report the event once, then disable the file descriptor. */
export const EPOLLONESHOT = 1 << 30;
/** epoll flag: edge-triggered. */
export const EPOLLET = 0x80000000;
/** poll(2) event: readable. */
export const POLLIN = 0x0001;
/** poll(2) event: exceptional condition. */
export const POLLPRI = 0x0002;
/** poll(2) event: writable. */
export const POLLOUT = 0x0004;
/** poll(2) event: error (always reported). */
export const POLLERR = 0x0008;
/** poll(2) event: hang-up (always reported). */
export const POLLHUP = 0x0010;
/** poll(2) event: the file descriptor is not open. */
export const POLLNVAL = 0x0020;
/** poll(2) event: the peer shut down writing. */
export const POLLRDHUP = 0x2000;
/** futex2 flag: an 8-bit futex word. Since 6.7. */
export const FUTEX2_SIZE_U8 = 0x00;
/** futex2 flag: a 16-bit futex word. Since 6.7. */
export const FUTEX2_SIZE_U16 = 0x01;
/** futex2 flag: a 32-bit futex word (the only size io_uring accepts so far). Since 6.7. */
export const FUTEX2_SIZE_U32 = 0x02;
/** futex2 flag: a 64-bit futex word. Since 6.7. */
export const FUTEX2_SIZE_U64 = 0x03;
/** futex2 flag: the word is followed by a NUMA node word. Since 6.16. */
export const FUTEX2_NUMA = 0x04;
/** futex2 flag: place the futex by the memory policy of the address. Since 6.16. */
export const FUTEX2_MPOL = 0x08;
/** futex2 flag: the futex is private to this process (FUTEX_PRIVATE_FLAG). Since 6.7. */
export const FUTEX2_PRIVATE = 128;
/** futex2 flags: the mask of the size field. Since 6.7. */
export const FUTEX2_SIZE_MASK = 0x03;
/** futex bitset that matches every waiter or waker. */
export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;
/** The most entries futex_waitv(2) and IORING_OP_FUTEX_WAITV take. */
export const FUTEX_WAITV_MAX = 128;
/** waitid(2) idtype: any child. */
export const P_ALL = 0;
/** waitid(2) idtype: the child whose process ID is `id`. */
export const P_PID = 1;
/** waitid(2) idtype: any child in process group `id`. */
export const P_PGID = 2;
/** waitid(2) idtype: the child the pidfd `id` refers to. Since 5.4. */
export const P_PIDFD = 3;
/** waitid(2) option: return at once if no child has changed state. */
export const WNOHANG = 0x00000001;
/** waitid(2) option: report children stopped by a signal. */
export const WSTOPPED = 0x00000002;
/** waitid(2) option: report children that exited. */
export const WEXITED = 0x00000004;
/** waitid(2) option: report stopped children resumed by SIGCONT. */
export const WCONTINUED = 0x00000008;
/** waitid(2) option: leave the child waitable (do not reap it). */
export const WNOWAIT = 0x01000000;
/** `si_code` of a waitid(2) result: the child exited. */
export const CLD_EXITED = 1;
/** `si_code` of a waitid(2) result: the child was killed by a signal. */
export const CLD_KILLED = 2;
/** `si_code` of a waitid(2) result: the child was killed and dumped core. */
export const CLD_DUMPED = 3;
/** `si_code` of a waitid(2) result: the traced child has trapped. */
export const CLD_TRAPPED = 4;
/** `si_code` of a waitid(2) result: the child was stopped by a signal. */
export const CLD_STOPPED = 5;
/** `si_code` of a waitid(2) result: the stopped child was continued. */
export const CLD_CONTINUED = 6;
/** openat2(2) resolve flag: do not cross mount points. Since 5.6. */
export const RESOLVE_NO_XDEV = 0x01;
/** openat2(2) resolve flag: do not follow /proc magic links. Since 5.6. */
export const RESOLVE_NO_MAGICLINKS = 0x02;
/** openat2(2) resolve flag: do not follow any symlink. Since 5.6. */
export const RESOLVE_NO_SYMLINKS = 0x04;
/** openat2(2) resolve flag: fail (EXDEV) if the path escapes the dirfd. Since 5.6. */
export const RESOLVE_BENEATH = 0x08;
/** openat2(2) resolve flag: resolve as if the dirfd were the root. Since 5.6. */
export const RESOLVE_IN_ROOT = 0x10;
/** openat2(2) resolve flag: only succeed from the dentry cache (else EAGAIN). Since 5.12. */
export const RESOLVE_CACHED = 0x20;
/** splice(2)/tee(2): move pages instead of copying (a hint). */
export const SPLICE_F_MOVE = 1;
/** splice(2)/tee(2): do not block on the pipes. */
export const SPLICE_F_NONBLOCK = 2;
/** splice(2)/tee(2): more data will follow. */
export const SPLICE_F_MORE = 4;
/** vmsplice(2): the pages are a gift to the kernel. */
export const SPLICE_F_GIFT = 8;

// Socket-level flags of the system calls that the network ops mirror (<sys/socket.h>,
// <netinet/in.h>, <netinet/tcp.h>). The same on x86_64 and aarch64 (asm-generic/socket.h).

// Address families (socket(2) `domain`)

/** Unspecified address family. */
export const AF_UNSPEC = 0;
/** Local (Unix domain) sockets: `struct sockaddr_un`. */
export const AF_UNIX = 1;
/** IPv4: `struct sockaddr_in`. */
export const AF_INET = 2;
/** IPv6: `struct sockaddr_in6`. */
export const AF_INET6 = 10;

// Socket types (socket(2) `type`, ORed with SOCK_NONBLOCK / SOCK_CLOEXEC)

/** Reliable byte stream (TCP, Unix stream). */
export const SOCK_STREAM = 1;
/** Datagrams (UDP, Unix datagram). */
export const SOCK_DGRAM = 2;
/** Raw protocol access. */
export const SOCK_RAW = 3;
/** Reliable, ordered datagrams with record boundaries. */
export const SOCK_SEQPACKET = 5;
/** Type flag: the new socket is non-blocking (O_NONBLOCK). */
export const SOCK_NONBLOCK = 0o4000;
/** Type flag: the new socket is closed on exec (O_CLOEXEC). */
export const SOCK_CLOEXEC = 0o2000000;

// Protocols (socket(2) `protocol`, setsockopt(2) `level`)

/** The default protocol of the type; also the IPv4 option level. */
export const IPPROTO_IP = 0;
/** TCP; also its setsockopt(2) level. */
export const IPPROTO_TCP = 6;
/** UDP; also its setsockopt(2) level. */
export const IPPROTO_UDP = 17;
/** The IPv6 option level. */
export const IPPROTO_IPV6 = 41;

// Socket options (level SOL_SOCKET)

/** setsockopt(2) level of the options common to every socket. */
export const SOL_SOCKET = 1;
/** Enable socket debugging. */
export const SO_DEBUG = 1;
/** Allow bind(2) to reuse a local address in TIME_WAIT. */
export const SO_REUSEADDR = 2;
/** The socket type (read-only). */
export const SO_TYPE = 3;
/** Read and clear the pending socket error (read-only). */
export const SO_ERROR = 4;
/** Send only to directly connected hosts. */
export const SO_DONTROUTE = 5;
/** Allow datagrams to broadcast addresses. */
export const SO_BROADCAST = 6;
/** Send buffer size in bytes. */
export const SO_SNDBUF = 7;
/** Receive buffer size in bytes. */
export const SO_RCVBUF = 8;
/** Send keep-alive probes on connection-oriented sockets. */
export const SO_KEEPALIVE = 9;
/** Receive out-of-band data inline. */
export const SO_OOBINLINE = 10;
/** The protocol-defined priority of sent packets. */
export const SO_PRIORITY = 12;
/** Linger on close while data is unsent (`struct linger`). */
export const SO_LINGER = 13;
/** Allow several sockets to bind the same address and port. */
export const SO_REUSEPORT = 15;
/** Receive SCM_CREDENTIALS control messages (Unix sockets). */
export const SO_PASSCRED = 16;
/** The peer's credentials, `struct ucred` (Unix sockets, read-only). */
export const SO_PEERCRED = 17;
/** Minimum bytes before a receive returns. */
export const SO_RCVLOWAT = 18;
/** Minimum bytes before a send proceeds. */
export const SO_SNDLOWAT = 19;
/** Whether the socket is listening (read-only). */
export const SO_ACCEPTCONN = 30;
/** The socket's protocol (read-only). */
export const SO_PROTOCOL = 38;
/** The socket's address family (read-only). */
export const SO_DOMAIN = 39;
/** Allow MSG_ZEROCOPY sends. */
export const SO_ZEROCOPY = 60;

// TCP options (level IPPROTO_TCP)

/** Send segments at once instead of coalescing them (disable Nagle). */
export const TCP_NODELAY = 1;
/** Maximum segment size. */
export const TCP_MAXSEG = 2;
/** Hold partial segments until uncorked. */
export const TCP_CORK = 3;
/** Idle seconds before keep-alive probes start. */
export const TCP_KEEPIDLE = 4;
/** Seconds between keep-alive probes. */
export const TCP_KEEPINTVL = 5;
/** Unanswered keep-alive probes before the connection drops. */
export const TCP_KEEPCNT = 6;

// IPv6 options (level IPPROTO_IPV6)

/** Restrict an AF_INET6 socket to IPv6 (no IPv4-mapped addresses). */
export const IPV6_V6ONLY = 26;

// send(2)/recv(2) flags (`msg_flags`)

/** Out-of-band data. */
export const MSG_OOB = 0x1;
/** Receive without removing the data from the queue. */
export const MSG_PEEK = 0x2;
/** Send only to directly connected hosts. */
export const MSG_DONTROUTE = 0x4;
/** recvmsg(2) out: control data was truncated. */
export const MSG_CTRUNC = 0x8;
/** recvmsg(2) out: the datagram was truncated; as a recv(2) flag, return its real length. */
export const MSG_TRUNC = 0x20;
/** Do not block (fail with EAGAIN instead). */
export const MSG_DONTWAIT = 0x40;
/** End of record (SOCK_SEQPACKET). */
export const MSG_EOR = 0x80;
/** Wait for the whole request (receive all bytes, or with io_uring: retry short sends/receives). */
export const MSG_WAITALL = 0x100;
/** Confirm the path is valid (skip ARP probing). */
export const MSG_CONFIRM = 0x800;
/** Receive queued errors from the error queue. */
export const MSG_ERRQUEUE = 0x2000;
/** Do not raise SIGPIPE on a broken stream (EPIPE is still returned). */
export const MSG_NOSIGNAL = 0x4000;
/** More data follows: hold the segment. */
export const MSG_MORE = 0x8000;
/** Send the data with zero copy (needs SO_ZEROCOPY; not for io_uring's SEND_ZC). */
export const MSG_ZEROCOPY = 0x4000000;
/** Send data in the SYN of a TCP Fast Open connect. */
export const MSG_FASTOPEN = 0x20000000;
/** Set close-on-exec on fds received with SCM_RIGHTS. */
export const MSG_CMSG_CLOEXEC = 0x40000000;

// shutdown(2) `how`

/** Shut down the receiving side. */
export const SHUT_RD = 0;
/** Shut down the sending side: the peer reads end of file. */
export const SHUT_WR = 1;
/** Shut down both sides. */
export const SHUT_RDWR = 2;

// Control messages

/** Control message type: pass file descriptors (level SOL_SOCKET, Unix sockets). */
export const SCM_RIGHTS = 1;
/** Control message type: pass credentials (level SOL_SOCKET, Unix sockets). */
export const SCM_CREDENTIALS = 2;

// listen(2)

/** The kernel's default cap on a listen(2) backlog (net.core.somaxconn; 4096 since Linux 5.4). */
export const SOMAXCONN = 4096;
