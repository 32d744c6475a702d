// Network ops against real sockets on loopback: TCP over IPv4 and IPv6, UDP, Unix socket pairs,
// multishot accept and receive with provided buffers, direct descriptors and socket commands.
import assert from "node:assert/strict";
import { Close, FixedFile, IoRing, IORING_CQE_F_BUFFER, IORING_CQE_F_MORE, IoRingError } from "../mod.ts";
import {
  AF_INET,
  AF_UNIX,
  MSG_CTRUNC,
  MSG_DONTWAIT,
  MSG_TRUNC,
  MSG_WAITALL,
  SCM_RIGHTS,
  SHUT_WR,
  SO_RCVBUF,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../kernel/constants.ts";
import { Accept } from "../ops/accept.ts";
import { Bind } from "../ops/bind.ts";
import { Connect } from "../ops/connect.ts";
import { Listen } from "../ops/listen.ts";
import { ProvideBuffers } from "../ops/provide_buffers.ts";
import { Recv } from "../ops/recv.ts";
import { RecvMsg } from "../ops/recvmsg.ts";
import { RemoveBuffers } from "../ops/remove_buffers.ts";
import { Send } from "../ops/send.ts";
import { SendMsg } from "../ops/sendmsg.ts";
import { Shutdown } from "../ops/shutdown.ts";
import { Socket } from "../ops/socket.ts";
import { SocketCmd } from "../ops/uring_cmd.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pattern, pipe, sleep, socketPair } from "./_util.ts";
import {
  bindUdp,
  CancelUserData,
  collect,
  type Family,
  ipv6Missing,
  listenTcp,
  localPort,
  procNet,
  procPort,
  recvAll,
  registerFiles,
  tcpPair,
} from "./_net_util.ts";
import { EAGAIN, ECANCELED, ECONNREFUSED, ENOBUFS } from "../kernel/errno.ts";

const noPorts: string | false = procNet
  ? false
  : "/proc/net is not readable, so bound ports cannot be read back";
const v6Reason: string | false = noPorts || await (async () => {
  await using ring = new IoRing({ entries: 4 });
  return await ipv6Missing(ring);
})();

for (const family of ["ipv4", "ipv6"] as Family[]) {
  test(
    `TCP over ${family} loopback: bind, listen, connect, accept, send and recv move exact bytes`,
    async () => {
      await using ring = new IoRing({ entries: 32 });
      const { client, server, accept, clientPort, listenPort } = await tcpPair(ring, family);
      try {
        // accept reports the client's own address and port.
        assert.deepEqual(accept.peer(), {
          family,
          address: family === "ipv4" ? "127.0.0.1" : "::1",
          port: clientPort,
          ...(family === "ipv6" ? { flowInfo: 0, scopeId: 0 } : {}),
        });
        assert.notEqual(clientPort, listenPort);
        const up = pattern(300_000, 11);
        const down = pattern(70_001, 12);
        const [sentUp, gotUp] = await Promise.all([
          ring.run(new Send(client, up, { flags: MSG_WAITALL })),
          recvAll(ring, server, up.length),
        ]);
        assert.equal(sentUp, up.length);
        assert.deepEqual(gotUp, up);
        const [sentDown, gotDown] = await Promise.all([
          ring.run(new Send(server, down, { flags: MSG_WAITALL })),
          recvAll(ring, client, down.length),
        ]);
        assert.equal(sentDown, down.length);
        assert.deepEqual(gotDown, down);
        // shutdown(SHUT_WR): the peer reads end of stream, and the other direction still works.
        assert.equal(await ring.run(new Shutdown(client, SHUT_WR)), 0);
        assert.equal(await ring.run(new Recv(server, new Uint8Array(16))), 0);
        assert.equal(await ring.run(new Send(server, new Uint8Array([1, 2, 3]))), 3);
        assert.deepEqual(await recvAll(ring, client, 3), new Uint8Array([1, 2, 3]));
      } finally {
        closeFds(client, server);
      }
    },
    { skip: family === "ipv6" ? v6Reason : noPorts },
  );
}

test("connect to a port nobody listens on rejects with ECONNREFUSED naming connect and the fd", async () => {
  await using ring = new IoRing();
  const listener = await listenTcp(ring);
  n.close(listener.fd); // the port is now closed
  const fd = await ring.run(new Socket(AF_INET, SOCK_STREAM));
  try {
    const error = await ring.run(new Connect(fd, listener.address)).then(() => null, (e) => e);
    assert.ok(error instanceof IoRingError);
    assert.equal(error.errno, ECONNREFUSED);
    assert.equal(error.op, "connect");
    assert.equal(error.fd, fd);
  } finally {
    n.close(fd);
  }
}, { skip: noPorts });

test("UDP: sendto and sendmsg deliver datagrams whose sender recvmsg reports", async () => {
  await using ring = new IoRing();
  const a = await bindUdp(ring);
  const b = await bindUdp(ring);
  try {
    const payload = pattern(1000, 3);
    assert.equal(await ring.run(new Send(a.fd, payload, { to: b.address })), 1000);
    const op = new RecvMsg(b.fd, [new Uint8Array(600), new Uint8Array(600)]);
    assert.equal(await ring.run(op), 1000);
    assert.deepEqual(new Uint8Array([...op.buffers[0], ...op.buffers[1].subarray(0, 400)]), payload);
    assert.deepEqual(op.result(), { address: a.address, control: new Uint8Array(0), flags: 0 });
    // Two iovecs out, one datagram in; a short buffer truncates it and says so.
    const parts = [pattern(7, 4), pattern(9, 5)];
    assert.equal(await ring.run(new SendMsg(b.fd, parts, { to: a.address })), 16);
    const short = new RecvMsg(a.fd, [new Uint8Array(10)]);
    assert.equal(await ring.run(short), 10);
    assert.deepEqual(short.buffers[0], new Uint8Array([...parts[0], ...parts[1]]).subarray(0, 10));
    assert.deepEqual(short.result().address, b.address);
    assert.equal(short.result().flags & MSG_TRUNC, MSG_TRUNC);
    // The same builder again: its msghdr lengths are restored, so the address comes back whole.
    assert.equal(await ring.run(new Send(b.fd, new Uint8Array([9]), { to: a.address })), 1);
    assert.equal(await ring.run(short), 1);
    assert.deepEqual(short.result(), { address: b.address, control: new Uint8Array(0), flags: 0 });
  } finally {
    closeFds(a.fd, b.fd);
  }
}, { skip: noPorts });

test("UDP over IPv6 loopback: sendto and recvmsg", async () => {
  await using ring = new IoRing();
  const a = await bindUdp(ring, "ipv6");
  const b = await bindUdp(ring, "ipv6");
  try {
    assert.equal(await ring.run(new Send(a.fd, pattern(33, 1), { to: b.address })), 33);
    const op = new RecvMsg(b.fd, [new Uint8Array(64)]);
    assert.equal(await ring.run(op), 33);
    assert.deepEqual(op.buffers[0].subarray(0, 33), pattern(33, 1));
    assert.deepEqual(op.result().address, { ...a.address, flowInfo: 0, scopeId: 0 });
  } finally {
    closeFds(a.fd, b.fd);
  }
}, { skip: v6Reason });

test("sendmsg passes a pipe's fd over a Unix socket with SCM_RIGHTS, and recvmsg hands it over", async () => {
  await using ring = new IoRing();
  const [left, right] = socketPair();
  const [pr, pw] = pipe();
  let received = -1;
  try {
    // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } + one int, padded to CMSG_SPACE(4) = 24.
    const control = new DataView(new ArrayBuffer(24));
    control.setUint32(0, 20, true); // CMSG_LEN(4)
    control.setInt32(8, SOL_SOCKET, true);
    control.setInt32(12, SCM_RIGHTS, true);
    control.setInt32(16, pw, true);
    assert.equal(await ring.run(new SendMsg(left, [new Uint8Array([42])], { control })), 1);
    const op = new RecvMsg(right, [new Uint8Array(4)], { controlLength: 24, nameLength: 0 });
    assert.equal(await ring.run(op), 1);
    const result = op.result();
    assert.equal(result.address, null);
    assert.equal(result.flags & MSG_CTRUNC, 0);
    assert.equal(result.control.length, 24);
    const cmsg = new DataView(result.control.buffer, result.control.byteOffset, result.control.length);
    assert.deepEqual([cmsg.getUint32(0, true), cmsg.getInt32(8, true), cmsg.getInt32(12, true)], [
      20,
      SOL_SOCKET,
      SCM_RIGHTS,
    ]);
    received = cmsg.getInt32(16, true);
    assert.ok(received >= 0 && received !== pw);
    // The received fd is the pipe's write end: bytes written to it come out of the pipe.
    assert.equal(n.write(received, new Uint8Array([7, 8]), 2), 2);
    const back = new Uint8Array(2);
    assert.equal(n.read(pr, back, 2), 2);
    assert.deepEqual(back, new Uint8Array([7, 8]));
  } finally {
    closeFds(left, right, pr, pw, ...(received >= 0 ? [received] : []));
  }
});

test(
  "multishot accept takes 100 connections, each once, with IORING_CQE_F_MORE until cancelled",
  async () => {
    await using ring = new IoRing({ entries: 256, cqEntries: 1024 });
    const listener = await listenTcp(ring, "ipv4", 256);
    const clients: number[] = [];
    const accepted: number[] = [];
    try {
      const ACCEPT = 1;
      const CANCEL = 2;
      ring.prepare(new Accept(listener.fd, { multishot: true, peerAddress: false }), ACCEPT);
      const count = 100;
      const reaper = (async () => {
        for await (const cqe of ring.completions()) {
          if (cqe.userData === CANCEL) {
            assert.equal(cqe.res, 0, "the cancel found the multishot accept");
            continue;
          }
          assert.equal(cqe.userData, ACCEPT);
          if (accepted.length < count) {
            assert.ok(cqe.res >= 0, `accept ${accepted.length}: ${cqe.res}`);
            assert.equal(cqe.flags & IORING_CQE_F_MORE, IORING_CQE_F_MORE, "armed for more");
            accepted.push(cqe.res);
            if (accepted.length === count) ring.prepare(new CancelUserData(ACCEPT), CANCEL);
            continue;
          }
          // The cancelled multishot's last completion ends it.
          assert.equal(cqe.res, -ECANCELED);
          assert.equal(cqe.flags & IORING_CQE_F_MORE, 0);
          return;
        }
      })();
      for (let i = 0; i < count; i++) clients.push(await ring.run(new Socket(AF_INET, SOCK_STREAM)));
      await Promise.all(clients.map((fd) => ring.run(new Connect(fd, listener.address))));
      // Each client sends its index; each accepted socket must carry exactly one of them.
      await Promise.all(clients.map((fd, i) => ring.run(new Send(fd, new Uint8Array([i])))));
      await reaper;
      assert.equal(new Set(accepted).size, count, "distinct fds");
      const seen = await Promise.all(accepted.map(async (fd) => (await recvAll(ring, fd, 1))[0]));
      assert.deepEqual(seen.sort((x, y) => x - y), Array.from({ length: count }, (_, i) => i));
    } finally {
      closeFds(listener.fd, ...clients, ...accepted);
    }
  },
  { skip: noPorts },
);

test("multishot recv fills provided buffers, ids in cqe.flags, until ENOBUFS; then end of stream", async () => {
  await using ring = new IoRing();
  const [left, right] = socketPair();
  const pool = new ProvideBuffers(new ArrayBuffer(4 * 64), 7, 64, { startId: 100 });
  try {
    assert.equal(await ring.run(pool), 0);
    ring.prepare(new Recv(right, null, { bufferGroup: 7, multishot: true }), 5);
    const it = ring.completions();
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const message = pattern(10 + i, 20 + i);
      assert.equal(n.write(left, message, message.length), message.length);
      const { value: cqe } = await it.next();
      assert.equal(cqe!.userData, 5);
      assert.equal(cqe!.res, message.length);
      assert.equal(
        cqe!.flags & (IORING_CQE_F_BUFFER | IORING_CQE_F_MORE),
        IORING_CQE_F_BUFFER | IORING_CQE_F_MORE,
      );
      const id = ProvideBuffers.bufferId(cqe!.flags);
      ids.push(id);
      assert.deepEqual(pool.buffer(id).subarray(0, cqe!.res), message, `message ${i} in buffer ${id}`);
    }
    assert.deepEqual([...ids].sort(), [100, 101, 102, 103], "each buffer used once");
    // All four buffers are used: the next message finds none, and the multishot ends with ENOBUFS.
    assert.equal(n.write(left, new Uint8Array([1, 2, 3]), 3), 3);
    const { value: last } = await it.next();
    assert.deepEqual([last!.userData, last!.res, last!.flags & IORING_CQE_F_MORE], [5, -ENOBUFS, 0]);
    // The group is empty now (older kernels drop it: ENOENT); refill one buffer and read the waiting
    // message with a single-shot select.
    const removed = await ring.run(new RemoveBuffers(7, 4)).catch((e: IoRingError) => e.code);
    assert.ok(removed === 0 || removed === "ENOENT", `nothing left to remove: ${removed}`);
    await ring.run(new ProvideBuffers(pool.memory, 7, 64, { count: 1, startId: 100 }));
    const flags: number[] = [];
    ring.prepare(new Recv(right, null, { bufferGroup: 7 }), 6);
    for await (const cqe of ring.completions({ stopWhenIdle: true })) {
      assert.deepEqual([cqe.userData, cqe.res], [6, 3]);
      flags.push(cqe.flags);
    }
    assert.equal(ProvideBuffers.bufferId(flags[0]), 100);
    assert.deepEqual(pool.buffer(100).subarray(0, 3), new Uint8Array([1, 2, 3]));
    // A multishot on a closed peer ends with res 0 and no F_MORE.
    await ring.run(new ProvideBuffers(pool.memory, 7, 64, { count: 4, startId: 100 }));
    ring.prepare(new Recv(right, null, { bufferGroup: 7, multishot: true }), 8);
    n.close(left);
    const end = await collect(ring, 8);
    assert.deepEqual(end.map((c) => c.res), [0]);
    assert.equal(await ring.run(new RemoveBuffers(7, 100)), 4);
  } finally {
    closeFds(left, right);
  }
});

