// Buffer selection on reads (Read and Readv with `bufferGroup`: IOSQE_BUFFER_SELECT and sqe.buf_group, as
// io_uring_prep_read()/io_uring_prep_readv() with a group), the promise methods that say which buffer holds
// the data (ring.read/readv/recv with a BufferRing or a group), ENOBUFS when the group has no buffer, and
// buffers recycled out of order receiving exactly their own bytes. All against the real kernel.
import assert from "node:assert/strict";
import {
  BufferRing,
  FixedFile,
  IoRing,
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_BUFFER,
  IoRingError,
  IOSQE_BUFFER_SELECT,
  IOSQE_FIXED_FILE,
  type Op,
  ProvideBuffers,
  Read,
  Readv,
} from "../mod.ts";
import { IORING_OP_READ, IORING_OP_READV } from "../kernel/constants.ts";
import { addressOf } from "../memory/buffers.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pattern, pipe, socketPair, tempDir } from "./_util.ts";
import { prepWords, sqeWords } from "./_sqe.ts";

/** Prepares `ops` with user data 1, 2, ... and returns their completions in that order. */
async function lowLevel(ring: IoRing, ops: Op[]): Promise<{ res: number; flags: number }[]> {
  ops.forEach((op, i) => ring.prepare(op, i + 1));
  ring.submit();
  const cqes: { res: number; flags: number }[] = [];
  for await (const { userData, res, flags } of ring.completions()) {
    cqes[Number(userData) - 1] = { res, flags };
    if (cqes.filter((c) => c !== undefined).length === ops.length) break;
  }
  return cqes;
}

/** The buffer id a completion names (asserting it names one). */
function bufferIdOf(flags: number): number {
  assert.equal(flags & IORING_CQE_F_BUFFER, IORING_CQE_F_BUFFER, "the completion names a buffer");
  return flags >>> IORING_CQE_BUFFER_SHIFT;
}

