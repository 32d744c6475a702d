// Memory the kernel writes stays alive until the operation's last completion: every user reference to
// the buffers is dropped while reads are in flight, garbage collection is forced, and then the data is
// sent and must land in those same buffers (watched through WeakRefs, which a collection would clear).
// Covers promise, callback and low-level reads, readv, a multishot recv into a buffer ring, a zero-copy send up to
// its notification, two low-level ops sharing one userData, ops cancelled by ring.close(), and a caller
// transferring (detaching) a buffer the kernel is using.
import assert from "node:assert/strict";
import {
  type Cqe,
  IoRing,
  IORING_CQE_F_MORE,
  IORING_CQE_F_NOTIF,
  IoRingError,
  IOSQE_ASYNC,
  Read,
} from "../mod.ts";
import { BufferRing } from "../ring/buffer_ring.ts";
import { Recv } from "../ops/recv.ts";
import { SendZc } from "../ops/send_zc.ts";
import { SendMsg } from "../ops/sendmsg.ts";
import { SocketCmd } from "../ops/uring_cmd.ts";
import { FutexWait } from "../ops/futex_wait.ts";
import { FutexWaitv } from "../ops/futex_waitv.ts";
import { isBun, test } from "./_harness.ts";
import { closeFds, n, needsOps, pattern, pipe, sleep, socketPair } from "./_util.ts";
import { procNet, tcpPair } from "./_net_util.ts";
import { IORING_OP_RECV, IORING_OP_SEND_ZC, SOCKET_URING_OP_GETSOCKOPT } from "../kernel/constants.ts";

const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
const forceGc: (() => void) | undefined = isBun
  ? () => bun!.gc(true)
  : (globalThis as { gc?: () => void }).gc;
const noGc: string | false = forceGc === undefined
  ? "garbage collection cannot be forced: run deno test with --v8-flags=--expose-gc"
  : false;

/** Full collections, with turns of the event loop between them so that WeakRefs may be cleared. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    forceGc!();
    await sleep(0);
  }
}

/**
 * A buffer no one but the ring will reference: the caller keeps only a WeakRef to its ArrayBuffer (the
 * memory the kernel writes; the library may hold its own view over it) and a note of its finalization.
 */
class Watched {
  readonly refs: WeakRef<ArrayBuffer>[] = [];
  readonly collected: string[] = [];
  readonly #registry = new FinalizationRegistry<string>((name) => this.collected.push(name));

  /** A new buffer of `size` bytes filled with 0xee, watched as `name`. */
  make(size: number, name: string): Uint8Array {
    const view = new Uint8Array(size).fill(0xee);
    this.refs.push(new WeakRef(view.buffer));
    this.#registry.register(view.buffer, name);
    return view;
  }

  /** The bytes of watched buffer `i`; it must still be alive. */
  bytes(i: number): Uint8Array {
    const buffer = this.refs[i].deref();
    assert.ok(buffer !== undefined, `buffer ${i} was collected while the kernel could still write it`);
    return new Uint8Array(buffer);
  }

  assertAlive(when: string): void {
    assert.deepEqual(this.collected, [], `collected ${when}`);
    this.refs.forEach((ref, i) => assert.ok(ref.deref() !== undefined, `buffer ${i} collected ${when}`));
  }
}

