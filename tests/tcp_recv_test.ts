// How connections receive: one multishot RECV into a ring-wide buffer ring, back pressure per
// connection, a fallback when the pool runs dry, and read deadlines that lose no bytes.
import assert from "node:assert/strict";
import {
  BufferRing,
  connect,
  IoRing,
  IORING_CQE_F_MORE,
  IORING_TIMEOUT_MULTISHOT,
  IoRingError,
  listen,
  NET_BUFFER_GROUP,
  type NetAddr,
  Recv,
  type TcpConn,
  Timeout,
  type UnixAddr,
} from "../mod.ts";
import { IORING_OP_RECV } from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { needsOps, pattern, sleep, socketPair, tempDir } from "./_util.ts";

/** Reads exactly `length` bytes, in reads of at most `step` bytes. */
async function readExactly(
  conn: TcpConn<NetAddr | UnixAddr>,
  length: number,
  step = 65536,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let at = 0; at < length;) {
    const n = await conn.read(out.subarray(at, Math.min(length, at + step)));
    assert.notEqual(n, null, `end of stream after ${at} of ${length} bytes`);
    at += n!;
  }
  return out;
}

/** A listener and `count` connected pairs: [client, server side]. */
async function pairs(ring: IoRing, count: number) {
  const listener = await listen(ring, { port: 0 });
  const accepted: TcpConn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      accepted.push(conn);
      if (accepted.length === count) break;
    }
  })();
  const clients: TcpConn[] = [];
  for (let i = 0; i < count; i++) clients.push(await connect(ring, { port: listener.addr.port }));
  await accepting;
  return { listener, clients, accepted };
}

test("a connection receives into the ring's shared buffer ring (group NET_BUFFER_GROUP)", async () => {
  await using ring = new IoRing();
  const { listener, clients: [client], accepted: [server] } = await pairs(ring, 1);
  await client.writeAll(pattern(100, 3));
  assert.deepEqual(await readExactly(server, 100), pattern(100, 3));
  // The group is taken now: the library registered its pool there.
  assert.throws(
    () => BufferRing.register(ring, { group: NET_BUFFER_GROUP, entries: 2, size: 64 }),
    (error: unknown) => error instanceof IoRingError && error.code === "EEXIST",
  );
  await Promise.all([client.close(), server.close(), listener.close()]);
}, { skip: needsOps(IORING_OP_RECV) });

test("small reads of a 4 MiB stream take it apart and put it back together byte for byte", async () => {
  await using ring = new IoRing();
  const { listener, clients: [client], accepted: [server] } = await pairs(ring, 1);
  const data = pattern(4 << 20, 9);
  const sending = client.writeAll(data);
  // Reads of 1000 bytes cut across the 16 KiB pool buffers.
  const got = await readExactly(server, data.length, 1000);
  await sending;
  assert.deepEqual(got, data);
  await client.closeWrite();
  assert.equal(await server.read(new Uint8Array(8)), null, "end of stream after the data");
  await Promise.all([client.close(), server.close(), listener.close()]);
});

test(
  "40 connections with 512 KiB each left unread exceed the pool; every byte still arrives in order",
  async () => {
    await using ring = new IoRing();
    const count = 40;
    const { listener, clients, accepted } = await pairs(ring, count);
    // Start receiving on each server side, then let every client send far more than the pool holds.
    const first = await Promise.all(accepted.map(async (conn, i) => {
      await clients[i].writeAll(new Uint8Array([i]));
      return (await readExactly(conn, 1))[0];
    }));
    assert.deepEqual(first, Array.from({ length: count }, (_, i) => i));
    const size = 512 * 1024;
    const sending = clients.map((client, i) => client.writeAll(pattern(size, 100 + i)));
    // Nothing reads for a moment: 40 connections × 8 held buffers outnumber the pool's 256, so some RECVs
    // end with ENOBUFS and their reads re-arm or fall back to a plain RECV. (Which of these happened is not
    // observable from here: what this proves is that none of them loses or reorders a byte.)
    await sleep(100);
    const received = await Promise.all(accepted.map((conn) => readExactly(conn, size, 7000)));
    await Promise.all(sending);
    received.forEach((bytes, i) => assert.deepEqual(bytes, pattern(size, 100 + i), `connection ${i}`));
    await Promise.all([...clients, ...accepted].map((conn) => conn.close()));
    await listener.close();
  },
  { timeout: 60_000 },
);

