// TCP over io_uring, shaped like Deno.Conn: listeners, connections, streams, errors, on loopback.
import assert from "node:assert/strict";
import { AF_INET, connect, IoRing, IoRingError, listen, SOCK_STREAM, TcpListener } from "../mod.ts";
import { test } from "./_harness.ts";
import { concat, pattern, tempDir } from "./_util.ts";

async function readAll(conn: { readable: ReadableStream<Uint8Array> }): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of conn.readable) chunks.push(chunk.slice());
  return concat(chunks);
}

test("an echo server: 200 KB through readable/writable comes back byte for byte", async () => {
  await using ring = new IoRing();
  await using listener = await listen(ring, { hostname: "127.0.0.1", port: 0 });
  assert.ok(listener.addr.port > 0, "the kernel picked a port and getsockname reports it");
  const served = (async () => {
    for await (const conn of listener) {
      await conn.readable.pipeTo(conn.writable);
      await conn.close();
      break;
    }
  })();
  await using conn = await connect(ring, { hostname: "127.0.0.1", port: listener.addr.port });
  assert.deepEqual(conn.remoteAddr, { transport: "tcp", hostname: "127.0.0.1", port: listener.addr.port });
  const data = pattern(200_000, 21);
  const echoed = readAll(conn);
  await conn.writeAll(data);
  await conn.closeWrite();
  assert.deepEqual(await echoed, data);
  await served;
});

test("the listener's iterator accepts 10 concurrent connections, each served on its own", async () => {
  await using ring = new IoRing();
  await using listener = await listen(ring, { port: 0 });
  const serving: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      serving.push((async () => {
        const buffer = new Uint8Array(16);
        const n = await conn.read(buffer);
        await conn.writeAll(buffer.subarray(0, n ?? 0).reverse());
        await conn.close();
      })());
      if (serving.length === 10) break;
    }
  })();
  const replies = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
    await using conn = await connect(ring, { port: listener.addr.port });
    await conn.writeAll(new Uint8Array([i, 100 + i]));
    const buffer = new Uint8Array(2);
    assert.equal(await conn.read(buffer), 2);
    return Array.from(buffer);
  }));
  await accepting;
  await Promise.all(serving);
  assert.deepEqual(replies, Array.from({ length: 10 }, (_, i) => [100 + i, i]));
});

test("closeWrite makes the peer read end of stream (null), and the other direction still works", async () => {
  await using ring = new IoRing();
  await using listener = await listen(ring, { port: 0 });
  const [client, server] = await Promise.all([
    connect(ring, { port: listener.addr.port }),
    listener.accept(),
  ]);
  try {
    await client.closeWrite();
    assert.equal(await server.read(new Uint8Array(8)), null);
    await server.writeAll(new TextEncoder().encode("still open"));
    const buffer = new Uint8Array(16);
    assert.equal(await client.read(buffer), 10);
  } finally {
    await Promise.all([client.close(), server.close()]);
  }
});

test("connecting to a closed port rejects with ECONNREFUSED; names are refused without DNS", async () => {
  await using ring = new IoRing();
  const listener = await listen(ring, { port: 0 });
  const port = listener.addr.port;
  await listener.close();
  await assert.rejects(
    connect(ring, { port }),
    (e: IoRingError) => e instanceof IoRingError && e.code === "ECONNREFUSED" && e.op === "connect",
  );
  await assert.rejects(connect(ring, { hostname: "example.com", port: 80 }), TypeError);
  await assert.rejects(listen(ring, { port: 70000 }), RangeError);
});

const ipv6Missing: string | false = await (async () => {
  await using ring = new IoRing();
  try {
    await (await listen(ring, { hostname: "::1", port: 0 })).close();
    return false;
  } catch (error) {
    if (error instanceof IoRingError && error.code === "EADDRNOTAVAIL") return "no IPv6 loopback here";
    throw error;
  }
})();

