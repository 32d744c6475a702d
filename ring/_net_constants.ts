/**
 * Socket-level constants of the system calls that io_uring's network
 * operations mirror (`<sys/socket.h>`, `<netinet/in.h>`, `<netinet/tcp.h>`),
 * named exactly as in the C headers. Every value here is the same on x86_64
 * and aarch64: both use the kernel's generic socket definitions
 * (`asm-generic/socket.h`), and the two `SOCK_*` flags that reuse `O_*` bits
 * (`O_NONBLOCK`, `O_CLOEXEC`) agree on both. `tests/ops_net_test.ts` compares
 * them with the installed C headers.
 *
 * @example
 * ```ts
 * import { AF_INET, SOCK_STREAM } from "./_net_constants.ts";
 * console.log(AF_INET, SOCK_STREAM); // 2 1
 * ```
 *
 * @module
 */

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