test("a read that times out loses no bytes: the next read gets what arrived after it gave up", async () => {
  await using ring = new IoRing();
  const { listener, clients: [client], accepted: [server] } = await pairs(ring, 1);
  const buffer = new Uint8Array(16);
  const started = performance.now();
  await assert.rejects(
    server.read(buffer, { timeout: 50 }),
    (error: unknown) => error instanceof IoRingError && error.code === "ETIMEDOUT" && error.op === "recv",
  );
  assert.ok(performance.now() - started >= 45, "the read waited for its deadline");
  const controller = new AbortController();
  const aborted = server.read(buffer, { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(aborted, /stop/);
  await client.writeAll(new TextEncoder().encode("late"));
  assert.equal(await server.read(buffer), 4);
  assert.equal(new TextDecoder().decode(buffer.subarray(0, 4)), "late");
  await Promise.all([client.close(), server.close(), listener.close()]);
});

test("a read on a closed connection rejects with EBADF; a read pending at close ends", async () => {
  await using ring = new IoRing();
  const { listener, clients: [client], accepted: [server] } = await pairs(ring, 1);
  const pending = server.read(new Uint8Array(8));
  await server.close();
  await assert.rejects(pending, (error: unknown) => error instanceof IoRingError && error.code === "EBADF");
  await assert.rejects(
    server.read(new Uint8Array(8)),
    (error: unknown) => error instanceof IoRingError && error.code === "EBADF",
  );
  await Promise.all([client.close(), listener.close()]);
});

test("1 MiB each way over a Unix socket through the same receive path", async () => {
  const dir = tempDir();
  try {
    await using ring = new IoRing();
    await using listener = await listen(ring, { path: `${dir.path}/s` });
    const data = pattern(1 << 20, 17);
    const served = (async () => {
      for await (const conn of listener) {
        const got = await readExactly(conn, data.length, 30000);
        await conn.writeAll(got);
        await conn.close();
        break;
      }
    })();
    await using conn = await connect(ring, { path: `${dir.path}/s` });
    await conn.writeAll(data);
    assert.deepEqual(await readExactly(conn, data.length), data);
    assert.equal(await conn.read(new Uint8Array(1)), null);
    await served;
  } finally {
    dir.remove();
  }
});

test("ring.stream() calls back for every completion, the last included, then settles", async () => {
  await using ring = new IoRing();
  const seen: [number, boolean][] = [];
  const res = await ring.stream(
    new Timeout(2, { count: 3, flags: IORING_TIMEOUT_MULTISHOT }),
    (res, flags) => seen.push([res, (flags & IORING_CQE_F_MORE) !== 0]),
  ).catch((error) => error);
  assert.deepEqual(seen, [[-62, true], [-62, true], [-62, false]], "three ticks, the last without F_MORE");
  assert.ok(res instanceof IoRingError && res.code === "ETIME");

  // A cancelled multishot RECV: the callback sees the final completion, then the promise rejects.
  using pool = BufferRing.register(ring, { group: 5, entries: 4, size: 64 });
  const [left, right] = socketPair();
  const controller = new AbortController();
  const flags: number[] = [];
  const receiving = ring.stream(
    new Recv(right, null, { bufferGroup: pool.group, multishot: true }),
    (res, f) => {
      flags.push(f);
      if (res > 0) pool.recycle(pool.take(f, res).bid);
    },
    { signal: controller.signal },
  );
  await ring.write(left, new Uint8Array([1, 2, 3]));
  while (flags.length === 0) await sleep(1);
  controller.abort(new Error("enough"));
  await assert.rejects(receiving, /enough/);
  assert.equal(flags.at(-1)! & IORING_CQE_F_MORE, 0, "the last completion seen has no F_MORE");
  await ring.close(left);
  await ring.close(right);
  await assert.rejects(ring.stream(new Timeout(1), null as never), TypeError);
});

test("two reads waiting at once both complete as bytes arrive; neither is lost", async () => {
  await using ring = new IoRing();
  const { listener, clients: [client], accepted: [server] } = await pairs(ring, 1);
  const a = new Uint8Array(8), b = new Uint8Array(8);
  const first = server.read(a).then((n) => new TextDecoder().decode(a.subarray(0, n!)));
  const second = server.read(b, { timeout: 5_000 }).then((n) => new TextDecoder().decode(b.subarray(0, n!)));
  await client.writeAll(new TextEncoder().encode("ab"));
  const winner = await Promise.race([first, second]);
  assert.equal(winner, "ab");
  await client.writeAll(new TextEncoder().encode("cd"));
  const both = await Promise.all([first, second]);
  assert.deepEqual(both.sort(), ["ab", "cd"]);
  await Promise.all([client.close(), server.close(), listener.close()]);
});

test("a read bounded by a signal: the same signal over many reads, two signals at once, bytes kept", async () => {
  await using ring = new IoRing();
  const { listener, clients: [client], accepted: [server] } = await pairs(ring, 1);
  const stop = new AbortController();
  const buffer = new Uint8Array(16);
  // 200 reads that each wait for their byte, all with one signal.
  for (let i = 0; i < 200; i++) {
    const reading = server.read(buffer, { signal: stop.signal });
    await client.writeAll(new Uint8Array([i]));
    assert.equal(await reading, 1);
    assert.equal(buffer[0], i);
  }
  // Two reads waiting at once on different signals: each abort rejects its own read only.
  const other = new AbortController();
  const first = server.read(new Uint8Array(4), { signal: stop.signal });
  const second = server.read(new Uint8Array(4), { signal: other.signal });
  other.abort(new Error("second"));
  await assert.rejects(second, /second/);
  stop.abort(new Error("first"));
  await assert.rejects(first, /first/);
  await assert.rejects(
    server.read(buffer, { signal: stop.signal }),
    /first/,
    "an aborted signal refuses at once",
  );
  // Bytes that arrive after the reads gave up wait for the next read.
  await client.writeAll(new Uint8Array([42, 43]));
  assert.deepEqual(await readExactly(server, 2), new Uint8Array([42, 43]));
  await client.close();
  await server.close();
  await listener.close();
});

test("readThen: the callback read calls back once per read with the bytes, null at the end, the error after close", async () => {
  await using ring = new IoRing();
  const { listener, clients, accepted: [server, other] } = await pairs(ring, 2);
  const readOnce = (conn: TcpConn, buffer: Uint8Array) =>
    new Promise<[number | null, unknown, number]>((resolve) => {
      let calls = 0;
      conn.readThen(buffer, (n, error) => {
        calls++;
        // A second call would arrive within the tick that follows: count them before answering.
        setTimeout(() => resolve([n, error, calls]), 20);
      });
    });
  const buffer = new Uint8Array(64);
  const pending = readOnce(server, buffer); // waits for bytes not sent yet
  await sleep(20);
  const client = clients.find((c) => c.localAddr.port === server.remoteAddr.port)!;
  await client.writeAll(pattern(40, 9));
  const [n, error, calls] = await pending;
  assert.equal(error, undefined);
  assert.equal(calls, 1);
  assert.deepEqual(buffer.subarray(0, n!), pattern(40, 9));
  await client.closeWrite();
  assert.deepEqual(await readOnce(server, buffer), [null, undefined, 1]);
  const [emptyN] = await readOnce(server, new Uint8Array(0));
  assert.equal(emptyN, 0, "an empty buffer reads 0 at once");
  await other.close();
  const [closedN, closedError, closedCalls] = await readOnce(other, buffer);
  assert.equal(closedN, null);
  assert.ok(closedError instanceof IoRingError, `an IoRingError after close: ${closedError}`);
  assert.equal(closedCalls, 1);
  for (const conn of [...clients, server]) await conn.close();
  listener.close();
});
