// The ring's promise methods for sockets: a TCP echo over loopback and a UDP datagram, end to end.
import assert from "node:assert/strict";
import { Accept, IoRing, IORING_CQE_F_MORE, Recv } from "../mod.ts";
import { AF_INET, SHUT_WR, SOCK_DGRAM, SOCK_STREAM } from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { closeFds, pattern, sleep } from "./_util.ts";
import { localPort, procNet } from "./_net_util.ts";

const LOOPBACK = { family: "ipv4", address: "127.0.0.1", port: 0 } as const;

test("TCP echo through socket/bind/listen/accept/connect/send/recv/shutdown", async () => {
  await using ring = new IoRing();
  const listener = await ring.socket(AF_INET, SOCK_STREAM);
  const client = await ring.socket(AF_INET, SOCK_STREAM);
  let server = -1;
  try {
    await ring.bind(listener, LOOPBACK);
    await ring.listen(listener, 8);
    const port = await localPort(ring, listener);
    const [accepted] = await Promise.all([
      ring.accept(listener),
      ring.connect(client, { ...LOOPBACK, port }),
    ]);
    server = accepted.fd;
    assert.equal(accepted.peer?.family, "ipv4");
    const data = pattern(200_000, 9);
    const echo = (async () => {
      const buffer = new Uint8Array(65536);
      for (;;) {
        const n = await ring.recv(server, buffer);
        if (n === 0) break;
        for (let sent = 0; sent < n;) sent += await ring.send(server, buffer.subarray(sent, n));
      }
      await ring.shutdown(server, SHUT_WR);
    })();
    const got = new Uint8Array(data.length + 1);
    const reading = (async () => {
      let total = 0;
      for (;;) {
        const n = await ring.recv(client, got.subarray(total));
        if (n === 0) return total;
        total += n;
      }
    })();
    for (let sent = 0; sent < data.length;) sent += await ring.send(client, data.subarray(sent));
    await ring.shutdown(client, SHUT_WR);
    assert.equal(await reading, data.length, "the echo ends with the server's shutdown");
    await echo;
    assert.deepEqual(got.subarray(0, data.length), data);
  } finally {
    closeFds(listener, client, ...(server >= 0 ? [server] : []));
  }
}, { skip: procNet ? false : "needs /proc/net to learn the bound port" });

test("a UDP datagram through sendmsg and recvmsg carries its sender's address", async () => {
  await using ring = new IoRing();
  const a = await ring.socket(AF_INET, SOCK_DGRAM);
  const b = await ring.socket(AF_INET, SOCK_DGRAM);
  try {
    await ring.bind(a, LOOPBACK);
    await ring.bind(b, LOOPBACK);
    const [portA, portB] = [await localPort(ring, a), await localPort(ring, b)];
    const message = new TextEncoder().encode("datagram");
    assert.equal(
      await ring.sendmsg(a, [message.subarray(0, 4), message.subarray(4)], {
        to: { ...LOOPBACK, port: portB },
      }),
      8,
    );
    const into = new Uint8Array(32);
    const received = await ring.recvmsg(b, [into], { timeout: 2_000 });
    assert.equal(received.bytes, 8);
    assert.equal(new TextDecoder().decode(into.subarray(0, 8)), "datagram");
    assert.deepEqual(received.address, { family: "ipv4", address: "127.0.0.1", port: portA });
  } finally {
    closeFds(a, b);
  }
}, { skip: procNet ? false : "needs /proc/net to learn the bound port" });

test("a recv with a timeout on a silent socket rejects with ETIMEDOUT", async () => {
  await using ring = new IoRing();
  const fd = await ring.socket(AF_INET, SOCK_DGRAM);
  try {
    await ring.bind(fd, LOOPBACK);
    await assert.rejects(
      ring.run(new Recv(fd, new Uint8Array(8)), { timeout: 20 }),
      (e: Error & { code?: string }) => e.code === "ETIMEDOUT",
    );
  } finally {
    closeFds(fd);
  }
});

test(
  "ring.multishot(Accept) yields each of 20 connections once, and breaking the loop cancels the accept",
  async () => {
    await using ring = new IoRing();
    const listener = await ring.socket(AF_INET, SOCK_STREAM);
    const clients: number[] = [];
    const accepted: number[] = [];
    try {
      await ring.bind(listener, LOOPBACK);
      await ring.listen(listener, 64);
      const port = await localPort(ring, listener);
      const connecting = (async () => {
        for (let i = 0; i < 20; i++) {
          const fd = await ring.socket(AF_INET, SOCK_STREAM);
          clients.push(fd);
          await ring.connect(fd, { ...LOOPBACK, port });
        }
      })();
      for await (const { res, flags } of ring.multishot(new Accept(listener, { multishot: true }))) {
        assert.ok(res >= 0, `accepted fd ${res}`);
        assert.notEqual(flags & IORING_CQE_F_MORE, 0, "more connections may follow");
        accepted.push(res);
        if (accepted.length === 20) break;
      }
      await connecting;
      assert.equal(new Set(accepted).size, 20, "every connection accepted exactly once");
      for (let i = 0; i < 50 && ring.inflight > 0; i++) await sleep(2);
      assert.equal(ring.inflight, 0, "the multishot accept was cancelled when the loop ended");
    } finally {
      closeFds(listener, ...clients, ...accepted);
    }
  },
  { skip: procNet ? false : "needs /proc/net to learn the bound port" },
);