test("promise reads in flight keep their buffers through forced GC, and the bytes land in them", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const watched = new Watched();
    const count = 8;
    const chunks = Array.from({ length: count }, (_, i) => pattern(64, 100 + i));
    // Each result carries the bytes read into its buffer, fetched by WeakRef as the promise settles.
    const reads = Array.from(
      { length: count },
      (_, i) =>
        ring.read(r, watched.make(64, `read ${i}`)).then((n) => ({ n, bytes: watched.bytes(i).slice() })),
    );
    await sleep(5);
    assert.equal(ring.inflight, count, "the reads wait for data");
    await collect();
    watched.assertAlive("while the reads were in flight");
    for (const chunk of chunks) assert.equal(n.write(w, chunk, chunk.length), 64);
    const results = await Promise.all(reads);
    const seen = new Set<number>();
    for (const { n: got, bytes } of results) {
      assert.equal(got, 64);
      const which = chunks.findIndex((chunk) => chunk.every((b, j) => b === bytes[j]));
      assert.ok(which >= 0, `each buffer holds one chunk exactly: ${bytes.subarray(0, 8)}`);
      seen.add(which);
    }
    assert.equal(seen.size, count, "every chunk landed once");
  } finally {
    closeFds(r, w);
  }
}, { skip: noGc });

test(
  "a low-level read whose builder and buffer were dropped completes into the same memory after GC",
  async () => {
    await using ring = new IoRing();
    const [r, w] = pipe();
    try {
      const watched = new Watched();
      (() => ring.prepare(new Read(r, watched.make(128, "low-level read")), 77))();
      await collect(); // before the submission's microtask, and after it
      assert.equal(ring.inflight, 1);
      watched.assertAlive("while the low-level read was in flight");
      const data = pattern(100, 5);
      assert.equal(n.write(w, data, data.length), 100);
      const it = ring.completions();
      const { value } = await it.next();
      const bytes = watched.bytes(0).slice();
      assert.deepEqual({ userData: (value as Cqe).userData, res: (value as Cqe).res }, {
        userData: 77,
        res: 100,
      });
      assert.deepEqual(bytes.subarray(0, 100), data);
      assert.ok(bytes.subarray(100).every((b) => b === 0xee), "nothing beyond the bytes read");
    } finally {
      closeFds(r, w);
    }
  },
  { skip: noGc },
);

test(
  "a ring.start() read whose builder and buffer were dropped completes into the same memory after GC",
  async () => {
    await using ring = new IoRing();
    const [r, w] = pipe();
    try {
      const watched = new Watched();
      let result: { res: number; bytes: Uint8Array } | undefined;
      (() =>
        ring.start(new Read(r, watched.make(96, "callback read")), (res) => {
          result = { res, bytes: watched.bytes(0).slice() };
        }))();
      await collect();
      assert.equal(ring.inflight, 1);
      watched.assertAlive("while the callback read was in flight");
      const data = pattern(90, 9);
      assert.equal(n.write(w, data, data.length), 90);
      while (result === undefined) await sleep(1);
      assert.equal(result.res, 90);
      assert.deepEqual(result.bytes.subarray(0, 90), data);
      assert.ok(result.bytes.subarray(90).every((b) => b === 0xee), "nothing beyond the bytes read");
    } finally {
      closeFds(r, w);
    }
  },
  { skip: noGc },
);

test("readv keeps every buffer of its iovec array through GC", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const watched = new Watched();
    const read = ring.readv(r, [
      watched.make(10, "iov 0"),
      watched.make(20, "iov 1"),
      watched.make(30, "iov 2"),
    ])
      .then((n) => ({ n, parts: [0, 1, 2].map((i) => watched.bytes(i).slice()) }));
    await sleep(5);
    await collect();
    watched.assertAlive("while readv was in flight");
    const data = pattern(60, 9);
    assert.equal(n.write(w, data, data.length), 60);
    const { n: got, parts } = await read;
    assert.equal(got, 60);
    assert.deepEqual(parts[0], data.subarray(0, 10));
    assert.deepEqual(parts[1], data.subarray(10, 30));
    assert.deepEqual(parts[2], data.subarray(30, 60));
  } finally {
    closeFds(r, w);
  }
}, { skip: noGc });