test("multishot recvmsg on UDP: each buffer decodes to the sender, the payload and its length", async () => {
  await using ring = new IoRing();
  const server = await bindUdp(ring);
  const client = await bindUdp(ring);
  // MSG_TRUNC: payloadLength is the datagram's full length even when the buffer holds less.
  const op = new RecvMsg(server.fd, null, { bufferGroup: 2, multishot: true, flags: MSG_TRUNC });
  const pool = new ProvideBuffers(new ArrayBuffer(3 * 256), 2, 256);
  try {
    await ring.run(pool);
    ring.prepare(op, 9);
    const sizes = [1, 100, 500]; // the last exceeds what a 256-byte buffer holds after the header and name
    for (const [i, size] of sizes.entries()) {
      assert.equal(await ring.run(new Send(client.fd, pattern(size, i + 1), { to: server.address })), size);
    }
    assert.equal(await ring.run(new Send(client.fd, new Uint8Array(1), { to: server.address })), 1);
    const cqes = await collect(ring, 9);
    assert.equal(cqes.length, 4, "three messages, then ENOBUFS");
    for (const [i, size] of sizes.entries()) {
      const cqe = cqes[i];
      assert.equal(cqe.flags & IORING_CQE_F_MORE, IORING_CQE_F_MORE);
      const out = op.decodeOut(pool.buffer(ProvideBuffers.bufferId(cqe.flags)), cqe.res);
      assert.deepEqual(out.address, client.address);
      assert.equal(out.payloadLength, size);
      const room = 256 - 16 - 128;
      assert.deepEqual(out.payload, pattern(size, i + 1).subarray(0, Math.min(size, room)));
      assert.equal(out.flags & MSG_TRUNC, size > room ? MSG_TRUNC : 0);
      assert.equal(out.control.length, 0);
    }
    assert.equal(cqes[3].res, -ENOBUFS);
    assert.throws(() => op.decodeOut(pool.buffer(0), 100), /res must be from 144 to the buffer's 256 bytes/);
  } finally {
    closeFds(server.fd, client.fd);
  }
}, { skip: noPorts });

test("recv with pollFirst waits for data; accept with dontWait fails at once with EAGAIN", async () => {
  await using ring = new IoRing();
  const [left, right] = socketPair();
  const listener = await listenTcp(ring);
  try {
    const buffer = new Uint8Array(8);
    const pending = ring.run(new Recv(right, buffer, { pollFirst: true }));
    await ring.nop();
    assert.equal(n.write(left, new Uint8Array([5, 6]), 2), 2);
    assert.equal(await pending, 2);
    assert.deepEqual(buffer.subarray(0, 2), new Uint8Array([5, 6]));
    await assert.rejects(
      ring.run(new Accept(listener.fd, { dontWait: true })),
      (e: IoRingError) => e.errno === EAGAIN && e.op === "accept" && e.fd === listener.fd,
    );
    // pollFirst: armed before the connection exists, completes when it arrives.
    const accept = new Accept(listener.fd, { pollFirst: true });
    const accepting = ring.run(accept);
    const client = await ring.run(new Socket(AF_INET, SOCK_STREAM));
    await ring.run(new Connect(client, listener.address));
    const server = await accepting;
    assert.equal(accept.peer()?.family, "ipv4");
    closeFds(client, server);
  } finally {
    closeFds(left, right, listener.fd);
  }
}, { skip: noPorts });

test("direct descriptors: socket, connect, accept and send through the registered-file table", async () => {
  await using ring = new IoRing();
  registerFiles(ring, [-1, -1, -1, -1, -1, -1, -1, -1]);
  const listener = await listenTcp(ring);
  try {
    // A socket in an explicit slot (res 0) and one in an allocated slot (res = the slot).
    assert.equal(await ring.run(new Socket(AF_INET, SOCK_STREAM, 0, { direct: 5 })), 0);
    const allocated = await ring.run(new Socket(AF_INET, SOCK_DGRAM, 0, { direct: "alloc" }));
    assert.ok(allocated >= 0 && allocated < 8 && allocated !== 5);
    const client = new FixedFile(5);
    const accept = new Accept(listener.fd, { direct: "alloc" });
    const [slot] = await Promise.all([ring.run(accept), ring.run(new Connect(client, listener.address))]);
    assert.ok(slot >= 0 && slot < 8 && slot !== 5 && slot !== allocated);
    const server = new FixedFile(slot);
    const data = pattern(5000, 9);
    const [sent, got] = await Promise.all([
      ring.run(new Send(client, data, { flags: MSG_WAITALL })),
      recvAll(ring, server, data.length),
    ]);
    assert.equal(sent, data.length);
    assert.deepEqual(got, data);
    assert.equal(await ring.run(new Shutdown(server, SHUT_WR)), 0);
    assert.equal(await ring.run(new Recv(client, new Uint8Array(4))), 0);
    // A multishot accept into allocated slots.
    ring.prepare(new Accept(listener.fd, { multishot: true, direct: "alloc", peerAddress: false }), 3);
    const other = await ring.run(new Socket(AF_INET, SOCK_STREAM));
    await ring.run(new Connect(other, listener.address));
    const { value: cqe } = await ring.completions().next();
    assert.equal(cqe!.userData, 3);
    assert.ok(cqe!.res >= 0 && cqe!.res < 8 && ![5, allocated, slot].includes(cqe!.res), `slot ${cqe!.res}`);
    assert.equal(cqe!.flags & IORING_CQE_F_MORE, IORING_CQE_F_MORE);
    ring.prepare(new CancelUserData(3), 4);
    const rest: [number, number][] = [];
    for await (const c of ring.completions({ stopWhenIdle: true })) rest.push([c.userData, c.res]);
    n.close(other);
    assert.deepEqual(rest.sort(), [[3, -ECANCELED], [4, 0]]);
  } finally {
    n.close(listener.fd);
  }
}, { skip: noPorts });

test("socket commands: SIOCINQ, SIOCOUTQ, SETSOCKOPT and GETSOCKOPT", async () => {
  await using ring = new IoRing();
  const { client, server } = await tcpPair(ring);
  try {
    // Linux doubles SO_RCVBUF for its bookkeeping.
    assert.equal(await ring.run(SocketCmd.setsockopt(client, SOL_SOCKET, SO_RCVBUF, 65536)), 0);
    const get = SocketCmd.getsockopt(client, SOL_SOCKET, SO_RCVBUF);
    assert.equal(await ring.run(get), 4);
    assert.equal(get.int(), 131072);
    const type = SocketCmd.getsockopt(server, SOL_SOCKET, SO_TYPE, new Int32Array(1));
    assert.equal(await ring.run(type), 4);
    assert.equal(type.int(), SOCK_STREAM);
    assert.equal(await ring.run(SocketCmd.siocinq(server)), 0);
    // Fill the connection while the server reads nothing: its receive queue and the client's unacknowledged
    // send queue both hold bytes.
    const data = pattern(1 << 20, 3);
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 64; i++) {
      const res = await ring.run(new Send(client, data, { flags: MSG_DONTWAIT })).catch((e: IoRingError) =>
        e
      );
      if (res instanceof IoRingError) {
        assert.equal(res.errno, EAGAIN);
        break;
      }
      sent.push(data.subarray(0, res));
    }
    const total = sent.reduce((sum, part) => sum + part.length, 0);
    const inq = await until(ring, SocketCmd.siocinq(server), (v) => v > 0);
    const outq = await ring.run(SocketCmd.siocoutq(client));
    assert.ok(inq > 0 && inq <= total, `SIOCINQ ${inq} of ${total}`);
    assert.ok(outq > 0 && outq <= total, `SIOCOUTQ ${outq} of ${total}`);
    const got = await recvAll(ring, server, total);
    let offset = 0;
    for (const part of sent) {
      assert.deepEqual(got.subarray(offset, offset + part.length), part);
      offset += part.length;
    }
    assert.equal(await until(ring, SocketCmd.siocoutq(client), (v) => v === 0), 0, "all acknowledged");
    assert.equal(await ring.run(SocketCmd.siocinq(server)), 0, "all read");
    // GETSOCKOPT is limited to SOL_SOCKET.
    await assert.rejects(
      ring.run(SocketCmd.getsockopt(client, 6, /* IPPROTO_TCP */ 1 /* TCP_NODELAY */)),
      (e: IoRingError) => e.code === "EOPNOTSUPP" && e.op === "uring_cmd GETSOCKOPT",
    );
    // A Unix socket's protocol has no ioctl: the commands that need one are refused.
    const [a, b] = socketPair();
    await assert.rejects(ring.run(SocketCmd.siocinq(a)), (e: IoRingError) => e.code === "EOPNOTSUPP");
    closeFds(a, b);
  } finally {
    closeFds(client, server);
  }
}, { skip: noPorts });