test("Read and Readv with bufferGroup read into buffers the kernel picks: provided buffers and a buffer ring", async () => {
  await using ring = new IoRing();
  const dir = tempDir();
  try {
    const data = pattern(300, 3);
    const fd = await ring.openat(dir.file("data", data));
    // A group of provided buffers (ProvideBuffers): 4 × 128 bytes.
    const memory = new Uint8Array(4 * 128);
    await ring.run(new ProvideBuffers(memory, 21, 128));
    const [read, readv, capped] = await lowLevel(ring, [
      new Read(fd, null, 10, { bufferGroup: 21 }), // length 0: the picked buffer's size
      new Readv(fd, null, 20, { bufferGroup: 21, length: 50 }),
      new Read(fd, null, 250, { bufferGroup: 21, length: 100 }), // 50 bytes left in the file
    ]);
    assert.equal(read.res, 128, "a whole buffer");
    assert.equal(readv.res, 50, "the iovec's length caps the read");
    assert.equal(capped.res, 50, "end of file comes first");
    const at = (bid: number, length: number) => memory.subarray(bid * 128, bid * 128 + length);
    assert.deepEqual(at(bufferIdOf(read.flags), 128), data.subarray(10, 138));
    assert.deepEqual(at(bufferIdOf(readv.flags), 50), data.subarray(20, 70));
    assert.deepEqual(at(bufferIdOf(capped.flags), 50), data.subarray(250, 300));
    assert.equal(
      new Set([read, readv, capped].map((c) => bufferIdOf(c.flags))).size,
      3,
      "three distinct buffers",
    );
    // A buffer ring: the completion's buffer id names the bytes in its memory.
    using pool = BufferRing.register(ring, { group: 22, entries: 4, size: 64 });
    const [ringRead, ringReadv] = await lowLevel(ring, [
      new Read(fd, null, 0, { bufferGroup: pool.group, length: 32 }),
      new Readv(fd, null, 100, { bufferGroup: pool.group }),
    ]);
    const first = pool.take(ringRead.flags, ringRead.res);
    assert.deepEqual(first.data, data.subarray(0, 32));
    const second = pool.take(ringReadv.flags, ringReadv.res);
    assert.deepEqual(second.data, data.subarray(100, 164), "a whole 64-byte buffer");
    assert.notEqual(first.bid, second.bid);
    pool.recycle(first.bid);
    pool.recycle(second.bid);
    // A pipe at the file position.
    const [readEnd, writeEnd] = pipe();
    try {
      const message = pattern(40, 9);
      assert.equal(n.write(writeEnd, message, message.length), 40);
      pool.flush();
      const [piped] = await lowLevel(ring, [new Read(readEnd, null, -1, { bufferGroup: pool.group })]);
      const took = pool.take(piped.flags, piped.res);
      assert.deepEqual(took.data, message);
      pool.recycle(took.bid);
    } finally {
      closeFds(readEnd, writeEnd);
    }
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("Read and Readv with bufferGroup write liburing's SQE: no address, the length cap, BUFFER_SELECT, buf_group", () => {
  assert.deepEqual(
    prepWords(new Read(5, null, 7, { bufferGroup: 300, length: 64 })),
    sqeWords({ opcode: IORING_OP_READ, flags: IOSQE_BUFFER_SELECT, fd: 5, off: 7, len: 64, bufIndex: 300 }),
  );
  assert.deepEqual(
    prepWords(new Read(new FixedFile(3), null, -1, { bufferGroup: 0, rwFlags: 4 })),
    sqeWords({
      opcode: IORING_OP_READ,
      flags: IOSQE_BUFFER_SELECT | IOSQE_FIXED_FILE,
      fd: 3,
      off: -1,
      opFlags: 4,
    }),
  );
  // readv with a group takes exactly one iovec, whose length is the cap and whose base the kernel ignores.
  const readv = new Readv(6, null, 9, { bufferGroup: 65535, length: 4096, rwFlags: 2 });
  assert.deepEqual(
    prepWords(readv),
    sqeWords({
      opcode: IORING_OP_READV,
      flags: IOSQE_BUFFER_SELECT,
      fd: 6,
      off: 9,
      addr: addressOf(readv.iovecs),
      len: 1,
      opFlags: 2,
      bufIndex: 65535,
    }),
  );
  assert.deepEqual([...readv.iovecs], [0, 0, 4096, 0]);
  assert.deepEqual(readv.buffers, []);
  const read = new Read(5, null, 0, { bufferGroup: 1 });
  assert.equal(read.buffer, null);
  assert.equal(read.holdsMemory, false, "no memory of its own: the group's belongs to the ring");
  assert.deepEqual([read.since, readv.since], ["5.7", "5.7"], "IOSQE_BUFFER_SELECT came with 5.7");
  assert.deepEqual([new Read(5, new Uint8Array(1)).since, new Readv(5, [new Uint8Array(1)]).since], [
    "5.6",
    "5.1",
  ]);
  // Bad input, before any system call.
  assert.throws(() => new Read(5, null), {
    name: "TypeError",
    message: "Cannot read fd 5: a null buffer needs options.bufferGroup: current value is undefined",
  });
  assert.throws(() => new Read(5, new Uint8Array(4), 0, { bufferGroup: 1 }), {
    name: "TypeError",
    message:
      "Cannot read fd 5: bufferGroup needs a null buffer (the kernel picks one): current buffer is a Uint8Array",
  });
  assert.throws(() => new Read(5, null, 0, { bufferGroup: 65536 }), RangeError);
  assert.throws(() => new Read(5, null, 0, { bufferGroup: 1, length: -1 }), RangeError);
  assert.throws(() => new Readv(5, null, 0), {
    name: "TypeError",
    message: "Cannot readv fd 5: null buffers need options.bufferGroup: current value is undefined",
  });
  assert.throws(() => new Readv(5, [new Uint8Array(4)], 0, { bufferGroup: 1 }), {
    name: "TypeError",
    message:
      "Cannot readv fd 5: bufferGroup needs null buffers (the kernel picks one buffer): current value is an array of 1",
  });
});

test("ring.read/readv/recv with a BufferRing resolve with the taken buffer, null at end of file or stream", async () => {
  await using ring = new IoRing();
  const dir = tempDir();
  using pool = BufferRing.register(ring, { group: 40, entries: 4, size: 64 });
  const [left, right] = socketPair();
  try {
    const data = pattern(100, 4);
    const fd = await ring.openat(dir.file("data", data));
    const got = await ring.read(fd, pool, 0);
    assert.ok(got !== null);
    assert.deepEqual([got.bid, got.more], [0, false]);
    assert.deepEqual(got.data, data.subarray(0, 64));
    assert.equal(got.data.buffer, pool.buffer(0).buffer, "a view of the buffer, not a copy");
    assert.equal(pool.available, 3, "the buffer is the caller's until recycled");
    pool.recycle(got.bid);
    const capped = await ring.read(fd, pool, 64, { length: 10 });
    assert.deepEqual(capped?.data, data.subarray(64, 74));
    pool.recycle(capped!.bid);
    const vectored = await ring.readv(fd, pool, 5);
    assert.deepEqual(vectored?.data, data.subarray(5, 69));
    pool.recycle(vectored!.bid);
    // End of file: null, and the buffer the kernel consumed for the empty read is back in the ring.
    assert.equal(await ring.read(fd, pool, 100), null);
    pool.flush();
    assert.equal(pool.available, 4);
    assert.equal(pool.head(), 4, "the kernel used four buffers");
    // recv: each message in the buffer the completion names.
    for (const [length, seed] of [[17, 1], [64, 2], [1, 3]]) {
      const message = pattern(length, seed);
      assert.equal(n.write(left, message, length), length);
      const received = await ring.recv(right, pool);
      assert.ok(received !== null);
      assert.deepEqual(received.data, message);
      assert.deepEqual(pool.buffer(received.bid).subarray(0, length), message);
      pool.recycle(received.bid);
    }
    n.close(left);
    assert.equal(await ring.recv(right, pool), null, "end of stream");
    pool.flush();
    assert.equal(pool.available, 4, "no buffer lost");
    await ring.close(fd);
  } finally {
    closeFds(right);
    dir.remove();
  }
});

test("ring.read/readv/recv with a null buffer and bufferGroup resolve with the bytes and the buffer id", async () => {
  await using ring = new IoRing();
  const dir = tempDir();
  const [left, right] = socketPair();
  try {
    const data = pattern(200, 5);
    const fd = await ring.openat(dir.file("data", data));
    const memory = new Uint8Array(8 * 32);
    await ring.run(new ProvideBuffers(memory, 41, 32));
    const at = (id: number, length: number) => memory.subarray(id * 32, id * 32 + length);
    const read = await ring.read(fd, null, 0, { bufferGroup: 41 });
    assert.equal(read.bytes, 32);
    assert.ok(read.bufferId !== null && read.bufferId >= 0 && read.bufferId < 8);
    assert.deepEqual(at(read.bufferId, 32), data.subarray(0, 32));
    const readv = await ring.readv(fd, null, 40, { bufferGroup: 41, length: 20 });
    assert.equal(readv.bytes, 20);
    assert.deepEqual(at(readv.bufferId!, 20), data.subarray(40, 60));
    const message = pattern(25, 6);
    n.write(left, message, message.length);
    const recv = await ring.recv(right, null, { bufferGroup: 41 });
    assert.equal(recv.bytes, 25);
    assert.deepEqual(at(recv.bufferId!, 25), message);
    assert.equal(new Set([read.bufferId, readv.bufferId, recv.bufferId]).size, 3);
    n.close(left);
    assert.deepEqual(await ring.recv(right, null, { bufferGroup: 41 }), { bytes: 0, bufferId: null });
    await ring.close(fd);
  } finally {
    closeFds(right);
    dir.remove();
  }
});

test("a group with no buffer left rejects the promise with IoRingError ENOBUFS; recycling cures it", async () => {
  await using ring = new IoRing();
  const dir = tempDir();
  using pool = BufferRing.register(ring, { group: 42, entries: 1, size: 16 });
  const [left, right] = socketPair();
  try {
    const data = pattern(64, 7);
    const fd = await ring.openat(dir.file("data", data));
    const first = await ring.read(fd, pool, 0);
    assert.ok(first !== null);
    const dry = (e: unknown) =>
      e instanceof IoRingError && e.code === "ENOBUFS" && /buffer group 42 ran dry/.test(e.message);
    await assert.rejects(ring.read(fd, pool, 0), dry);
    await assert.rejects(ring.readv(fd, pool, 0), dry);
    n.write(left, data, 8);
    await assert.rejects(ring.recv(right, pool), dry);
    pool.recycle(first.bid);
    assert.deepEqual((await ring.recv(right, pool))?.data, data.subarray(0, 8), "the bytes waited");
    // A group of provided buffers that ran out, and a group nothing was given to.
    const small = new Uint8Array(16); // the kernel writes it: kept reachable to the end
    await ring.run(new ProvideBuffers(small, 43, 16));
    await ring.read(fd, null, 0, { bufferGroup: 43 });
    for (const group of [43, 44]) {
      await assert.rejects(
        ring.read(fd, null, 0, { bufferGroup: group }),
        (e: unknown) => e instanceof IoRingError && e.code === "ENOBUFS" && e.op === "read",
      );
    }
    assert.deepEqual(small, data.subarray(0, 16));
    await ring.close(fd);
  } finally {
    closeFds(left, right);
    dir.remove();
  }
});

test("ring.read/recv with a BufferRing refuse a pool they cannot use", async () => {
  await using ring = new IoRing();
  await using other = new IoRing();
  using pool = BufferRing.register(ring, { group: 45, entries: 2, size: 16 });
  using elsewhere = BufferRing.register(other, { group: 45, entries: 2, size: 16 });
  const [left, right] = socketPair();
  try {
    await assert.rejects(ring.recv(right, pool, { multishot: true } as never), {
      name: "TypeError",
      message: /multishot.*ring\.multishot\(\)/,
    });
    await assert.rejects(ring.recv(right, elsewhere), {
      name: "TypeError",
      message: /the buffer ring of group 45 must be registered on this ring/,
    });
    await assert.rejects(ring.read(right, pool, -1, { bufferGroup: 3 } as never), {
      name: "TypeError",
      message: /bufferGroup comes from the buffer ring/,
    });
    const gone = BufferRing.register(ring, { group: 46, entries: 2, size: 16 });
    gone.unregister();
    await assert.rejects(ring.recv(right, gone), {
      name: "TypeError",
      message: /the buffer ring of group 46 was unregistered/,
    });
    assert.equal(pool.available, 2);
    assert.equal(elsewhere.available, 2);
  } finally {
    closeFds(left, right);
  }
});

test("buffers recycled out of order each receive exactly their own bytes", async () => {
  // Recycling puts a buffer at the ring's tail, so after an out-of-order recycle the ring's slots no longer
  // match the buffer ids: an entry that pointed at the slot's memory rather than the buffer id's would send
  // the bytes to another buffer than the one the completion names.
  for (const kind of ["recv", "read"] as const) {
    await using ring = new IoRing();
    using pool = BufferRing.register(ring, { group: 50, entries: 4, size: 32 });
    const [readEnd, writeEnd] = kind === "recv" ? socketPair() : pipe();
    try {
      const receive = async (payload: Uint8Array) => {
        assert.equal(n.write(writeEnd, payload, payload.length), payload.length);
        const got = kind === "recv" ? await ring.recv(readEnd, pool) : await ring.read(readEnd, pool);
        assert.ok(got !== null);
        return got;
      };
      const taken = [];
      for (let i = 0; i < 4; i++) taken.push((await receive(pattern(32, i + 1))).bid);
      assert.deepEqual(taken, [0, 1, 2, 3], `${kind}: the first round takes the buffers in ring order`);
      const order = [2, 0, 3, 1];
      for (const bid of order) pool.recycle(bid);
      pool.flush();
      const payloads = order.map((_, i) => pattern(20 + i, 100 + i));
      const bids = [];
      for (const payload of payloads) {
        const got = await receive(payload);
        bids.push(got.bid);
        assert.deepEqual(got.data, payload, `${kind}: buffer ${got.bid} holds its completion's bytes`);
      }
      assert.deepEqual(bids, order, `${kind}: the kernel picks buffers in the order they were recycled`);
      // Each buffer's memory holds exactly its own payload, and the rest of it is the first round's bytes.
      for (const [i, bid] of order.entries()) {
        const expected = pattern(32, bid + 1);
        expected.set(payloads[i]);
        assert.deepEqual(pool.buffer(bid), expected, `${kind}: buffer ${bid}, no other completion's bytes`);
      }
    } finally {
      closeFds(readEnd, writeEnd);
    }
  }
});
