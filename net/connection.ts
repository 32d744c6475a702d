/**
 * {@link connect} and {@link Conn}: a connected TCP or Unix stream socket shaped like `Deno.Conn`, whose
 * reads come from one multishot RECV into the ring's receive pool and whose writes are SEND (or SEND_ZC).
 *
 * @example
 * ```ts
 * import { connect, IoRing, listen } from "@ioring/ioring";
 * await using ring = new IoRing();
 * await using listener = await listen(ring, { port: 0 });
 * await using conn = await connect(ring, { port: listener.addr.port });
 * console.log(conn.remoteAddr.port === listener.addr.port); // true
 * ```
 *
 * @module
 */
import { IPPROTO_TCP, SHUT_WR, SOCK_STREAM, TCP_NODELAY } from "../kernel/constants.ts";
import { IoRingError } from "../util/error.ts";
import type { IoRing, RunOptions } from "../facade/io_ring.ts";
import { ENOTCONN } from "../kernel/errno.ts";
import { atAddress, domain, endpoint, type NetAddr, netAddr, socketName, type UnixAddr } from "./address.ts";
import { checkSocket, closedError, closeSocket, setOption } from "./_socket.ts";
import { Receiver } from "./_receiver.ts";

/**
 * Options of a connection.
 *
 * @example
 * ```ts ignore
 * const conn = new Conn(ring, fd, { zeroCopyAbove: 64 * 1024 });
 * ```
 */
export interface ConnOptions {
  /**
   * Writes of at least this many bytes go out with SEND_ZC (zero copy, 6.0) instead of SEND; default
   * Infinity: never. On loopback SEND_ZC lost to SEND from 4 KiB to 1 MiB (`scripts/bench/sendzc.ts`:
   * 0.52-0.87x), but for 256 KiB writes in Bun, as the kernel copies loopback data anyway; on a real NIC it
   * tends to win from some tens of KiB, so measure there and set this.
   */
  zeroCopyAbove?: number;
}

/**
 * Options of {@link connect}: `port` (and `hostname`) for TCP, or `path` for a Unix socket.
 *
 * @example
 * ```ts ignore
 * const options: ConnectOptions = { hostname: "::1", port: 8080, timeout: 1_000 };
 * const conn = await connect(ring, options);
 * ```
 */
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
 * Connects to the Unix socket at `path` (SOCKET and CONNECT through the ring). Takes `signal` and `timeout`
 * like every operation.
 *
 * @example
 * ```ts ignore
 * await using conn = await connect(ring, { path: "/run/app.sock", timeout: 1_000 });
 * ```
 */
export function connect(ring: IoRing, options: ConnectOptions & { path: string }): Promise<Conn<UnixAddr>>;
/**
 * Connects to `hostname:port` over TCP (SOCKET and CONNECT through the ring, TCP_NODELAY set unless
 * `noDelay` is false). Takes `signal` and `timeout` like every operation.
 *
 * @example
 * ```ts ignore
 * await using conn = await connect(ring, { hostname: "127.0.0.1", port: 8080, timeout: 1_000 });
 * ```
 */
export function connect(ring: IoRing, options: ConnectOptions): Promise<Conn<NetAddr>>;
export async function connect(ring: IoRing, options: ConnectOptions): Promise<Conn<NetAddr | UnixAddr>> {
  const address = endpoint(options, "connect");
  const fd = await ring.socket(domain(address), SOCK_STREAM);
  try {
    if (options.noDelay !== false && address.family !== "unix") {
      setOption(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    }
    await ring.connect(fd, address, options).catch((error) => {
      throw atAddress(error, address, "connect to");
    });
    return new Conn<NetAddr | UnixAddr>(ring, fd, { zeroCopyAbove: options.zeroCopyAbove });
  } catch (error) {
    await closeSocket(ring, fd).catch(() => {});
    throw error;
  }
}

/**
 * A connection over a TCP or Unix stream socket, shaped like `Deno.Conn`: `read` and `write` move bytes
 * through RECV and SEND, `read` resolves `null` at end of stream, and `readable`/`writable` are the same
 * connection as Web Streams. {@link connect} makes one, a listener's accepts make the others.
 *
 * @example
 * ```ts ignore
 * const n = await conn.read(buffer); // null once the peer has shut down its side
 * await conn.write(bytes);
 * await conn.closeWrite();
 * ```
 */
export class Conn<A extends NetAddr | UnixAddr = NetAddr> implements AsyncDisposable {
  /** The socket's file descriptor. */
  readonly fd: number;
  /** This end's address. */
  readonly localAddr: A;
  /** The peer's address. */
  readonly remoteAddr: A;
  readonly #ring: IoRing;
  readonly #receiver: Receiver;
  readonly #zeroCopyAbove: number;
  #closed: Promise<void> | null = null;
  #readable: ReadableStream<Uint8Array> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;

  /**
   * Wraps a connected socket.
   *
   * @param ring The ring its operations run on.
   * @param fd A connected TCP or Unix stream socket.
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
    this.remoteAddr = peerName(fd) as A;
    this.#receiver = new Receiver(ring, fd);
  }

  /**
   * Reads into `buffer`: the number of bytes read, or `null` at end of stream.
   * Bytes arrive through one multishot RECV into the ring's shared buffer pool
   * (group `NET_BUFFER_GROUP`), so a read of bytes already received
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
    return this.#receiver.read(buffer, options);
  }

  /**
   * {@link read} with a callback instead of a promise, and no timeout or signal: `done` is called once,
   * with the number of bytes read, `null` at end of stream, or the error. For a server's hot path, where a
   * promise per read is a measurable share of a small request's cost.
   *
   * @example
   * ```ts ignore
   * conn.readThen(buffer, (n, error) => {
   *   if (error !== undefined) console.error(error);
   *   else if (n === null) console.log("the peer closed");
   *   else console.log(new TextDecoder().decode(buffer.subarray(0, n)));
   * });
   * ```
   */
  readThen(buffer: Uint8Array, done: (n: number | null, error?: unknown) => void): void {
    if (!(buffer instanceof Uint8Array)) {
      done(
        null,
        new TypeError(`Cannot read: buffer must be a Uint8Array: current value is ${String(buffer)}`),
      );
    } else if (buffer.byteLength === 0) {
      done(0);
    } else {
      this.#receiver.readThen(buffer, done);
    }
  }

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
      this.#receiver.close();
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

/** The peer's address; an unconnected socket's (ENOTCONN) is the empty one. */
function peerName(fd: number): NetAddr | UnixAddr {
  try {
    return socketName(fd, true);
  } catch (error) {
    if (error instanceof IoRingError && error.errno === ENOTCONN) return netAddr(null);
    throw error;
  }
}

/**
 * The former name of {@link Conn}, from when only TCP was meant: the same class.
 *
 * @deprecated Use {@link Conn}: it carries TCP and Unix sockets alike.
 *
 * @example
 * ```ts
 * import { Conn, TcpConn } from "@ioring/ioring";
 * console.log(TcpConn === Conn); // true
 * ```
 */
export const TcpConn: typeof Conn = Conn;
/**
 * The former name of the {@link Conn} type.
 *
 * @deprecated Use {@link Conn}.
 */
export type TcpConn<A extends NetAddr | UnixAddr = NetAddr> = Conn<A>;
