/**
 * TCP over io_uring: {@link listen} and {@link connect} give connections
 * shaped like `Deno.Conn` (`read` resolving `null` at end of stream, `write`,
 * `closeWrite`, `close`, and `readable`/`writable` Web Streams), whose every
 * socket call is an io_uring operation: SOCKET, BIND, LISTEN, ACCEPT
 * (multishot for a listener's stream of connections), CONNECT, RECV, SEND,
 * SHUTDOWN, CLOSE.
 *
 * @example An echo server and a client on loopback
 * ```ts
 * import { connect, IoRing, listen } from "@ioring/ioring";
 * await using ring = new IoRing();
 * await using listener = await listen(ring, { hostname: "127.0.0.1", port: 0 });
 * (async () => {
 *   for await (const conn of listener) {
 *     await conn.readable.pipeTo(conn.writable);
 *     break;
 *   }
 * })();
 * await using conn = await connect(ring, { hostname: "127.0.0.1", port: listener.addr.port });
 * await conn.write(new TextEncoder().encode("ping"));
 * const buffer = new Uint8Array(4);
 * console.log(await conn.read(buffer), new TextDecoder().decode(buffer)); // 4 ping
 * ```
 *
 * @module
 */
import { native } from "../ffi/native.ts";
import { Accept } from "../ops/accept.ts";
import { Recv } from "../ops/recv.ts";
import { timeSpecMs } from "../memory/timespec.ts";
import { atAddress, bindAndListen } from "./_listen.ts";
import { decodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { checkInt, checkOptions, describe } from "../util/checks.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IORING_CQE_F_BUFFER,
  IORING_CQE_F_MORE,
  IPPROTO_TCP,
  SHUT_WR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "../kernel/constants.ts";
import { BufferRing } from "../ring/buffer_ring.ts";
import { IoRingError } from "../util/error.ts";
import type { IoRing, RunOptions } from "../facade/io_ring.ts";
import { SOCKADDR_STORAGE } from "../kernel/layout.ts";
import { EBADF, ECANCELED, ENOBUFS, ENOTCONN, ETIMEDOUT } from "../kernel/errno.ts";

const loaded = await native().catch(() => null);

/** A TCP endpoint, as `Deno.NetAddr` has it. */
export interface NetAddr {
  /** Always "tcp". */
  transport: "tcp";
  /** The IP address, IPv4 dotted or IPv6 text. */
  hostname: string;
  /** The port. */
  port: number;
}

/** A Unix socket endpoint, as `Deno.UnixAddr` has it. */
export interface UnixAddr {
  /** Always "unix". */
  transport: "unix";
  /** The socket's path ("" for an unnamed socket). */
  path: string;
}

/** Options of {@link listen}: `port` (and `hostname`) for TCP, or `path` for a Unix socket. */
export interface ListenOptions {
  /** The address to listen on: an IP literal or "localhost"; default "127.0.0.1". */
  hostname?: string;
  /** The port; 0 lets the kernel pick one (read it from `listener.addr.port`). */
  port?: number;
  /** A Unix socket path to listen on instead (it must not exist yet). */
  path?: string;
  /** The most connections waiting to be accepted; default 511. */
  backlog?: number;
  /**
   * Let several sockets listen on the same TCP address (SO_REUSEPORT), one per thread or process: the kernel
   * spreads incoming connections over them. Default false.
   */
  reusePort?: boolean;
  /** Accepted connections send writes of at least this many bytes with SEND_ZC (see {@link ConnOptions}). */
  zeroCopyAbove?: number;
}

/** Options of a connection. */
export interface ConnOptions {
  /**
   * Writes of at least this many bytes go out with SEND_ZC (zero copy, 6.0) instead of SEND; default
   * Infinity: never. On loopback SEND_ZC lost to SEND from 4 KiB to 1 MiB (`scripts/bench/sendzc.ts`:
   * 0.52-0.87x), but for 256 KiB writes in Bun, as the kernel copies loopback data anyway; on a real NIC it
   * tends to win from some tens of KiB, so measure there and set this.
   */
  zeroCopyAbove?: number;
}

/** Options of {@link connect}: `port` (and `hostname`) for TCP, or `path` for a Unix socket. */
export interface ConnectOptions extends RunOptions {
  /** The address to connect to: an IP literal or "localhost"; default "127.0.0.1". */
  hostname?: string;
  /** The port. */
  port?: number;
  /** A Unix socket path to connect to instead. */
  path?: string;
  /** Disable Nagle's algorithm (TCP_NODELAY); default true. */
  noDelay?: boolean;
  /** Writes of at least this many bytes use SEND_ZC (see {@link ConnOptions}); default never. */
  zeroCopyAbove?: number;
}

/**
 * The buffer group the connections of a ring receive into (a multishot RECV
 * per connection picks buffers from one ring-wide pool). The highest group a
 * kernel-allocated buffer ring can have, to stay out of the way of the
 * application's own groups.
 */
export const NET_BUFFER_GROUP = 2047;
/** Buffers in the shared receive pool, and the size of each: 4 MiB per ring. */
const POOL_ENTRIES = 256;
const POOL_BUFFER_SIZE = 16 * 1024;
/** Received buffers a connection may hold unread before its multishot RECV is stopped (back pressure). */
const MAX_HELD = 8;

// One receive pool per ring, registered on first use; null where the kernel has no buffer rings (or the
// application took the group), and the connections receive with a plain RECV instead.
const pools = new WeakMap<IoRing, BufferRing | null>();

function receivePool(ring: IoRing): BufferRing | null {
  let pool = pools.get(ring);
  if (pool === undefined) {
    try {
      pool = BufferRing.register(ring, {
        group: NET_BUFFER_GROUP,
        entries: POOL_ENTRIES,
        size: POOL_BUFFER_SIZE,
      });
    } catch {
      pool = null;
    }
    pools.set(ring, pool);
  }
  return pool;
}

/** An IP literal or "localhost" as a socket address (no DNS: resolve names before calling). */
function socketAddress(hostname: string, port: number, what: string): SocketAddress {
  checkInt(port, what, "port", 0, 65535);
  const rule = `hostname must be an IP address or "localhost" (no DNS here): current value is`;
  if (typeof hostname !== "string") throw new TypeError(`Cannot ${what}: ${rule} ${describe(hostname)}`);
  const host = hostname === "localhost" ? "127.0.0.1" : hostname;
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (literal.includes(":")) return { family: "ipv6", address: literal, port };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(literal)) return { family: "ipv4", address: literal, port };
  throw new TypeError(`Cannot ${what}: ${rule} "${hostname}"`);
}

