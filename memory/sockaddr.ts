/**
 * Socket addresses as the kernel reads and writes them: `struct sockaddr_in`,
 * `struct sockaddr_in6` and `struct sockaddr_un`, encoded from and decoded to
 * plain objects. Ports and IPv6 flow labels are big-endian on the wire, as in
 * C after `htons`/`htonl`; the family and the IPv6 scope id are host order.
 *
 * @example
 * ```ts
 * import { decodeSockaddr, encodeSockaddr } from "./sockaddr.ts";
 * const bytes = encodeSockaddr({ family: "ipv4", address: "127.0.0.1", port: 8080 });
 * console.log(bytes.length, decodeSockaddr(bytes)); // 16 { family: "ipv4", address: "127.0.0.1", port: 8080 }
 * ```
 *
 * @module
 */
import { opBytes } from "./arena.ts";
import { AF_INET, AF_INET6, AF_UNIX } from "../kernel/constants.ts";
import { SOCKADDR_IN, SOCKADDR_IN6, SOCKADDR_STORAGE, SOCKADDR_UN } from "../kernel/layout.ts";
import { checkU16, checkU32, describe } from "../util/checks.ts";

/** An IPv4 address and port (`struct sockaddr_in`). */
export interface Ipv4SocketAddress {
  /** AF_INET. */
  family: "ipv4";
  /** Dotted decimal, such as "127.0.0.1". */
  address: string;
  /** 0 to 65535 (0: any port, for bind). */
  port: number;
}

/** An IPv6 address and port (`struct sockaddr_in6`). */
export interface Ipv6SocketAddress {
  /** AF_INET6. */
  family: "ipv6";
  /** IPv6 text form, such as "::1" (no brackets, no "%zone": give the zone as `scopeId`). */
  address: string;
  /** 0 to 65535 (0: any port, for bind). */
  port: number;
  /** `sin6_flowinfo` (traffic class and flow label), 0 to 2^32-1; default 0. */
  flowInfo?: number;
  /** `sin6_scope_id`: the interface index of a link-local address; default 0. */
  scopeId?: number;
}

/** A Unix domain socket address (`struct sockaddr_un`). */
export interface UnixSocketAddress {
  /** AF_UNIX. */
  family: "unix";
  /**
   * A filesystem path; a leading NUL ("\0name") names an abstract socket;
   * "" is an unnamed socket (bind then picks an abstract name).
   */
  path: string;
}

/** Any socket address this library encodes or decodes. */
export type SocketAddress = Ipv4SocketAddress | Ipv6SocketAddress | UnixSocketAddress;

/** Size of `struct sockaddr_in`. */
export const SOCKADDR_IN_SIZE: number = SOCKADDR_IN.size;
/** Size of `struct sockaddr_in6`. */
export const SOCKADDR_IN6_SIZE: number = SOCKADDR_IN6.size;
/** Size of `struct sockaddr_un`. */
export const SOCKADDR_UN_SIZE: number = SOCKADDR_UN.size;
/** Size of `struct sockaddr_storage`: room for any address. */
export const SOCKADDR_STORAGE_SIZE: number = SOCKADDR_STORAGE.size;

const SUN_PATH_SIZE = SOCKADDR_UN.size - SOCKADDR_UN.path;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes a socket address into a new byte array of exactly the address's
 * length (16, 28, or 2 + path bytes [+ NUL] for Unix), for bind, connect,
 * sendto and sendmsg.
 *
 * @param address The address to encode.
 * @param what What the caller is doing, for the error message ("connect fd 5").
 * @throws {TypeError} for an object that is not a socket address.
 * @throws {RangeError} for an invalid address, port, path or field.
 */
export function encodeSockaddr(address: SocketAddress, what = "encode a socket address"): Uint8Array {
  if (typeof address !== "object" || address === null) {
    throw new TypeError(
      `Cannot ${what}: address must be a socket address object: current value is ${describe(address)}`,
    );
  }
  switch (address.family) {
    case "ipv4": {
      const bytes = opBytes(SOCKADDR_IN.size);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      view.setUint16(SOCKADDR_IN.family, AF_INET, true);
      view.setUint16(SOCKADDR_IN.port, checkU16(address.port, what, "port"), false);
      bytes.set(parseIPv4(address.address, what), SOCKADDR_IN.addr);
      return bytes;
    }
    case "ipv6": {
      const bytes = opBytes(SOCKADDR_IN6.size);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      view.setUint16(SOCKADDR_IN6.family, AF_INET6, true);
      view.setUint16(SOCKADDR_IN6.port, checkU16(address.port, what, "port"), false);
      view.setUint32(SOCKADDR_IN6.flowInfo, checkU32(address.flowInfo ?? 0, what, "flowInfo"), false);
      bytes.set(parseIPv6(address.address, what), SOCKADDR_IN6.addr);
      view.setUint32(SOCKADDR_IN6.scopeId, checkU32(address.scopeId ?? 0, what, "scopeId"), true);
      return bytes;
    }
    case "unix": {
      if (typeof address.path !== "string") {
        throw new TypeError(
          `Cannot ${what}: a Unix socket path must be a string: current value is ${describe(address.path)}`,
        );
      }
      const path = encoder.encode(address.path);
      const abstract = path.length > 0 && path[0] === 0;
      if (!abstract && path.includes(0)) {
        throw new RangeError(`Cannot ${what}: a Unix socket path contains a NUL byte after its start`);
      }
      // A filesystem path needs room for its NUL terminator; an abstract name uses every byte it has.
      const room = abstract ? SUN_PATH_SIZE : SUN_PATH_SIZE - 1;
      if (path.length > room) {
        throw new RangeError(
          `Cannot ${what}: a Unix socket path must be at most ${room} bytes: current length is ${path.length}`,
        );
      }
      const bytes = opBytes(SOCKADDR_UN.path + path.length + (abstract || path.length === 0 ? 0 : 1));
      new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint16(
        SOCKADDR_UN.family,
        AF_UNIX,
        true,
      );
      bytes.set(path, SOCKADDR_UN.path);
      return bytes;
    }
    default:
      throw new TypeError(
        `Cannot ${what}: family must be "ipv4", "ipv6" or "unix": current value is ${
          describe((address as { family?: unknown }).family)
        }`,
      );
  }
}