/** Runs a socket command until its result passes `ok` (at most 200 tries, 5 ms apart). */
async function until(ring: IoRing, op: SocketCmd, ok: (res: number) => boolean): Promise<number> {
  let res = await ring.run(op);
  for (let i = 0; i < 200 && !ok(res); i++) {
    await sleep(5);
    res = await ring.run(op);
  }
  return res;
}

const getsocknameReason: string | false = noPorts || await (async () => {
  await using ring = new IoRing({ entries: 4 });
  const [a, b] = socketPair();
  try {
    await ring.run(SocketCmd.getsockname(a));
    return false;
  } catch (error) {
    return `SOCKET_URING_OP_GETSOCKNAME is not in this kernel (6.19): ${(error as Error).message}`;
  } finally {
    closeFds(a, b);
  }
})();

test("socket command GETSOCKNAME names the local and the peer address", async () => {
  await using ring = new IoRing();
  const { client, server, clientPort, listenPort } = await tcpPair(ring);
  try {
    const local = SocketCmd.getsockname(client);
    const peer = SocketCmd.getsockname(client, true);
    assert.equal(await ring.run(local), 16);
    assert.equal(await ring.run(peer), 16);
    assert.deepEqual(local.address(), { family: "ipv4", address: "127.0.0.1", port: procPort(client) });
    assert.equal(procPort(client), clientPort);
    assert.deepEqual(peer.address(), { family: "ipv4", address: "127.0.0.1", port: listenPort });
  } finally {
    closeFds(client, server);
  }
}, { skip: getsocknameReason });

