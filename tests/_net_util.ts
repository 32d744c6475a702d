/**
 * Helpers for the network-op tests: loopback listeners and connections made
 * through the ring itself, the bound port read back without a native addon,
 * registered files and buffers through the raw native layer, a cancel op,
 * and the expected SQE words of liburing's prep helpers.
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import {
  type Cqe,
  FixedFile,
  type IoRing,
  IORING_CQE_F_MORE,
  IoRingError,
  type IoRingErrorTarget,
  type Op,
  Recv,
} from "../mod.ts";
import {
  IORING_OP_ASYNC_CANCEL,
  IORING_REGISTER_BUFFERS,
  IORING_REGISTER_FILES,
  MSG_WAITALL,
} from "../kernel/constants.ts";
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM } from "../kernel/constants.ts";
import type { SqeWriter } from "../sqe/writer.ts";
import { Accept } from "../ops/accept.ts";
import { Bind } from "../ops/bind.ts";
import { Connect } from "../ops/connect.ts";
import { Listen } from "../ops/listen.ts";
import { Socket } from "../ops/socket.ts";
import { SocketCmd } from "../ops/uring_cmd.ts";
import type { SocketAddress } from "../memory/sockaddr.ts";
import { n } from "./_util.ts";

/** "ipv4" or "ipv6" loopback. */
export type Family = "ipv4" | "ipv6";

/** The loopback address of a family. */
export const LOOPBACK: Record<Family, string> = { ipv4: "127.0.0.1", ipv6: "::1" };

/** Whether /proc shows sockets (the fallback way to read a bound port). */
export const procNet: boolean = existsSync("/proc/net/tcp") && existsSync("/proc/self/fd");

/** Whether IPv6 loopback works here: false, or the reason it does not. */
export async function ipv6Missing(ring: IoRing): Promise<string | false> {
  let fd = -1;
  try {
    fd = await ring.run(new Socket(AF_INET6, SOCK_STREAM));
    await ring.run(new Bind(fd, { family: "ipv6", address: "::1", port: 0 }));
    return false;
  } catch (error) {
    return `IPv6 loopback is unavailable: ${(error as Error).message}`;
  } finally {
    if (fd >= 0) n.close(fd);
  }
}

let getsocknameWorks: boolean | undefined;

/**
 * The local port a socket is bound to: SOCKET_URING_OP_GETSOCKNAME where the
 * kernel has it (6.19), else the socket's inode looked up in /proc/net.
 */
export async function localPort(ring: IoRing, fd: number): Promise<number> {
  if (getsocknameWorks !== false) {
    const op = SocketCmd.getsockname(fd);
    try {
      await ring.run(op);
      getsocknameWorks = true;
      const address = op.address();
      assert.ok(address !== null && address.family !== "unix", "getsockname returns an IP address");
      return address.port;
    } catch (error) {
      if (!(error instanceof IoRingError) || !["EOPNOTSUPP", "EINVAL"].includes(error.code)) throw error;
      getsocknameWorks = false;
    }
  }
  return procPort(fd);
}

/** The local port of a socket fd, from /proc/self/fd and /proc/net/{tcp,tcp6,udp,udp6}. */
export function procPort(fd: number): number {
  const link = readlinkSync(`/proc/self/fd/${fd}`);
  const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
  assert.ok(inode !== undefined, `fd ${fd} is a socket: ${link}`);
  for (const table of ["tcp", "tcp6", "udp", "udp6"]) {
    const path = `/proc/net/${table}`;
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[9] === inode) return parseInt(cols[1].split(":")[1], 16);
    }
  }
  throw new Error(`socket inode ${inode} of fd ${fd} is not in /proc/net`);
}

/** A listening TCP socket on loopback, bound to port 0 through the ring, and its port. */
export async function listenTcp(ring: IoRing, family: Family = "ipv4", backlog = 128): Promise<{
  fd: number;
  port: number;
  address: SocketAddress;
}> {
  const fd = await ring.run(new Socket(family === "ipv4" ? AF_INET : AF_INET6, SOCK_STREAM));
  try {
    await ring.run(new Bind(fd, { family, address: LOOPBACK[family], port: 0 }));
    await ring.run(new Listen(fd, backlog));
    const port = await localPort(ring, fd);
    assert.ok(port > 0 && port < 65536);
    return { fd, port, address: { family, address: LOOPBACK[family], port } };
  } catch (error) {
    n.close(fd);
    throw error;
  }
}