function netAddr(address: SocketAddress | null): NetAddr | UnixAddr {
  if (address === null) return { transport: "tcp", hostname: "", port: 0 };
  if (address.family === "unix") return { transport: "unix", path: address.path };
  return { transport: "tcp", hostname: address.address, port: address.port };
}

/** The address `options` names: a Unix path, or an IP literal and port. */
function endpoint(options: { hostname?: string; port?: number; path?: string }, what: string): SocketAddress {
  checkOptions(options, what);
  if (options.path !== undefined) {
    if (typeof options.path !== "string" || options.path === "") {
      throw new TypeError(
        `Cannot ${what}: path must be a non-empty string: current value is ${describe(options.path)}`,
      );
    }
    return { family: "unix", path: options.path };
  }
  return socketAddress(options.hostname ?? "127.0.0.1", options.port as number, what);
}

/** True for the failure of an operation that the closing of its ring cut short (ECANCELED, or EBADF once closed). */
function endedByRing(ring: IoRing, error: unknown): boolean {
  return ring.closed && error instanceof IoRingError && (error.errno === ECANCELED || error.errno === EBADF);
}

/**
 * Closes a socket through the ring, or with close(2) once the ring has closed (no CLOSE can go through it any
 * more), so that a listener or connection closed after its ring, or while it closes, still lets go of it.
 */