test(
  "a multishot recv into a buffer ring nobody references keeps the ring's memory through GC",
  async () => {
    await using ring = new IoRing();
    const [left, right] = socketPair();
    try {
      const watched = new Watched();
      // The pool object and its memory are referenced only by the ring while the recv is armed.
      const poolRef = (() => {
        const pool = BufferRing.register(ring, { group: 21, entries: 4, size: 256 });
        watched.refs.push(new WeakRef(pool.buffer(0).buffer as ArrayBuffer));
        return new WeakRef(pool);
      })();
      const stream = ring.multishot(new Recv(right, null, { bufferGroup: 21, multishot: true }));
      const first = stream.next();
      await sleep(5);
      await collect();
      watched.assertAlive("while the multishot recv was armed");
      const data = [pattern(200, 1), pattern(150, 2)];
      for (const chunk of data) {
        assert.equal(n.write(left, chunk, chunk.length), chunk.length);
        const { value } = await (chunk === data[0] ? first : stream.next());
        const pool = poolRef.deref();
        assert.ok(pool !== undefined, "the buffer ring was collected while registered");
        const { bid, data: got } = pool.take(value!.flags, value!.res);
        assert.ok((value!.flags & IORING_CQE_F_MORE) !== 0, "the multishot goes on");
        assert.deepEqual(got, chunk);
        pool.recycle(bid);
        await collect();
      }
      await stream.return!();
      assert.equal(ring.inflight, 0);
    } finally {
      closeFds(left, right);
    }
  },
  { skip: noGc || needsOps(IORING_OP_RECV) },
);

test(
  "a zero-copy send holds its buffer until the notification CQE, through GC in between",
  async () => {
    await using ring = new IoRing();
    const { client, server } = await tcpPair(ring);
    try {
      // Fill the connection first (non-blocking writes until EAGAIN), so the zero-copy bytes wait in the
      // sender's queue after the send's CQE, and their notification comes only once the receiver reads.
      const flags = n.fcntl(client, F_GETFL, 0);
      assert.equal(n.fcntl(client, F_SETFL, flags | O_NONBLOCK), 0);
      const filler = new Uint8Array(64 * 1024).fill(0x55);
      let queued = 0;
      for (let i = 0; i < 1000; i++) {
        const k = n.write(client, filler, filler.length);
        if (k < 0) break;
        queued += k;
      }
      assert.equal(n.fcntl(client, F_SETFL, flags), 0);
      const watched = new Watched();
      const data = pattern(4096, 33);
      (() => {
        const buffer = watched.make(data.length, "send_zc");
        buffer.set(data);
        ring.prepare(new SendZc(client, buffer), 5);
      })();
      await collect();
      watched.assertAlive("with the send_zc queued behind a full connection");
      const cqes: Cqe[] = [];
      const it = ring.completions();
      let next = it.next();
      const total = queued + data.length;
      const received = new Uint8Array(total);
      let got = 0;
      let gcBetween = 0;
      for (let i = 0; i < 100_000 && got < total; i++) {
        got += await ring.recv(server, received.subarray(got, Math.min(total, got + 128 * 1024)));
        const settled = await Promise.race([next, sleep(0).then(() => null)]);
        if (settled !== null) {
          cqes.push(settled.value as Cqe);
          next = it.next();
        }
        if (cqes.length === 1 && gcBetween < 3) {
          await collect();
          // Still in flight after the collections, so in flight during them: its buffer must have survived.
          if (ring.inflight > 0) {
            watched.assertAlive("between the send's CQE and its notification");
            gcBetween++;
          }
        }
      }
      for (let i = 0; i < 10 && cqes.length < 2; i++) {
        cqes.push((await next).value as Cqe);
        next = it.next();
      }
      assert.ok(gcBetween > 0, "the notification came after the send's CQE, with collections in between");
      assert.equal(cqes[0].res, data.length);
      assert.equal(cqes[0].flags & IORING_CQE_F_MORE, IORING_CQE_F_MORE);
      assert.equal(cqes[1].flags & IORING_CQE_F_NOTIF, IORING_CQE_F_NOTIF);
      assert.deepEqual(received.subarray(queued), data);
      assert.equal(ring.inflight, 0);
    } finally {
      closeFds(client, server);
    }
  },
  {
    skip: noGc || needsOps(IORING_OP_SEND_ZC) ||
      (procNet ? false : "/proc/net is not readable, so bound ports cannot be read back"),
  },
);

