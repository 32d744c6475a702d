// Network op builders without I/O: the socket constants against the C headers,
// socket-address encoding, the exact SQE words of each builder against liburing's prep helpers, and
// argument checks.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { FixedFile, IOSQE_BUFFER_SELECT, IOSQE_FIXED_FILE, IOSQE_IO_LINK } from "../mod.ts";
import {
  IORING_ACCEPT_DONTWAIT,
  IORING_ACCEPT_MULTISHOT,
  IORING_ACCEPT_POLL_FIRST,
  IORING_FILE_INDEX_ALLOC,
  IORING_MSG_RING_CQE_SKIP,
  IORING_MSG_RING_FLAGS_PASS,
  IORING_MSG_SEND_FD,
  IORING_OP_ACCEPT,
  IORING_OP_BIND,
  IORING_OP_CONNECT,
  IORING_OP_LISTEN,
  IORING_OP_MSG_RING,
  IORING_OP_PROVIDE_BUFFERS,
  IORING_OP_RECV,
  IORING_OP_RECVMSG,
  IORING_OP_REMOVE_BUFFERS,
  IORING_OP_SEND,
  IORING_OP_SEND_ZC,
  IORING_OP_SENDMSG,
  IORING_OP_SENDMSG_ZC,
  IORING_OP_SHUTDOWN,
  IORING_OP_SOCKET,
  IORING_OP_URING_CMD,
  IORING_RECV_MULTISHOT,
  IORING_RECVSEND_FIXED_BUF,
  IORING_RECVSEND_POLL_FIRST,
  IORING_SEND_ZC_REPORT_USAGE,
  SOCKET_URING_OP_GETSOCKNAME,
  SOCKET_URING_OP_SETSOCKOPT,
  SOCKET_URING_OP_SIOCINQ,
} from "../kernel/constants.ts";
import * as net from "../kernel/constants.ts";
import {
  AF_INET,
  IPPROTO_TCP,
  MSG_NOSIGNAL,
  MSG_WAITALL,
  SHUT_WR,
  SO_RCVBUF,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../kernel/constants.ts";
import { MSGHDR } from "../kernel/layout.ts";
import { SqeWriter } from "../sqe/writer.ts";
import { addressOf } from "../memory/buffers.ts";
import { bufferId } from "../ops/_net.ts";
import {
  decodeSockaddr,
  encodeSockaddr,
  formatIPv6,
  parseIPv4,
  parseIPv6,
  type SocketAddress,
} from "../memory/sockaddr.ts";
import { Accept } from "../ops/accept.ts";
import { Bind } from "../ops/bind.ts";
import { Connect } from "../ops/connect.ts";
import { Listen } from "../ops/listen.ts";
import { MsgRing, MsgRingFd } from "../ops/msg_ring.ts";
import { ProvideBuffers } from "../ops/provide_buffers.ts";
import { Recv } from "../ops/recv.ts";
import { RecvMsg } from "../ops/recvmsg.ts";
import { RemoveBuffers } from "../ops/remove_buffers.ts";
import { Send } from "../ops/send.ts";
import { SendMsg } from "../ops/sendmsg.ts";
import { SendMsgZc } from "../ops/sendmsg_zc.ts";
import { SendZc } from "../ops/send_zc.ts";
import { Shutdown } from "../ops/shutdown.ts";
import { Socket } from "../ops/socket.ts";
import { SocketCmd } from "../ops/uring_cmd.ts";
import { test } from "./_harness.ts";
import { prepWords, sqeWords } from "./_net_util.ts";

const gccMissing: string | false = await promisify(execFile)("gcc", ["--version"]).then(
  () => false,
  () => "gcc is not installed",
);

/** Compiles `source` with gcc, runs it and parses its "name value" lines. */
function runC(source: string): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "ioring-net-"));
  try {
    writeFileSync(join(dir, "probe.c"), source);
    const cc = spawnSync("gcc", ["-std=gnu11", "-w", "-o", join(dir, "probe"), join(dir, "probe.c")], {
      encoding: "utf8",
    });
    assert.equal(cc.status, 0, `gcc failed:\n${cc.stderr}`);
    const run = spawnSync(join(dir, "probe"), [], { encoding: "utf8" });
    assert.equal(run.status, 0, `probe failed:\n${run.stderr}`);
    const pairs = new Map<string, number>();
    for (const line of run.stdout.split("\n")) {
      if (line === "") continue;
      const [name, value] = line.split(" ");
      pairs.set(name, Number(value));
    }
    return pairs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const writer = () => new SqeWriter(new ArrayBuffer(64), 64).select(0);
const ipv4 = (port: number): SocketAddress => ({ family: "ipv4", address: "127.0.0.1", port });

// ---- constants -------------------------------------------------------------------

test("every socket constant matches the installed C headers", () => {
  const names = Object.keys(net).filter((name) =>
    /^(AF_|SOCK_|IPPROTO_|SOL_|SO_|TCP_|IPV6_|MSG_|SHUT_|SCM_|SOMAXCONN)/.test(name)
  );
  assert.ok(names.length >= 60, "the constants are all checked");
  const source = `#define _GNU_SOURCE
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/io_uring.h>
int main(void) {
${names.map((name) => `  printf("${name} %lld\\n", (long long)(${name}));`).join("\n")}
  return 0;
}
`;
  const c = runC(source);
  for (const name of names) {
    assert.equal((net as unknown as Record<string, number>)[name], c.get(name), `${name} on ${process.arch}`);
  }
}, { skip: gccMissing });

// ---- socket addresses -------------------------------------------------------------

test("sockaddr_in: family in host order, port and address in network order, zero padding", () => {
  const bytes = encodeSockaddr({ family: "ipv4", address: "127.0.0.1", port: 8080 });
  assert.deepEqual([...bytes], [2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(decodeSockaddr(bytes), { family: "ipv4", address: "127.0.0.1", port: 8080 });
  const top = encodeSockaddr({ family: "ipv4", address: "255.254.0.10", port: 65535 });
  assert.deepEqual(decodeSockaddr(top), { family: "ipv4", address: "255.254.0.10", port: 65535 });
});

test("sockaddr_in6: port and flow info big-endian, scope id host order, canonical text back", () => {
  const bytes = encodeSockaddr({ family: "ipv6", address: "::1", port: 443, flowInfo: 0x12345, scopeId: 3 });
  assert.equal(bytes.length, 28);
  assert.deepEqual([...bytes.subarray(0, 8)], [10, 0, 0x01, 0xbb, 0x00, 0x01, 0x23, 0x45]);
  assert.deepEqual([...bytes.subarray(8, 24)], [...new Uint8Array(15), 1]);
  assert.deepEqual([...bytes.subarray(24)], [3, 0, 0, 0]);
  assert.deepEqual(decodeSockaddr(bytes), {
    family: "ipv6",
    address: "::1",
    port: 443,
    flowInfo: 0x12345,
    scopeId: 3,
  });
  const cases: [string, string][] = [
    ["::", "::"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // the first of two equal runs
    ["2001:db8:0:0:0:1:0:0", "2001:db8::1:0:0"], // the longest run
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group stays
    ["fe80::0001:0", "fe80::1:0"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["::ffff:127.0.0.1", "::ffff:127.0.0.1"],
    ["::ffff:7f00:1", "::ffff:127.0.0.1"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
  ];
  for (const [text, canonical] of cases) assert.equal(formatIPv6(parseIPv6(text)), canonical, text);
});

test("sockaddr_un: paths get a NUL, abstract names and unnamed sockets do not", () => {
  const path = encodeSockaddr({ family: "unix", path: "/tmp/s" });
  assert.deepEqual([...path], [1, 0, ...new TextEncoder().encode("/tmp/s"), 0]);
  assert.deepEqual(decodeSockaddr(path), { family: "unix", path: "/tmp/s" });
  const abstract = encodeSockaddr({ family: "unix", path: "\0name" });
  assert.deepEqual([...abstract], [1, 0, 0, ...new TextEncoder().encode("name")]);
  assert.deepEqual(decodeSockaddr(abstract), { family: "unix", path: "\0name" });
  assert.deepEqual([...encodeSockaddr({ family: "unix", path: "" })], [1, 0]);
  assert.deepEqual(decodeSockaddr(new Uint8Array([1, 0])), { family: "unix", path: "" });
  assert.equal(encodeSockaddr({ family: "unix", path: "x".repeat(107) }).length, 110);
  assert.equal(encodeSockaddr({ family: "unix", path: "\0" + "x".repeat(107) }).length, 110);
  // A kernel-reported length past the buffer reads to its end; a full sun_path stops at its NUL.
  const storage = new Uint8Array(128);
  storage.set(path);
  assert.deepEqual(decodeSockaddr(storage, 110), { family: "unix", path: "/tmp/s" });
  assert.deepEqual(decodeSockaddr(path, 1000), { family: "unix", path: "/tmp/s" });
});

test("decoding gives null for empty, short or foreign addresses", () => {
  assert.equal(decodeSockaddr(new Uint8Array(0)), null);
  assert.equal(decodeSockaddr(new Uint8Array(16), 0), null);
  assert.equal(decodeSockaddr(new Uint8Array(16)), null, "AF_UNSPEC");
  assert.equal(decodeSockaddr(new Uint8Array([17, 0, 1, 2, 3, 4, 5, 6])), null, "AF_PACKET");
  assert.equal(decodeSockaddr(encodeSockaddr(ipv4(1)), 6), null, "a truncated sockaddr_in");
});

test("invalid addresses, ports and paths are refused with what and why", () => {
  const bad: [unknown, RegExp][] = [
    [
      { family: "ipv4", address: "127.0.0.1", port: 65536 },
      /port must be an integer from 0 to 65535: current value is 65536/,
    ],
    [{ family: "ipv4", address: "127.0.0.1", port: -1 }, /port must be/],
    [{ family: "ipv4", address: "127.0.0.1", port: 1.5 }, /port must be/],
    [
      { family: "ipv4", address: "1.2.3", port: 1 },
      /an IPv4 address must be four decimal numbers.*"1\.2\.3"/,
    ],
    [{ family: "ipv4", address: "01.2.3.4", port: 1 }, /IPv4/],
    [{ family: "ipv4", address: "256.0.0.1", port: 1 }, /IPv4/],
    [{ family: "ipv4", address: "1.2.3.4 ", port: 1 }, /IPv4/],
    [{ family: "ipv6", address: "::1::", port: 1 }, /an IPv6 address must be/],
    [{ family: "ipv6", address: "[::1]", port: 1 }, /IPv6/],
    [{ family: "ipv6", address: "fe80::1%eth0", port: 1 }, /IPv6/],
    [{ family: "ipv6", address: "1:2:3:4:5:6:7:8:9", port: 1 }, /IPv6/],
    [{ family: "ipv6", address: "12345::", port: 1 }, /IPv6/],
    [{ family: "ipv6", address: "1.2.3.4::", port: 1 }, /IPv6/],
    [
      { family: "ipv6", address: "::1", port: 1, scopeId: -1 },
      /scopeId must be an integer from 0 to 2\^32-1/,
    ],
    [{ family: "ipv6", address: "::1", port: 1, flowInfo: 2 ** 32 }, /flowInfo must be/],
    [{ family: "unix", path: "x".repeat(108) }, /at most 107 bytes: current length is 108/],
    [{ family: "unix", path: "\0" + "x".repeat(108) }, /at most 108 bytes/],
    [{ family: "unix", path: "a\0b" }, /NUL byte/],
  ];
  for (const [address, message] of bad) {
    assert.throws(() => encodeSockaddr(address as SocketAddress, "connect fd 3"), (e: Error) => {
      assert.ok(e instanceof RangeError, `${JSON.stringify(address)}: ${e}`);
      assert.match(e.message, /^Cannot connect fd 3: /);
      assert.match(e.message, message);
      return true;
    });
  }
  assert.throws(() => encodeSockaddr({ family: "ipx" } as unknown as SocketAddress), TypeError);
  assert.throws(() => encodeSockaddr(null as unknown as SocketAddress), TypeError);
  assert.throws(() => encodeSockaddr({ family: "unix", path: 5 } as unknown as SocketAddress), TypeError);
  assert.deepEqual([...parseIPv4("10.0.0.255")], [10, 0, 0, 255]);
});

// ---- SQE words: each builder against the liburing prep helper it matches -----------------

test("send and sendto write the fields of io_uring_prep_send/_sendto", () => {
  const w = writer();
  const send = new Send(5, new Uint8Array(100), { flags: MSG_NOSIGNAL, pollFirst: true, length: 60 });
  // io_uring_prep_send(sqe, 5, buf, 60, MSG_NOSIGNAL); sqe->ioprio |= IORING_RECVSEND_POLL_FIRST
  assert.deepEqual(
    prepWords(send, w),
    sqeWords({
      opcode: IORING_OP_SEND,
      ioprio: IORING_RECVSEND_POLL_FIRST,
      fd: 5,
      addr: addressOf(send.buffer),
      len: 60,
      opFlags: MSG_NOSIGNAL,
    }),
  );
  const sendto = new Send(new FixedFile(2), new Uint8Array(8), { to: ipv4(9) });
  // io_uring_prep_sendto(sqe, 2, buf, 8, 0, addr, 16), with IOSQE_FIXED_FILE for the registered file
  assert.deepEqual(
    prepWords(sendto, w),
    sqeWords({
      opcode: IORING_OP_SEND,
      flags: IOSQE_FIXED_FILE,
      fd: 2,
      addr: addressOf(sendto.buffer),
      len: 8,
      off: addressOf(sendto.address!),
      fileIndex: 16,
    }),
  );
  assert.equal(send.since, "5.19");
  assert.equal(sendto.since, "6.1");
});

test("send_zc writes the fields of io_uring_prep_send_zc_fixed", () => {
  const w = writer();
  const op = new SendZc(6, new Uint8Array(64), { reportUsage: true, fixedBuffer: 3, flags: MSG_WAITALL });
  // io_uring_prep_send_zc_fixed(sqe, 6, buf, 64, MSG_WAITALL, IORING_SEND_ZC_REPORT_USAGE, 3)
  assert.deepEqual(
    prepWords(op, w),
    sqeWords({
      opcode: IORING_OP_SEND_ZC,
      ioprio: IORING_SEND_ZC_REPORT_USAGE | IORING_RECVSEND_FIXED_BUF,
      fd: 6,
      addr: addressOf(op.buffer),
      len: 64,
      opFlags: MSG_WAITALL,
      bufIndex: 3,
    }),
  );
  const plain = new SendZc(6, new Uint8Array(4));
  assert.deepEqual(
    prepWords(plain, w),
    sqeWords({ opcode: IORING_OP_SEND_ZC, fd: 6, addr: addressOf(plain.buffer), len: 4 }),
  );
});

test("recv writes the fields of io_uring_prep_recv, and of _recv_multishot with a buffer group", () => {
  const w = writer();
  const op = new Recv(7, new Uint8Array(100), { length: 50, flags: MSG_WAITALL });
  assert.deepEqual(
    prepWords(op, w),
    sqeWords({ opcode: IORING_OP_RECV, fd: 7, addr: addressOf(op.buffer!), len: 50, opFlags: MSG_WAITALL }),
  );
  const multi = new Recv(7, null, { bufferGroup: 9, multishot: true }).flags(IOSQE_IO_LINK);
  // io_uring_prep_recv_multishot(sqe, 7, NULL, 0, 0); sqe->flags |= IOSQE_BUFFER_SELECT; sqe->buf_group = 9
  assert.deepEqual(
    prepWords(multi, w),
    sqeWords({
      opcode: IORING_OP_RECV,
      flags: IOSQE_BUFFER_SELECT | IOSQE_IO_LINK,
      ioprio: IORING_RECV_MULTISHOT,
      fd: 7,
      bufIndex: 9,
    }),
  );
  assert.equal(multi.holdsMemory, false);
  assert.equal(multi.since, "6.0");
});

test("sendmsg and sendmsg_zc point at a msghdr built like C's, with its iovecs and name", () => {
  const w = writer();
  const a = new Uint8Array(3);
  const b = new Uint8Array(5);
  const op = new SendMsg(8, [a, b], { to: ipv4(7), flags: MSG_NOSIGNAL });
  // io_uring_prep_sendmsg(sqe, 8, &msg, MSG_NOSIGNAL)
  assert.deepEqual(
    prepWords(op, w),
    sqeWords({ opcode: IORING_OP_SENDMSG, fd: 8, addr: addressOf(op.msghdr), len: 1, opFlags: MSG_NOSIGNAL }),
  );
  const h = new DataView(op.msghdr.buffer, op.msghdr.byteOffset, op.msghdr.byteLength);
  const u64 = (o: number) => h.getUint32(o, true) + h.getUint32(o + 4, true) * 2 ** 32;
  assert.equal(u64(MSGHDR.name), addressOf(op.address!));
  assert.equal(h.getUint32(MSGHDR.namelen, true), 16);
  assert.equal(u64(MSGHDR.iov), addressOf(op.iovecs));
  assert.equal(u64(MSGHDR.iovlen), 2);
  assert.equal(u64(MSGHDR.control), 0);
  assert.equal(u64(MSGHDR.controllen), 0);
  assert.equal(h.getInt32(MSGHDR.flags, true), 0);
  const iov = (i: number) => op.iovecs[i * 4] + op.iovecs[i * 4 + 1] * 2 ** 32;
  assert.deepEqual([iov(0), op.iovecs[2], iov(1), op.iovecs[6]], [addressOf(a), 3, addressOf(b), 5]);
  const zc = new SendMsgZc(8, [a], { reportUsage: true });
  // io_uring_prep_sendmsg_zc(sqe, 8, &msg, 0); sqe->ioprio |= IORING_SEND_ZC_REPORT_USAGE
  assert.deepEqual(
    prepWords(zc, w),
    sqeWords({
      opcode: IORING_OP_SENDMSG_ZC,
      ioprio: IORING_SEND_ZC_REPORT_USAGE,
      fd: 8,
      addr: addressOf(zc.msghdr),
      len: 1,
    }),
  );
  assert.equal(zc.since, "6.2");
});

test("recvmsg writes the fields of io_uring_prep_recvmsg and _recvmsg_multishot", () => {
  const w = writer();
  const op = new RecvMsg(9, [new Uint8Array(10)], { controlLength: 24, pollFirst: true });
  assert.deepEqual(
    prepWords(op, w),
    sqeWords({
      opcode: IORING_OP_RECVMSG,
      ioprio: IORING_RECVSEND_POLL_FIRST,
      fd: 9,
      addr: addressOf(op.msghdr),
      len: 1,
    }),
  );
  const h = new DataView(op.msghdr.buffer, op.msghdr.byteOffset, op.msghdr.byteLength);
  assert.equal(h.getUint32(MSGHDR.namelen, true), 128);
  assert.equal(h.getUint32(MSGHDR.controllen, true), 24);
  const multi = new RecvMsg(9, null, { bufferGroup: 4, multishot: true, nameLength: 16 });
  assert.deepEqual(
    prepWords(multi, w),
    sqeWords({
      opcode: IORING_OP_RECVMSG,
      flags: IOSQE_BUFFER_SELECT,
      ioprio: IORING_RECV_MULTISHOT,
      fd: 9,
      addr: addressOf(multi.msghdr),
      len: 1,
      bufIndex: 4,
    }),
  );
  assert.equal(
    new DataView(multi.msghdr.buffer, multi.msghdr.byteOffset, multi.msghdr.byteLength).getBigUint64(
      MSGHDR.iovlen,
      true,
    ),
    0n,
  );
  // A reused builder gets its msghdr lengths back before each preparation.
  h.setUint32(MSGHDR.namelen, 16, true);
  h.setUint32(MSGHDR.controllen, 0, true);
  h.setInt32(MSGHDR.flags, 0x20, true);
  op.prep(w);
  assert.deepEqual([h.getUint32(MSGHDR.namelen, true), h.getUint32(MSGHDR.controllen, true)], [128, 24]);
  assert.equal(h.getInt32(MSGHDR.flags, true), 0);
});

test("accept writes the fields of io_uring_prep_accept, _accept_direct and _multishot_accept_direct", () => {
  const w = writer();
  const op = new Accept(10, { flags: SOCK_NONBLOCK });
  // io_uring_prep_accept(sqe, 10, &addr, &addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC)
  assert.deepEqual(
    prepWords(op, w),
    sqeWords({
      opcode: IORING_OP_ACCEPT,
      fd: 10,
      addr: addressOf(op.peerAddress!),
      off: addressOf(op.peerAddressLength!),
      opFlags: SOCK_NONBLOCK | SOCK_CLOEXEC,
    }),
  );
  assert.equal(op.peerAddressLength![0], 128, "addrlen holds the room");
  const multi = new Accept(10, { multishot: true, direct: "alloc", peerAddress: false, flags: SOCK_CLOEXEC });
  // io_uring_prep_multishot_accept_direct(sqe, 10, NULL, NULL, 0)
  assert.deepEqual(
    prepWords(multi, w),
    sqeWords({
      opcode: IORING_OP_ACCEPT,
      ioprio: IORING_ACCEPT_MULTISHOT,
      fd: 10,
      fileIndex: IORING_FILE_INDEX_ALLOC,
    }),
  );
  const direct = new Accept(10, { direct: 4, dontWait: true, pollFirst: true, peerAddress: false });
  // io_uring_prep_accept_direct(sqe, 10, NULL, NULL, 0, 4), with the 6.10 modifiers in ioprio
  assert.deepEqual(
    prepWords(direct, w),
    sqeWords({
      opcode: IORING_OP_ACCEPT,
      ioprio: IORING_ACCEPT_DONTWAIT | IORING_ACCEPT_POLL_FIRST,
      fd: 10,
      fileIndex: 5,
    }),
  );
  assert.deepEqual([op.since, multi.since, direct.since], ["5.5", "5.19", "6.10"]);
  assert.equal(multi.holdsMemory, false);
});

test("connect, bind, listen and shutdown write the fields of their prep helpers", () => {
  const w = writer();
  const v6: SocketAddress = { family: "ipv6", address: "::1", port: 80 };
  const connect = new Connect(11, v6);
  assert.deepEqual(
    prepWords(connect, w),
    sqeWords({ opcode: IORING_OP_CONNECT, fd: 11, addr: addressOf(connect.address), off: 28 }),
  );
  const bind = new Bind(11, ipv4(0));
  assert.deepEqual(
    prepWords(bind, w),
    sqeWords({ opcode: IORING_OP_BIND, fd: 11, addr: addressOf(bind.address), off: 16 }),
  );
  assert.deepEqual(prepWords(new Listen(11, 64), w), sqeWords({ opcode: IORING_OP_LISTEN, fd: 11, len: 64 }));
  assert.deepEqual(prepWords(new Listen(11), w), sqeWords({ opcode: IORING_OP_LISTEN, fd: 11, len: 4096 }));
  assert.deepEqual(
    prepWords(new Shutdown(11, SHUT_WR), w),
    sqeWords({ opcode: IORING_OP_SHUTDOWN, fd: 11, len: SHUT_WR }),
  );
});

test("socket writes the fields of io_uring_prep_socket, _socket_direct and _socket_direct_alloc", () => {
  const w = writer();
  assert.deepEqual(
    prepWords(new Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), w),
    sqeWords({ opcode: IORING_OP_SOCKET, fd: AF_INET, len: IPPROTO_TCP, off: SOCK_STREAM | SOCK_CLOEXEC }),
  );
  assert.deepEqual(
    prepWords(new Socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, { direct: "alloc" }), w),
    sqeWords({ opcode: IORING_OP_SOCKET, fd: AF_INET, off: SOCK_STREAM, fileIndex: IORING_FILE_INDEX_ALLOC }),
  );
  assert.deepEqual(
    prepWords(new Socket(AF_INET, SOCK_STREAM, 0, { direct: 2 }), w),
    sqeWords({ opcode: IORING_OP_SOCKET, fd: AF_INET, off: SOCK_STREAM, fileIndex: 3 }),
  );
});

test("msg_ring writes the fields of io_uring_prep_msg_ring, _cqe_flags and _msg_ring_fd", () => {
  const w = writer();
  const data = 0x1_2345_6789;
  assert.deepEqual(
    prepWords(new MsgRing(12, data, -5), w),
    sqeWords({ opcode: IORING_OP_MSG_RING, fd: 12, len: 0xfffffffb, off: data }),
  );
  // io_uring_prep_msg_ring_cqe_flags(sqe, 12, 1, 2, 0, 0x40000)
  assert.deepEqual(
    prepWords(new MsgRing(12, 2, 1, { cqeFlags: 0x40000 }), w),
    sqeWords({
      opcode: IORING_OP_MSG_RING,
      fd: 12,
      len: 1,
      off: 2,
      opFlags: IORING_MSG_RING_FLAGS_PASS,
      fileIndex: 0x40000,
    }),
  );
  // io_uring_prep_msg_ring_fd(sqe, 12, 2, 4, 99, IORING_MSG_RING_CQE_SKIP)
  assert.deepEqual(
    prepWords(new MsgRingFd(12, new FixedFile(2), { targetSlot: 4, userData: 99, skipCqe: true }), w),
    sqeWords({
      opcode: IORING_OP_MSG_RING,
      fd: 12,
      addr: IORING_MSG_SEND_FD,
      off: 99,
      addr3: 2,
      fileIndex: 5,
      opFlags: IORING_MSG_RING_CQE_SKIP,
    }),
  );
  // io_uring_prep_msg_ring_fd_alloc(sqe, 3, 0, 7, 0)
  assert.deepEqual(
    prepWords(new MsgRingFd(3, new FixedFile(0), { userData: 7 }), w),
    sqeWords({
      opcode: IORING_OP_MSG_RING,
      fd: 3,
      addr: IORING_MSG_SEND_FD,
      off: 7,
      fileIndex: IORING_FILE_INDEX_ALLOC,
    }),
  );
});

test("socket commands write the fields of io_uring_prep_cmd_sock and _cmd_getsockname", () => {
  const w = writer();
  const set = SocketCmd.setsockopt(13, SOL_SOCKET, SO_RCVBUF, 65536);
  // io_uring_prep_cmd_sock(sqe, SOCKET_URING_OP_SETSOCKOPT, 13, SOL_SOCKET, SO_RCVBUF, &val, 4):
  // cmd_op is the low word of off, level and optname the two words of addr, optval addr3, optlen file_index.
  assert.deepEqual(
    prepWords(set, w),
    sqeWords({
      opcode: IORING_OP_URING_CMD,
      fd: 13,
      off: SOCKET_URING_OP_SETSOCKOPT,
      words: { 4: SOL_SOCKET, 5: SO_RCVBUF },
      addr3: addressOf(set.optval!),
      fileIndex: 4,
    }),
  );
  assert.equal(set.int(), 65536);
  assert.deepEqual(
    prepWords(SocketCmd.siocinq(13), w),
    sqeWords({ opcode: IORING_OP_URING_CMD, fd: 13, off: SOCKET_URING_OP_SIOCINQ }),
  );
  const name = SocketCmd.getsockname(13, true);
  // io_uring_prep_cmd_getsockname(sqe, 13, &addr, &addrlen, 1)
  assert.deepEqual(
    prepWords(name, w),
    sqeWords({
      opcode: IORING_OP_URING_CMD,
      fd: 13,
      off: SOCKET_URING_OP_GETSOCKNAME,
      addr: addressOf(name.optval!),
      addr3: addressOf(name.optlen!),
      fileIndex: 1,
    }),
  );
  assert.deepEqual([set.since, name.since, set.name], ["6.7", "6.19", "uring_cmd SETSOCKOPT"]);
  assert.equal(SocketCmd.siocinq(13).holdsMemory, false);
});

test("provide_buffers and remove_buffers write the fields of their prep helpers", () => {
  const w = writer();
  const pool = new ProvideBuffers(new ArrayBuffer(4096 + 7), 3, 512, { count: 8, startId: 10 });
  // io_uring_prep_provide_buffers(sqe, addr, 512, 8, 3, 10)
  assert.deepEqual(
    prepWords(pool, w),
    sqeWords({
      opcode: IORING_OP_PROVIDE_BUFFERS,
      fd: 8,
      addr: addressOf(pool.memory),
      len: 512,
      off: 10,
      bufIndex: 3,
    }),
  );
  assert.equal(pool.buffer(10).byteOffset, 0);
  assert.equal(pool.buffer(17).byteOffset, 7 * 512);
  assert.equal(pool.buffer(17).length, 512);
  assert.throws(() => pool.buffer(18), /buffer id must be an integer from 10 to 17: current value is 18/);
  assert.equal(new ProvideBuffers(new Uint8Array(1000), 0, 100).count, 10);
  assert.deepEqual(
    prepWords(new RemoveBuffers(3, 8), w),
    sqeWords({ opcode: IORING_OP_REMOVE_BUFFERS, fd: 8, bufIndex: 3 }),
  );
  assert.equal(ProvideBuffers.bufferId((17 << 16) | 1), 17);
  assert.equal(bufferId(17 << 16), -1, "no IORING_CQE_F_BUFFER, no buffer");
});

// ---- argument checks ----------------------------------------------------------------------

test("builders refuse bad arguments before any system call, naming the op, the rule and the value", () => {
  const cases: [() => unknown, ErrorConstructor, RegExp][] = [
    [() => new Send(-101, new Uint8Array(1)), RangeError, /^Cannot send fd -101: fd must be/],
    [
      () => new Send(3, new Uint8Array(4), { length: 5 }),
      RangeError,
      /length must be an integer from 0 to the buffer's 4 bytes: current value is 5/,
    ],
    [() => new Send(3, "text" as unknown as Uint8Array), TypeError, /buffer must be a typed array/],
    [
      () => new Send(3, new Uint8Array(1), { flags: 2 ** 33 }),
      RangeError,
      /flags must be a 32-bit integer: current value is 8589934592/,
    ],
    [
      () => new Send(3, new Uint8Array(1), { to: ipv4(70000) }),
      RangeError,
      /^Cannot send fd 3: port must be/,
    ],
    [() => new Recv(3, null), TypeError, /^Cannot recv fd 3: a null buffer needs options.bufferGroup/],
    [
      () => new Recv(3, new Uint8Array(1), { multishot: true }),
      TypeError,
      /multishot needs options.bufferGroup/,
    ],
    [() => new Recv(3, new Uint8Array(1), { bufferGroup: 1 }), TypeError, /bufferGroup needs a null buffer/],
    [
      () => new Recv(3, null, { bufferGroup: 65536 }),
      RangeError,
      /bufferGroup must be an integer from 0 to 65535: current value is 65536/,
    ],
    [() => new RecvMsg(3, null, { multishot: true }), TypeError, /null buffers need options.bufferGroup/],
    [
      () => new RecvMsg(3, [], { nameLength: 129 }),
      RangeError,
      /nameLength must be an integer from 0 to 128: current value is 129/,
    ],
    [() => new SendMsg(3, "ab" as unknown as Uint8Array[]), TypeError, /buffers must be an array/],
    [
      () => new SendMsg(3, Array.from({ length: 1025 }, () => new Uint8Array(1))),
      RangeError,
      /at most 1024 buffers/,
    ],
    [
      () => new Accept(3, { multishot: true, direct: 2 }),
      RangeError,
      /needs direct: "alloc": current value is 2/,
    ],
    [() => new Accept(3, { direct: -1 }), RangeError, /direct slot must be an integer from 0/],
    [
      () => new Listen(3, -1),
      RangeError,
      /^Cannot listen fd 3: backlog must be an integer from 0 to 2147483647: current value is -1/,
    ],
    [
      () => new Shutdown(3, 3),
      RangeError,
      /how \(SHUT_RD, SHUT_WR or SHUT_RDWR\) must be an integer from 0 to 2: current value is 3/,
    ],
    [() => new Socket(-1, SOCK_STREAM), RangeError, /domain must be/],
    [
      () => new Connect(3, { family: "ipv4", address: "localhost", port: 80 }),
      RangeError,
      /^Cannot connect fd 3: an IPv4 address/,
    ],
    [
      () => new MsgRing(3, -1),
      RangeError,
      /userData must be an integer from 0 to 9007199254740991: current value is -1/,
    ],
    [() => new MsgRing(3, 1, 2 ** 31), RangeError, /res must be an integer from -2147483648 to 2147483647/],
    [() => new MsgRingFd(3, 4 as unknown as FixedFile), TypeError, /source must be a FixedFile/],
    [
      () => new SendZc(3, new Uint8Array(1), { fixedBuffer: 70000 }),
      RangeError,
      /fixedBuffer must be an integer from 0 to 65535/,
    ],
    [() => new SocketCmd(3, 99), RangeError, /cmdOp must be SOCKET_URING_OP_SIOCINQ/],
    [() => new SocketCmd(3, SOCKET_URING_OP_SETSOCKOPT), TypeError, /optval is needed/],
    [() => SocketCmd.setsockopt(3, SOL_SOCKET, SO_RCVBUF, 2 ** 31), RangeError, /value must be an integer/],
    [() => SocketCmd.siocinq(3).int(), TypeError, /fewer than 4 bytes/],
    [
      () => new ProvideBuffers(new Uint8Array(100), 1, 101),
      RangeError,
      /memory must hold at least one buffer of 101 bytes: current size is 100/,
    ],
    [
      () => new ProvideBuffers(new Uint8Array(100), 1, 10, { count: 11 }),
      RangeError,
      /count must be an integer from 1 to 10: current value is 11/,
    ],
    [
      () => new ProvideBuffers(new Uint8Array(100), 1, 10, { startId: 65530 }),
      RangeError,
      /startId must be an integer from 0 to 65526/,
    ],
    [
      () => new RemoveBuffers(1, 0),
      RangeError,
      /count must be an integer from 1 to 65536: current value is 0/,
    ],
    [
      () => new Recv(3, new Uint8Array(1)).ioprio(1),
      TypeError,
      /ioprio field holds its IORING_RECVSEND_\* flags/,
    ],
    [() => new Accept(3).ioprio(1), TypeError, /IORING_ACCEPT_\* flags/],
    [() => new SendMsg(3, []).ioprio(1), TypeError, /IORING_RECVSEND_\*/],
  ];
  for (const [build, type, message] of cases) {
    assert.throws(build, (e: Error) => {
      assert.ok(e instanceof type, `${message}: ${e}`);
      assert.match(e.message, message);
      return true;
    }, `throws ${message}`);
  }
});