test("bind of a Unix socket path and of an address in use fail as bind(2) does", async () => {
  await using ring = new IoRing();
  const listener = await listenTcp(ring);
  const fd = await ring.run(new Socket(AF_INET, SOCK_STREAM));
  const unix = await ring.run(new Socket(AF_UNIX, SOCK_STREAM));
  try {
    await assert.rejects(
      ring.run(new Bind(fd, listener.address)),
      (e: IoRingError) => e.code === "EADDRINUSE" && e.op === "bind" && e.fd === fd,
    );
    // An abstract Unix name: bind, listen, connect, accept.
    const name = `\0ioring-test-${Date.now()}-${Math.random()}`;
    await ring.run(new Bind(unix, { family: "unix", path: name }));
    await ring.run(new Listen(unix, 1));
    const client = await ring.run(new Socket(AF_UNIX, SOCK_STREAM));
    const accept = new Accept(unix);
    const [server] = await Promise.all([
      ring.run(accept),
      ring.run(new Connect(client, { family: "unix", path: name })),
    ]);
    assert.deepEqual(accept.peer(), { family: "unix", path: "" }, "an unbound client has no name");
    assert.equal(await ring.run(new Send(client, new Uint8Array([4]))), 1);
    assert.deepEqual(await recvAll(ring, server, 1), new Uint8Array([4]));
    assert.equal(await ring.run(new Close(server)), 0);
    closeFds(client);
    assert.ok(await localPort(ring, listener.fd) > 0);
  } finally {
    closeFds(fd, unix, listener.fd);
  }
}, { skip: noPorts });