async function closeSocket(ring: IoRing, fd: number): Promise<void> {
  if (!ring.closed) {
    try {
      await ring.close(fd);
      return;
    } catch (error) {
      // A CLOSE still queued when the ring closed never ran (ECANCELED): the socket is still open.
      if (!(ring.closed && error instanceof IoRingError && error.errno === ECANCELED)) throw error;
    }
  }
  loaded?.close(fd);
}

/** The error of an operation on a listener or connection after its close(). */
function closedError(op: string, fd: number, what: "listener" | "connection"): IoRingError {
  return new IoRingError(EBADF, op, { fd, detail: `the ${what} is closed` });
}

/** Checks the socket a listener or connection wraps. */
function checkSocket(fd: number, what: string): number {
  return checkInt(fd, what, "fd", 0, 0x7fffffff, "a file descriptor");
}

function domain(address: SocketAddress): number {
  return address.family === "unix" ? AF_UNIX : address.family === "ipv6" ? AF_INET6 : AF_INET;
}

function socketName(fd: number, peer: boolean): NetAddr | UnixAddr {
  if (loaded === null) return { transport: "tcp", hostname: "", port: 0 };
  const bytes = new Uint8Array(SOCKADDR_STORAGE.size);
  const length = new Uint32Array([bytes.length]);
  const ret = peer ? loaded.getpeername(fd, bytes, length) : loaded.getsockname(fd, bytes, length);
  if (ret < 0) throw new IoRingError(-ret, peer ? "getpeername" : "getsockname", { fd });
  return netAddr(decodeSockaddr(bytes, length[0]));
}

function setOption(fd: number, level: number, name: number, value: number, what: string): void {
  if (loaded === null) return;
  const ret = loaded.setsockopt(fd, level, name, new Int32Array([value]), 4);
  if (ret < 0) throw new IoRingError(-ret, "setsockopt", { fd, detail: what });
}

/**
 * Listens on a Unix socket `path`, or for TCP connections on `hostname:port`
 * (SOCKET through the ring, BIND and LISTEN too where the kernel has them (6.11), bind(2) and listen(2)
 * otherwise; SO_REUSEADDR is set for TCP).
 * Iterate the listener to accept.
 *
 * @example
 * ```ts
 * import { IoRing, listen } from "@ioring/ioring";
 * await using ring = new IoRing();
 * await using listener = await listen(ring, { port: 0 });
 * console.log(listener.addr.port > 0); // true
 * ```
 */
export function listen(
  ring: IoRing,
  options: ListenOptions & { path: string },
): Promise<TcpListener<UnixAddr>>;
/**
 * Listens for TCP connections on `hostname:port`.
 *
 * @example
 * ```ts ignore
 * const listener = await listen(ring, { hostname: "127.0.0.1", port: 8080 });
 * ```
 */
export function listen(ring: IoRing, options: ListenOptions): Promise<TcpListener<NetAddr>>;
export async function listen(ring: IoRing, options: ListenOptions): Promise<TcpListener<NetAddr | UnixAddr>> {
  const address = endpoint(options, "listen");
  const fd = await ring.socket(domain(address), SOCK_STREAM);
  try {
    if (address.family !== "unix") setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    if (options.reusePort === true && address.family !== "unix") {
      setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
    }
    await bindAndListen(ring, fd, address, options.backlog ?? 511);
    return new TcpListener<NetAddr | UnixAddr>(ring, fd, { zeroCopyAbove: options.zeroCopyAbove });
  } catch (error) {
    await closeSocket(ring, fd).catch(() => {});
    throw error;
  }
}