test(
  "two low-level reads sharing one userData: the one completing first does not release the other's buffer",
  async () => {
    await using ring = new IoRing();
    const [r1, w1] = pipe();
    const [r2, w2] = pipe();
    try {
      const watched = new Watched();
      (() => {
        ring.prepare(new Read(r1, watched.make(32, "first")), 9);
        ring.prepare(new Read(r2, watched.make(32, "second")), 9);
      })();
      await sleep(5);
      const it = ring.completions();
      // The second completes first; the first is still in flight and must keep its buffer.
      assert.equal(n.write(w2, pattern(32, 2), 32), 32);
      const one = await it.next();
      assert.equal((one.value as Cqe).res, 32);
      await collect();
      assert.ok(
        watched.refs[0].deref() !== undefined,
        "the first read's buffer was collected while in flight",
      );
      assert.equal(n.write(w1, pattern(32, 1), 32), 32);
      const two = await it.next();
      assert.equal((two.value as Cqe).res, 32);
      assert.deepEqual(watched.bytes(0), pattern(32, 1));
    } finally {
      closeFds(r1, w1, r2, w2);
    }
  },
  { skip: noGc },
);

test(
  "ring.close() with reads in flight (io-wq and poll-driven): buffers held up to it, both cancelled, the pipe left alone",
  async () => {
    const ring = new IoRing();
    const [r, w] = pipe();
    try {
      const watched = new Watched();
      const outcomes = [
        // IOSQE_ASYNC puts the read on an io-wq worker blocked in pipe_read: its cancellation is asynchronous.
        ring.run(new Read(r, watched.make(16, "io-wq read")).flags(IOSQE_ASYNC)).then(
          () => "resolved",
          (e) => e,
        ),
        ring.read(r, watched.make(16, "poll read")).then(() => "resolved", (e) => e),
      ];
      await sleep(10);
      assert.equal(ring.inflight, 2);
      await collect();
      watched.assertAlive("with reads in flight before close");
      // The cancellations complete inside close() on this kernel (inflight is 0 when it returns), so the
      // buffers are checked up to the close, not between it and the CQEs.
      await ring.close();
      for (const outcome of await Promise.all(outcomes)) {
        assert.ok(outcome instanceof IoRingError, String(outcome));
        assert.match(outcome.code, /^(ECANCELED|EINTR)$/);
      }
      assert.equal(ring.inflight, 0);
      // The pipe is untouched by the closed ring: what is written now stays for the next reader.
      assert.equal(n.write(w, new Uint8Array([1, 2, 3]), 3), 3);
      const back = new Uint8Array(3);
      assert.equal(n.read(r, back, 3), 3);
      assert.deepEqual(back, new Uint8Array([1, 2, 3]));
    } finally {
      closeFds(r, w);
    }
  },
  { skip: noGc },
);

for (
  const [how, transfer] of [
    ["ArrayBuffer.prototype.transfer()", (buffer: ArrayBuffer) => buffer.transfer()],
    [
      "structuredClone with transfer",
      (buffer: ArrayBuffer) => structuredClone(buffer, { transfer: [buffer] }),
    ],
  ] as const
) {
  test(`a buffer detached by ${how} while the kernel owns it: the bytes land in the new owner`, async () => {
    await using ring = new IoRing();
    const [r, w] = pipe();
    try {
      const buffer = new Uint8Array(64).fill(0xee);
      const reading = ring.read(r, buffer);
      await sleep(5);
      assert.equal(ring.inflight, 1);
      // Same length: the engine moves the memory, not the bytes, so the address the kernel holds is now the
      // new ArrayBuffer's. The caller keeps that one alive (see README, Guarantees).
      const moved = new Uint8Array(transfer(buffer.buffer as ArrayBuffer));
      assert.equal(buffer.byteLength, 0, "the caller's view is detached");
      if (forceGc !== undefined) await collect();
      const data = pattern(40, 77);
      assert.equal(n.write(w, data, data.length), 40);
      assert.equal(await reading, 40);
      assert.deepEqual(moved.subarray(0, 40), data);
      assert.ok(moved.subarray(40).every((b) => b === 0xee));
      // The builder-level guard: a detached buffer is never handed to the kernel again.
      await assert.rejects(
        ring.read(r, buffer),
        (e: Error) => e instanceof TypeError && /detached/.test(e.message),
      );
      assert.equal(await ring.nop(), 0);
    } finally {
      closeFds(r, w);
    }
  });
}