/**
 * Decodes a socket address the kernel wrote (accept, recvmsg, getsockname).
 * Returns null for an empty or too short address, or a family other than
 * AF_INET, AF_INET6 and AF_UNIX.
 *
 * @param bytes The address buffer.
 * @param length The address length the kernel reported (an `addrlen` or
 *   `msg_namelen`); default the whole buffer. A length beyond the buffer
 *   (a truncated address) is read up to the buffer's end.
 */
export function decodeSockaddr(bytes: Uint8Array, length: number = bytes.length): SocketAddress | null {
  const n = Math.min(Math.max(0, length | 0), bytes.length);
  if (n < 2) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  // Every sockaddr starts with its 16-bit family.
  const family = view.getUint16(SOCKADDR_STORAGE.family, true);
  if (family === AF_INET) {
    const end = SOCKADDR_IN.addr + 4;
    if (n < end) return null;
    return {
      family: "ipv4",
      address: formatIPv4(bytes.subarray(SOCKADDR_IN.addr, end)),
      port: view.getUint16(SOCKADDR_IN.port, false),
    };
  }
  if (family === AF_INET6) {
    const end = SOCKADDR_IN6.addr + 16;
    if (n < end) return null;
    return {
      family: "ipv6",
      address: formatIPv6(bytes.subarray(SOCKADDR_IN6.addr, end)),
      port: view.getUint16(SOCKADDR_IN6.port, false),
      flowInfo: view.getUint32(SOCKADDR_IN6.flowInfo, false),
      scopeId: n >= SOCKADDR_IN6.size ? view.getUint32(SOCKADDR_IN6.scopeId, true) : 0,
    };
  }
  if (family === AF_UNIX) {
    const path = bytes.subarray(SOCKADDR_UN.path, n);
    if (path.length > 0 && path[0] === 0) return { family: "unix", path: decoder.decode(path) };
    const end = path.indexOf(0);
    return { family: "unix", path: decoder.decode(end === -1 ? path : path.subarray(0, end)) };
  }
  return null;
}

/**
 * Parses dotted-decimal IPv4 text ("127.0.0.1") into its 4 bytes. Like
 * inet_pton(3): exactly four decimal parts from 0 to 255, without leading zeros.
 */
export function parseIPv4(text: string, what = "parse an IPv4 address"): Uint8Array {
  const bytes = typeof text === "string" ? ipv4Bytes(text) : null;
  if (bytes === null) {
    throw new RangeError(
      `Cannot ${what}: an IPv4 address must be four decimal numbers from 0 to 255 separated by dots: current value is ${
        JSON.stringify(text) ?? String(text)
      }`,
    );
  }
  return bytes;
}

/** Formats 4 bytes as dotted-decimal IPv4 text. */
export function formatIPv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/**
 * Parses IPv6 text into its 16 bytes: up to eight groups of 1 to 4 hex digits,
 * one "::" for a run of zero groups, and an optional dotted IPv4 tail
 * ("::ffff:127.0.0.1"). No brackets and no "%zone" (use `scopeId`).
 */
export function parseIPv6(text: string, what = "parse an IPv6 address"): Uint8Array {
  const bytes = typeof text === "string" ? ipv6Bytes(text) : null;
  if (bytes === null) {
    throw new RangeError(
      `Cannot ${what}: an IPv6 address must be eight groups of up to 4 hex digits, with at most one "::" and no brackets or zone: current value is ${
        JSON.stringify(text) ?? String(text)
      }`,
    );
  }
  return bytes;
}

/**
 * Formats 16 bytes as IPv6 text in the canonical form of RFC 5952: lower-case
 * hex without leading zeros, the longest run of two or more zero groups (the
 * first of equals) as "::", and IPv4-mapped addresses as "::ffff:a.b.c.d".
 */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes.subarray(12, 16))}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(":");
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

function ipv4Bytes(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

function ipv6Bytes(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const words: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = ipv4Bytes(piece);
        if (v4 === null) return null;
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return null;
      words.push(parseInt(piece, 16));
    }
    return words;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (head === null || tail === null) return null;
  // An IPv4 tail may only end the address.
  if (halves.length === 2 && halves[0].includes(".")) return null;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return null;
  const words = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = words[i] >> 8;
    bytes[2 * i + 1] = words[i] & 0xff;
  }
  return bytes;
}