test("IPv6 loopback listens and connects", async () => {
  await using ring = new IoRing();
  await using listener = await listen(ring, { hostname: "::1", port: 0 });
  const [client, server] = await Promise.all([
    connect(ring, { hostname: "::1", port: listener.addr.port }),
    listener.accept(),
  ]);
  try {
    assert.equal(client.remoteAddr.hostname, "::1");
    await client.writeAll(new Uint8Array([1, 2, 3]));
    assert.equal(await server.read(new Uint8Array(3)), 3);
  } finally {
    await Promise.all([client.close(), server.close()]);
  }
}, { skip: ipv6Missing });

test("Unix sockets: listen on a path, connect to it, echo through the same connection type", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = `${dir.path}/echo.sock`;
    await using listener = await listen(ring, { path });
    assert.deepEqual(listener.addr, { transport: "unix", path });
    const [client, server] = await Promise.all([connect(ring, { path }), listener.accept()]);
    try {
      assert.equal(client.remoteAddr.path, path);
      const data = pattern(50_000, 4);
      const echo = server.readable.pipeTo(server.writable);
      const back = readAll(client);
      await client.writeAll(data);
      await client.closeWrite();
      assert.deepEqual(await back, data);
      await echo;
    } finally {
      await Promise.all([client.close(), server.close()]);
    }
    await assert.rejects(
      connect(ring, { path: `${dir.path}/missing.sock` }),
      (e: IoRingError) => e.code === "ENOENT",
    );
  } finally {
    dir.remove();
  }
});

test("zeroCopyAbove sends large writes with SEND_ZC, byte for byte; a bad threshold is a RangeError", async () => {
  await using ring = new IoRing();
  // Counted where the connections send from, so that a threshold ignored would show.
  let zeroCopySends = 0;
  const sendZc = ring.sendZc.bind(ring);
  ring.sendZc = (...args: Parameters<typeof ring.sendZc>) => {
    zeroCopySends++;
    return sendZc(...args);
  };
  await using listener = await listen(ring, { port: 0, zeroCopyAbove: 1024 });
  const data = pattern(300_000, 5);
  const served = (async () => {
    for await (const conn of listener) {
      await conn.readable.pipeTo(conn.writable); // echoes with the listener's threshold
      await conn.close();
      break;
    }
  })();
  await using conn = await connect(ring, { port: listener.addr.port, zeroCopyAbove: 0 });
  const echoed = readAll(conn);
  for (let at = 0; at < data.length; at += 50_000) await conn.writeAll(data.subarray(at, at + 50_000));
  await conn.closeWrite();
  assert.deepEqual(await echoed, data);
  await served;
  assert.ok(zeroCopySends >= 6, `the client's six writes at least went out with SEND_ZC: ${zeroCopySends}`);
  await assert.rejects(connect(ring, { port: listener.addr.port, zeroCopyAbove: -1 }), RangeError);
});

test("bind and listen through libc (kernels before 6.11) give a listener that accepts and echoes", async () => {
  const { bindAndListen } = await import("../net/_listen.ts");
  await using ring = new IoRing();
  for (const viaRing of [false, true]) {
    const fd = await ring.socket(AF_INET, SOCK_STREAM);
    await bindAndListen(ring, fd, { family: "ipv4", address: "127.0.0.1", port: 0 }, 16, viaRing);
    await using listener = new TcpListener(ring, fd);
    assert.ok(listener.addr.port > 0);
    const accepted = listener.accept();
    await using client = await connect(ring, { port: listener.addr.port });
    await using server = await accepted;
    await client.writeAll(new TextEncoder().encode(viaRing ? "ring" : "libc"));
    const buffer = new Uint8Array(4);
    assert.equal(await server.read(buffer), 4);
    assert.equal(new TextDecoder().decode(buffer), viaRing ? "ring" : "libc");
  }
  // An address in use is the kernel's EADDRINUSE on the libc path too.
  await using taken = await listen(ring, { port: 0 });
  const fd = await ring.socket(AF_INET, SOCK_STREAM);
  await assert.rejects(
    bindAndListen(ring, fd, { family: "ipv4", address: "127.0.0.1", port: taken.addr.port }, 16, false),
    (error: unknown) => error instanceof IoRingError && error.code === "EADDRINUSE" && error.op === "bind",
  );
  await ring.close(fd);
});