/** A bound UDP socket on loopback and its address. */
export async function bindUdp(
  ring: IoRing,
  family: Family = "ipv4",
): Promise<{ fd: number; address: SocketAddress }> {
  const fd = await ring.run(new Socket(family === "ipv4" ? AF_INET : AF_INET6, SOCK_DGRAM));
  try {
    await ring.run(new Bind(fd, { family, address: LOOPBACK[family], port: 0 }));
    return { fd, address: { family, address: LOOPBACK[family], port: await localPort(ring, fd) } };
  } catch (error) {
    n.close(fd);
    throw error;
  }
}

/** A connected TCP pair over loopback: [client, server side], and the accept op that made it. */
export async function tcpPair(
  ring: IoRing,
  family: Family = "ipv4",
): Promise<{ client: number; server: number; accept: Accept; clientPort: number; listenPort: number }> {
  const listener = await listenTcp(ring, family, 4);
  try {
    const client = await ring.run(new Socket(family === "ipv4" ? AF_INET : AF_INET6, SOCK_STREAM));
    const accept = new Accept(listener.fd);
    const [server] = await Promise.all([ring.run(accept), ring.run(new Connect(client, listener.address))]);
    return { client, server, accept, clientPort: await localPort(ring, client), listenPort: listener.port };
  } finally {
    n.close(listener.fd);
  }
}

/** Registers `fds` (-1 for an empty slot) as the ring's file table (IORING_REGISTER_FILES). */
export function registerFiles(ring: IoRing, fds: number[]): void {
  const ret = n.register(ring.fd, IORING_REGISTER_FILES, new Int32Array(fds), fds.length);
  assert.equal(ret, 0, `IORING_REGISTER_FILES: ${ret}`);
}

/** Registers one buffer as fixed buffer 0 (IORING_REGISTER_BUFFERS). The caller keeps `buffer` alive. */
export function registerBuffer(ring: IoRing, buffer: Uint8Array): void {
  const address = n.addressOf(buffer);
  const iovec = new Uint32Array([address >>> 0, Math.floor(address / 2 ** 32), buffer.byteLength, 0]);
  const ret = n.register(ring.fd, IORING_REGISTER_BUFFERS, iovec, 1);
  assert.equal(ret, 0, `IORING_REGISTER_BUFFERS: ${ret}`);
}

/** IORING_OP_ASYNC_CANCEL of one user data: ends a multishot request (io_uring_prep_cancel64). */
export class CancelUserData implements Op {
  readonly name = "async_cancel";
  readonly opcode = IORING_OP_ASYNC_CANCEL;
  readonly since = "5.5";
  readonly target: IoRingErrorTarget = {};
  readonly holdsMemory = false;
  constructor(readonly userData: number) {}
  prep(sqe: SqeWriter): void {
    sqe.prepRw(IORING_OP_ASYNC_CANCEL, -1, this.userData, 0, 0);
  }
}

/** Reads completions until one for `userData` arrives without IORING_CQE_F_MORE (bounded). */
export async function collect(ring: IoRing, userData: number, max = 1000): Promise<Cqe[]> {
  const got: Cqe[] = [];
  for await (const cqe of ring.completions()) {
    assert.equal(cqe.userData, userData, `a completion of ${userData}: ${JSON.stringify(cqe)}`);
    got.push(cqe);
    if ((cqe.flags & IORING_CQE_F_MORE) === 0) break;
    assert.ok(got.length < max, `at most ${max} completions`);
  }
  return got;
}

export { prepWords, type SqeFields, sqeWords } from "./_sqe.ts";

/** A direct descriptor, for tests that read it back. */
export const slot = (index: number): FixedFile => new FixedFile(index);

/** Receives exactly `length` bytes with MSG_WAITALL (a bounded loop: the stream must not end early). */
export async function recvAll(ring: IoRing, fd: number | FixedFile, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  for (let i = 0; i < 1000 && got < length; i++) {
    const n = await ring.run(new Recv(fd, out.subarray(got), { flags: MSG_WAITALL }));
    assert.ok(n > 0, "the stream does not end early");
    got += n;
  }
  assert.equal(got, length);
  return out;
}
