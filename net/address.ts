/**
 * The addresses of sockets: {@link NetAddr} and {@link UnixAddr} as Deno has them, parsed from the
 * options of `listen()` and `connect()` and read back from the kernel (getsockname(2), getpeername(2)),
 * and the address a refused bind, listen or connect names in its error.
 *
 * @example
 * ```ts
 * import { endpoint } from "./address.ts";
 * console.log(endpoint({ hostname: "localhost", port: 8080 }, "listen"));
 * // { family: "ipv4", address: "127.0.0.1", port: 8080 }
 * ```
 *
 * @module
 */
import { native } from "../ffi/native.ts";
import { decodeSockaddr, type SocketAddress } from "../memory/sockaddr.ts";
import { checkInt, checkOptions, describe } from "../util/checks.ts";
import { AF_INET, AF_INET6, AF_UNIX } from "../kernel/constants.ts";
import { IoRingError } from "../util/error.ts";
import { SOCKADDR_STORAGE } from "../kernel/layout.ts";

const loaded = await native().catch(() => null);

/**
 * A TCP endpoint, as `Deno.NetAddr` has it.
 *
 * @example
 * ```ts
 * import type { NetAddr } from "@ioring/ioring";
 * const addr: NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 8080 };
 * console.log(`${addr.hostname}:${addr.port}`); // 127.0.0.1:8080
 * ```
 */
export interface NetAddr {
  /** Always "tcp". */
  transport: "tcp";
  /** The IP address, IPv4 dotted or IPv6 text. */
  hostname: string;
  /** The port. */
  port: number;
}

/**
 * A Unix socket endpoint, as `Deno.UnixAddr` has it.
 *
 * @example
 * ```ts
 * import type { UnixAddr } from "@ioring/ioring";
 * const addr: UnixAddr = { transport: "unix", path: "/run/app.sock" };
 * console.log(addr.path); // /run/app.sock
 * ```
 */
export interface UnixAddr {
  /** Always "unix". */
  transport: "unix";
  /** The socket's path ("" for an unnamed socket). */
  path: string;
}

/** The address `options` names: a Unix path, or an IP literal and port (hostname default "127.0.0.1"). */
export function endpoint(
  options: { hostname?: string; port?: number; path?: string },
  what: string,
): SocketAddress {
  checkOptions(options, what);
  if (options.path !== undefined) {
    if (typeof options.path !== "string" || options.path === "") {
      throw new TypeError(
        `Cannot ${what}: path must be a non-empty string: current value is ${describe(options.path)}`,
      );
    }
    return { family: "unix", path: options.path };
  }
  return ipAddress(options.hostname ?? "127.0.0.1", options.port as number, what);
}

/** An IP literal or "localhost" as a socket address (no DNS: resolve names before calling). */
function ipAddress(hostname: string, port: number, what: string): SocketAddress {
  checkInt(port, what, "port", 0, 65535);
  const rule = `hostname must be an IP address or "localhost" (no DNS here): current value is`;
  if (typeof hostname !== "string") throw new TypeError(`Cannot ${what}: ${rule} ${describe(hostname)}`);
  const host = hostname === "localhost" ? "127.0.0.1" : hostname;
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (literal.includes(":")) return { family: "ipv6", address: literal, port };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(literal)) return { family: "ipv4", address: literal, port };
  throw new TypeError(`Cannot ${what}: ${rule} "${hostname}"`);
}

/** The address family of the socket to create for `address`. */
export function domain(address: SocketAddress): number {
  return address.family === "unix" ? AF_UNIX : address.family === "ipv6" ? AF_INET6 : AF_INET;
}

/** A kernel address as Deno shows it; an address the kernel did not give (null) is an empty TCP one. */
export function netAddr(address: SocketAddress | null): NetAddr | UnixAddr {
  if (address === null) return { transport: "tcp", hostname: "", port: 0 };
  if (address.family === "unix") return { transport: "unix", path: address.path };
  return { transport: "tcp", hostname: address.address, port: address.port };
}

/** The socket's own address (getsockname(2)) or its peer's (getpeername(2)). */
export function socketName(fd: number, peer: boolean): NetAddr | UnixAddr {
  if (loaded === null) return { transport: "tcp", hostname: "", port: 0 };
  const bytes = new Uint8Array(SOCKADDR_STORAGE.size);
  const length = new Uint32Array([bytes.length]);
  const ret = peer ? loaded.getpeername(fd, bytes, length) : loaded.getsockname(fd, bytes, length);
  if (ret < 0) throw new IoRingError(-ret, peer ? "getpeername" : "getsockname", { fd });
  return netAddr(decodeSockaddr(bytes, length[0]));
}

/** How an error names an address: "127.0.0.1:8080", "[::1]:8080", or a Unix socket's path. */
export function addressText(address: SocketAddress): string {
  if (address.family === "unix") return address.path;
  return address.family === "ipv6"
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

/**
 * A kernel refusal of a bind, listen or connect, made to name the address the caller gave (the errno alone,
 * "EADDRINUSE", does not say which address is taken): a TCP address is appended as
 * "cannot <action> 127.0.0.1:8080", a Unix socket's path becomes the error's `path`. Other errors
 * (an abort signal's reason) are returned as they are.
 */
export function atAddress(error: unknown, address: SocketAddress, action: string): unknown {
  if (!(error instanceof IoRingError)) return error;
  const { errno, op, fd } = error;
  if (address.family === "unix") {
    const detail = error.code === "EADDRINUSE"
      ? "a file exists at that path (remove a stale socket file first)"
      : undefined;
    return new IoRingError(errno, op, { fd, path: address.path, detail }, { cause: error });
  }
  return new IoRingError(errno, op, { fd, detail: `cannot ${action} ${addressText(address)}` }, {
    cause: error,
  });
}
