/**
 * {@link listen} and {@link Listener}: a listening TCP or Unix stream socket whose async iterator accepts
 * connections ({@link Conn}) with one multishot ACCEPT.
 *
 * @example
 * ```ts
 * import { IoRing, listen } from "@ioring/ioring";
 * await using ring = new IoRing();
 * await using listener = await listen(ring, { hostname: "127.0.0.1", port: 0 });
 * console.log(listener.addr.transport); // tcp
 * ```
 *
 * @module
 */
import { Accept } from "../ops/accept.ts";
import {
  IPPROTO_TCP,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_CLOEXEC,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "../kernel/constants.ts";
import type { IoRing, RunOptions } from "../facade/io_ring.ts";
import { domain, endpoint, type NetAddr, socketName, type UnixAddr } from "./address.ts";
import { bindAndListen, bindAndListenSync } from "./_listen.ts";
import { checkSocket, closedError, closeSocket, endedByRing, setOption } from "./_socket.ts";
import { Conn, type ConnOptions } from "./connection.ts";

/**
 * Options of {@link listen}: `port` (and `hostname`) for TCP, or `path` for a Unix socket.
 *
 * @example
 * ```ts ignore
 * const options: ListenOptions = { hostname: "0.0.0.0", port: 8080, reusePort: true };
 * const listener = await listen(ring, options);
 * ```
 */
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

/**
 * Listens on a Unix socket `path`: SOCKET through the ring, BIND and LISTEN too where the kernel has them
 * (6.11), bind(2) and listen(2) otherwise. Iterate the listener to accept.
 *
 * @example
 * ```ts ignore
 * await using listener = await listen(ring, { path: "/run/app.sock" });
 * ```
 */
export function listen(
  ring: IoRing,
  options: ListenOptions & { path: string },
): Promise<Listener<UnixAddr>>;
/**
 * Listens for TCP connections on `hostname:port` (SOCKET through the ring, BIND and LISTEN too where the
 * kernel has them (6.11), bind(2) and listen(2) otherwise; SO_REUSEADDR is set). Iterate the listener to
 * accept.
 *
 * @example
 * ```ts
 * import { IoRing, listen } from "@ioring/ioring";
 * await using ring = new IoRing();
 * await using listener = await listen(ring, { port: 0 });
 * console.log(listener.addr.port > 0); // true
 * ```
 */
export function listen(ring: IoRing, options: ListenOptions): Promise<Listener<NetAddr>>;
export async function listen(ring: IoRing, options: ListenOptions): Promise<Listener<NetAddr | UnixAddr>> {
  const address = endpoint(options, "listen");
  const fd = await ring.socket(domain(address), SOCK_STREAM);
  try {
    if (address.family !== "unix") setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    if (options.reusePort === true && address.family !== "unix") {
      setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
    }
    await bindAndListen(ring, fd, address, options.backlog ?? 511);
    return new Listener<NetAddr | UnixAddr>(ring, fd, { zeroCopyAbove: options.zeroCopyAbove });
  } catch (error) {
    await closeSocket(ring, fd).catch(() => {});
    throw error;
  }
}

/**
 * Listens at once, as `Deno.listen` does: socket(2), bind(2) and listen(2) made in this call, so the
 * address is known (and EADDRINUSE thrown) before it returns. The connections still go through the ring.
 *
 * @example
 * ```ts
 * import { IoRing, listenSync } from "@ioring/ioring";
 * await using ring = new IoRing();
 * await using listener = listenSync(ring, { port: 0 });
 * console.log(listener.addr.port > 0); // true
 * ```
 */
export function listenSync(ring: IoRing, options: ListenOptions & { path: string }): Listener<UnixAddr>;
/**
 * Listens at once on a TCP address (see the Unix form).
 *
 * @example
 * ```ts ignore
 * const listener = listenSync(ring, { hostname: "127.0.0.1", port: 8080 });
 * ```
 */
export function listenSync(ring: IoRing, options: ListenOptions): Listener<NetAddr>;
export function listenSync(ring: IoRing, options: ListenOptions): Listener<NetAddr | UnixAddr> {
  const address = endpoint(options, "listen");
  const fd = bindAndListenSync(
    domain(address),
    SOCK_STREAM | SOCK_CLOEXEC,
    address,
    options.backlog ?? 511,
    (fd) => {
      if (address.family !== "unix") setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
      if (options.reusePort === true && address.family !== "unix") {
        setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
      }
    },
  );
  return new Listener<NetAddr | UnixAddr>(ring, fd, { zeroCopyAbove: options.zeroCopyAbove });
}

/**
 * A listening TCP or Unix stream socket, as `Deno.Listener`. Its async iterator accepts connections with
 * one multishot ACCEPT (re-armed if the kernel ends it) until the loop breaks or the listener closes.
 *
 * @example
 * ```ts ignore
 * for await (const conn of listener) handle(conn);
 * ```
 */
export class Listener<A extends NetAddr | UnixAddr = NetAddr>
  implements AsyncIterable<Conn<A>>, AsyncDisposable {
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

  /** Accepts one connection (with TCP_NODELAY set on TCP, as Deno does). */
  async accept(options?: RunOptions): Promise<Conn<A>> {
    if (this.#closed !== null) throw closedError("accept", this.fd, "listener");
    const { fd } = await this.#ring.accept(this.fd, options);
    return this.#wrap(fd);
  }

  #wrap(fd: number): Conn<A> {
    if (this.addr.transport === "tcp") setOption(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    return new Conn<A>(this.#ring, fd, this.#connOptions);
  }

  /** Accepts connection after connection (multishot ACCEPT, 5.19). */
  async *[Symbol.asyncIterator](): AsyncIterator<Conn<A>> {
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
 * The former name of {@link Listener}, from when only TCP was meant: the same class.
 *
 * @deprecated Use {@link Listener}: it carries TCP and Unix sockets alike.
 *
 * @example
 * ```ts
 * import { Listener, TcpListener } from "@ioring/ioring";
 * console.log(TcpListener === Listener); // true
 * ```
 */
export const TcpListener: typeof Listener = Listener;
/**
 * The former name of the {@link Listener} type.
 *
 * @deprecated Use {@link Listener}.
 */
export type TcpListener<A extends NetAddr | UnixAddr = NetAddr> = Listener<A>;