/**
 * Connects to `hostname:port` (SOCKET and CONNECT through the ring). Takes
 * `signal` and `timeout` like every operation.
 *
 * @example
 * ```ts ignore
 * await using conn = await connect(ring, { hostname: "127.0.0.1", port: 8080, timeout: 1_000 });
 * ```
 */
export function connect(ring: IoRing, options: ConnectOptions & { path: string }): Promise<TcpConn<UnixAddr>>;
/**
 * Connects to `hostname:port` over TCP.
 *
 * @example
 * ```ts ignore
 * const conn = await connect(ring, { hostname: "127.0.0.1", port: 8080 });
 * ```
 */
export function connect(ring: IoRing, options: ConnectOptions): Promise<TcpConn<NetAddr>>;
export async function connect(ring: IoRing, options: ConnectOptions): Promise<TcpConn<NetAddr | UnixAddr>> {
  const address = endpoint(options, "connect");
  const fd = await ring.socket(domain(address), SOCK_STREAM);
  try {
    if (options.noDelay !== false && address.family !== "unix") {
      setOption(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    }
    await ring.connect(fd, address, options).catch((error) => {
      throw atAddress(error, address, "connect to");
    });
    return new TcpConn<NetAddr | UnixAddr>(ring, fd, { zeroCopyAbove: options.zeroCopyAbove });
  } catch (error) {
    await closeSocket(ring, fd).catch(() => {});
    throw error;
  }
}

/**
 * A listening TCP socket. Its async iterator accepts connections with one
 * multishot ACCEPT (re-armed if the kernel ends it) until the loop breaks or
 * the listener closes.
 *
 * @example
 * ```ts ignore
 * for await (const conn of listener) handle(conn);
 * ```
 */
export class TcpListener<A extends NetAddr | UnixAddr = NetAddr>
  implements AsyncIterable<TcpConn<A>>, AsyncDisposable {
  /** The socket's file descriptor. */
  readonly fd: number;
  /** The address it listens on (with the port the kernel picked for port 0). */
  readonly addr: A;
  readonly #ring: IoRing;
  readonly #stop = new AbortController();
  readonly #connOptions: ConnOptions;
  #closed: Promise<void> | null = null;

  /**
   * Wraps a listening socket.
   *
   * @param ring The ring its operations run on.
   * @param fd A socket that is already listening.
   * @param options What each accepted connection gets.
   */
  constructor(ring: IoRing, fd: number, options: ConnOptions = {}) {
    this.#ring = ring;
    this.fd = checkSocket(fd, "wrap a listener");
    this.#connOptions = options;
    this.addr = socketName(fd, false) as A;
  }

  /** Accepts one connection (with TCP_NODELAY set, as Deno does). */
  async accept(options?: RunOptions): Promise<TcpConn<A>> {
    if (this.#closed !== null) throw closedError("accept", this.fd, "listener");
    const { fd } = await this.#ring.accept(this.fd, options);
    return this.#wrap(fd);
  }

  #wrap(fd: number): TcpConn<A> {
    if (this.addr.transport === "tcp") setOption(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    return new TcpConn<A>(this.#ring, fd, this.#connOptions);
  }

  /** Accepts connection after connection (multishot ACCEPT, 5.19). */
  async *[Symbol.asyncIterator](): AsyncIterator<TcpConn<A>> {
    try {
      const accepts = this.#ring.multishot(new Accept(this.fd, { multishot: true }), {
        signal: this.#stop.signal,
        rearm: true,
      });
      for await (const { res } of accepts) yield this.#wrap(res);
    } catch (error) {
      // The ring closed under the loop (`await using ring` ends its scope first), or before it: the loop
      // ends, as it does when the listener closes, instead of failing with the ACCEPT's ECANCELED (or EBADF).
      if (endedByRing(this.#ring, error)) return;
      throw error;
    }
  }

  /** Stops accepting and closes the socket. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#stop.abort();
      if (!this.#ring.closed) await this.#ring.cancelFd(this.fd).catch(() => 0);
      await closeSocket(this.#ring, this.fd);
    })();
    return this.#closed;
  }

  /** Closes the listener. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A TCP connection, shaped like `Deno.Conn`: `read` and `write` move bytes
 * through RECV and SEND, `read` resolves `null` at end of stream, and
 * `readable`/`writable` are the same connection as Web Streams.
 *
 * @example
 * ```ts ignore
 * const n = await conn.read(buffer); // null once the peer has shut down its side
 * await conn.write(bytes);
 * await conn.closeWrite();
 * ```
 */
export class TcpConn<A extends NetAddr | UnixAddr = NetAddr> implements AsyncDisposable {
  /** The socket's file descriptor. */
  readonly fd: number;
  /** This end's address. */
  readonly localAddr: A;
  /** The peer's address. */
  readonly remoteAddr: A;
  readonly #ring: IoRing;
  #closed: Promise<void> | null = null;
  #readable: ReadableStream<Uint8Array> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;
  // Receiving: one multishot RECV into the ring's pool, its completions queued here until read.
  #pool: BufferRing | null | undefined;
  readonly #chunks: Uint8Array[] = [];
  readonly #bids: number[] = [];
  #receiving = false; // a multishot RECV is in flight
  #stopping: AbortController | null = null;
  #eof = false;
  #failure: IoRingError | null = null;
  readonly #wakers: (() => void)[] = []; // reads waiting for #received (concurrent reads each get one)
  // Reads waiting with a signal alone: [signal, its waker, its reject] triples, and the signal listened to.
  readonly #signalWaits: unknown[] = [];
  #watched: AbortSignal | null = null;
  #fallback: Uint8Array | null = null;
  readonly #zeroCopyAbove: number;

  /**
   * Wraps a connected socket.
   *
   * @param ring The ring its operations run on.
   * @param fd A connected TCP socket.
   * @param options When to send with SEND_ZC.
   */
  constructor(ring: IoRing, fd: number, options: ConnOptions = {}) {
    this.#ring = ring;
    this.fd = checkSocket(fd, "wrap a connection");
    const above = options.zeroCopyAbove ?? Infinity;
    if (typeof above !== "number" || Number.isNaN(above) || above < 0) {
      throw new RangeError(
        `Cannot wrap a connection: zeroCopyAbove must be a number of bytes >= 0: current value is ${above}`,
      );
    }
    this.#zeroCopyAbove = above;
    this.localAddr = socketName(fd, false) as A;
    this.remoteAddr = (() => {
      try {
        return socketName(fd, true);
      } catch (error) {
        if (error instanceof IoRingError && error.errno === ENOTCONN) return netAddr(null);
        throw error;
      }
    })() as A;
  }

  /**
   * Reads into `buffer`: the number of bytes read, or `null` at end of stream.
   * Bytes arrive through one multishot RECV into the ring's shared buffer pool
   * (group {@link NET_BUFFER_GROUP}), so a read of bytes already received
   * makes no system call; a connection holding more than a few unread buffers
   * stops receiving until it is read (back pressure). `timeout` (ms) and
   * `signal` bound the wait, not the receive: bytes that arrive after a read
   * gave up wait for the next one.
   */
  read(buffer: Uint8Array, options?: RunOptions): Promise<number | null> {
    if (!(buffer instanceof Uint8Array)) {
      return Promise.reject(
        new TypeError(`Cannot read: buffer must be a Uint8Array: current value is ${String(buffer)}`),
      );
    }
    if (buffer.byteLength === 0) return Promise.resolve(0);
    if (this.#chunks.length > 0) return Promise.resolve(this.#copyOut(buffer));
    return this.#readSlow(buffer, options);
  }

  async #readSlow(buffer: Uint8Array, options?: RunOptions): Promise<number | null> {
    const started = options?.timeout === undefined ? 0 : performance.now();
    for (;;) {
      if (this.#chunks.length > 0) return this.#copyOut(buffer);
      if (this.#failure !== null) throw this.#failure;
      if (this.#eof) return null;
      if (this.#closed !== null) throw closedError("recv", this.fd, "connection");
      if (!this.#receiving) {
        this.#pool ??= receivePool(this.#ring);
        if (this.#pool === null || this.#pool.available === 0) {
          // No pool, or every buffer is held by some connection: receive into memory of our own.
          const own = this.#fallback ??= new Uint8Array(POOL_BUFFER_SIZE);
          const target = buffer.byteLength >= own.byteLength ? buffer : own.subarray(0, buffer.byteLength);
          const n = await this.#ring.recv(this.fd, target, options);
          if (n === 0) return null;
          if (target !== buffer) buffer.set(target.subarray(0, n));
          return n;
        }
        this.#arm(this.#pool);
      }
      await this.#arrival(options, started);
    }
  }

  /** Copies queued bytes into `buffer`, recycling each pool buffer it empties. */
  #copyOut(buffer: Uint8Array): number {
    let n = 0;
    while (n < buffer.byteLength && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.byteLength, buffer.byteLength - n);
      buffer.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.byteLength) {
        this.#chunks.shift();
        this.#pool!.recycle(this.#bids.shift()!);
      } else {
        this.#chunks[0] = chunk.subarray(take);
      }
    }
    return n;
  }

  #arm(pool: BufferRing): void {
    pool.flush(); // buffers recycled this tick must be in the ring before the RECV looks
    this.#receiving = true;
    const stopping = this.#stopping = new AbortController();
    this.#ring.stream(
      new Recv(this.fd, null, { bufferGroup: pool.group, multishot: true }),
      (res, flags) => this.#received(pool, res, flags),
      { signal: stopping.signal },
    ).catch(() => {}); // the last completion went through #received, which noted any failure
  }

  #received(pool: BufferRing, res: number, flags: number): void {
    if ((flags & IORING_CQE_F_BUFFER) !== 0) {
      const { bid, data } = pool.take(flags, res);
      if (res > 0 && this.#closed === null) {
        this.#chunks.push(data);
        this.#bids.push(bid);
      } else {
        pool.recycle(bid);
      }
    }
    if ((flags & IORING_CQE_F_MORE) === 0) {
      this.#receiving = false;
      this.#stopping = null;
      if (res === 0) this.#eof = true;
      // ENOBUFS (the pool ran dry) and a stop for back pressure only end this RECV: the next read re-arms.
      else if (res < 0 && res !== -ENOBUFS && res !== -ECANCELED) {
        this.#failure = new IoRingError(-res, "recv", { fd: this.fd });
      }
    } else if (this.#chunks.length >= MAX_HELD && this.#stopping !== null) {
      this.#stopping.abort();
      this.#stopping = null;
    }
    this.#wakeReaders();
  }

  #wakeReaders(): void {
    this.#signalWaits.length = 0; // every waiting read wakes: none is left for an abort to reject
    const waiting = this.#wakers.length;
    if (waiting === 1) this.#wakers.pop()!();
    else if (waiting > 1) { for (const wake of this.#wakers.splice(0)) wake(); }
  }

  /** Waits for #received to report, within the read's timeout and signal. */
  #arrival(options: RunOptions | undefined, started: number): Promise<void> {
    const signal = options?.signal;
    const timeout = options?.timeout;
    if (signal === undefined && timeout === undefined) {
      return new Promise((resolve) => this.#wakers.push(resolve));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (timeout === undefined && (this.#signalWaits.length === 0 || this.#watched === signal)) {
      // A signal alone, usually the same one read after read (a server's per-connection stop): one
      // listener stays on it, instead of an abort listener added and removed per read.
      this.#watch(signal!);
      return new Promise<void>((resolve, reject) => {
        this.#wakers.push(resolve);
        this.#signalWaits.push(signal!, resolve, reject);
      });
    }
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waker = () => {
        done();
        resolve();
      };
      const forget = () => {
        const at = this.#wakers.indexOf(waker);
        if (at >= 0) this.#wakers.splice(at, 1);
      };
      const onAbort = () => {
        done();
        forget();
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== undefined) {
        const ms = timeSpecMs(timeout);
        timer = setTimeout(() => {
          done();
          forget();
          reject(new IoRingError(ETIMEDOUT, "recv", { fd: this.fd }));
        }, Math.max(0, ms - (performance.now() - started)));
      }
      this.#wakers.push(waker);
    });
  }

  /** Keeps the one abort listener on `signal` (see #arrival). */
  #watch(signal: AbortSignal): void {
    if (this.#watched === signal) return;
    this.#watched?.removeEventListener("abort", this.#onWatchedAbort);
    this.#watched = signal;
    signal.addEventListener("abort", this.#onWatchedAbort, { once: true });
  }

  /** The watched signal aborted: the reads waiting on it reject with its reason. */
  #onWatchedAbort = (): void => {
    const signal = this.#watched!;
    this.#watched = null;
    const waits = this.#signalWaits;
    for (let i = 0; i < waits.length; i += 3) {
      if (waits[i] !== signal) continue;
      const at = this.#wakers.indexOf(waits[i + 1] as () => void);
      if (at < 0) continue; // already woken
      this.#wakers.splice(at, 1);
      (waits[i + 2] as (reason: unknown) => void)(signal.reason);
    }
    this.#signalWaits.length = 0;
  };

  /** Writes from `buffer`; resolves with how many bytes were sent (maybe fewer than asked, as write(2)). */
  write(buffer: Uint8Array, options?: RunOptions): Promise<number> {
    // After close() the fd number may already belong to another file: refused, never sent to.
    if (this.#closed !== null) return Promise.reject(closedError("send", this.fd, "connection"));
    return buffer.byteLength >= this.#zeroCopyAbove
      ? this.#ring.sendZc(this.fd, buffer, options)
      : this.#ring.send(this.fd, buffer, options);
  }

  /** Writes all of `buffer`. */
  async writeAll(buffer: Uint8Array, options?: RunOptions): Promise<void> {
    for (let sent = 0; sent < buffer.byteLength;) sent += await this.write(buffer.subarray(sent), options);
  }

  /** Shuts down the sending side (SHUTDOWN with SHUT_WR): the peer reads end of stream. */
  closeWrite(): Promise<void> {
    if (this.#closed !== null) return Promise.reject(closedError("shutdown", this.fd, "connection"));
    return this.#ring.shutdown(this.fd, SHUT_WR);
  }

  /** The received bytes as a stream; it ends at the peer's end of stream. */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const buffer = new Uint8Array(65536);
        const n = await this.read(buffer);
        if (n === null) controller.close();
        else controller.enqueue(buffer.subarray(0, n));
      },
      cancel: () => this.close(),
    });
    return this.#readable;
  }

  /** A stream whose chunks are written in order; closing it shuts down the sending side. */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= new WritableStream<Uint8Array>({
      write: (chunk) => this.writeAll(chunk),
      close: () => this.closeWrite(),
      abort: () => this.close(),
    });
    return this.#writable;
  }

  /** Cancels what is in flight on the socket and closes it. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const bid of this.#bids) this.#pool!.recycle(bid);
      this.#chunks.length = this.#bids.length = 0;
      this.#wakeReaders();
      this.#watched?.removeEventListener("abort", this.#onWatchedAbort);
      this.#watched = null;
      if (!this.#ring.closed) await this.#ring.cancelFd(this.fd).catch(() => 0);
      await closeSocket(this.#ring, this.fd);
    })();
    return this.#closed;
  }

  /** Closes the connection. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