test("a reused builder whose buffer was transferred after a completed use is refused, not resubmitted", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const buffer = new Uint8Array(16);
    const read = new Read(r, buffer);
    assert.equal(n.write(w, pattern(16, 1), 16), 16);
    assert.equal(await ring.run(read), 16);
    const moved = new Uint8Array(buffer.buffer.transfer());
    assert.deepEqual(moved, pattern(16, 1));
    await assert.rejects(ring.run(read), /the buffer was detached \(transferred\) after the op was built/);
    assert.throws(() => ring.prepare(read, 1), /the buffer was detached/);
    // The same for the memory of other builders the kernel reads or writes: control bytes, a socket
    // option's value, futex words.
    const control = new Uint8Array(32);
    const sendmsg = new SendMsg(w, [new Uint8Array(1)], { control });
    control.buffer.transfer();
    assert.throws(() => ring.prepare(sendmsg, 2), /the buffer was detached/);
    const optval = new Uint8Array(4);
    const getsockopt = new SocketCmd(r, SOCKET_URING_OP_GETSOCKOPT, { level: 1, optname: 3, optval });
    optval.buffer.transfer();
    assert.throws(() => ring.prepare(getsockopt, 3), /the buffer was detached/);
    const word = new Int32Array(1);
    const wait = new FutexWait(word, 0, 0);
    const waitv = new FutexWaitv([{ futex: word, index: 0, value: 0 }]);
    word.buffer.transfer();
    assert.throws(() => ring.prepare(wait, 4), /the buffer was detached/);
    assert.throws(() => ring.prepare(waitv, 5), /the buffer was detached/);
    assert.equal(ring.inflight, 0);
    assert.equal(ring.queued, 0);
    assert.equal(await ring.nop(), 0);
  } finally {
    closeFds(r, w);
  }
});

test(
  "a buffer ring unregistered while a multishot recv is armed keeps its memory while ops are in flight",
  async () => {
    await using ring = new IoRing();
    const [left, right] = socketPair();
    try {
      const watched = new Watched();
      let pool: BufferRing | null = BufferRing.register(ring, { group: 23, entries: 2, size: 64 });
      watched.refs.push(new WeakRef(pool.buffer(0).buffer as ArrayBuffer));
      const stream = ring.multishot(new Recv(right, null, { bufferGroup: 23, multishot: true }));
      const next = stream.next().then(() => null, (e) => e);
      await sleep(5);
      assert.equal(ring.inflight, 1, "the recv is armed");
      pool.unregister();
      pool = null;
      if (forceGc !== undefined) {
        await collect();
        watched.assertAlive("after unregistering with a recv in flight");
      }
      // The kernel finds no group now: the recv ends with ENOBUFS, and no byte goes anywhere.
      assert.equal(n.write(left, pattern(8, 1), 8), 8);
      const error = await next;
      assert.ok(error instanceof IoRingError && error.code === "ENOBUFS", String(error));
      assert.equal(ring.inflight, 0);
    } finally {
      closeFds(left, right);
    }
  },
  { skip: needsOps(IORING_OP_RECV) },
);
