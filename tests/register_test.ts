// Registration: fixed files and buffers give the same bytes as plain ones; sparse tables, updates, tags,
// unregistering, personalities and io-wq limits, against the real kernel.
import assert from "node:assert/strict";
import {
  FixedBufferPool,
  FixedFile,
  IoRing,
  IoRingError,
  IOSQE_ASYNC,
  IOSQE_IO_LINK,
  Nop,
  O_CREAT,
  O_RDWR,
  Read,
  ReadFixed,
  WriteFixed,
} from "../mod.ts";
import { IORING_OP_ASYNC_CANCEL, IORING_OP_NOP, IORING_REGISTER_FILES_SKIP } from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pattern, pipe, sleep, tempDir } from "./_util.ts";

test("reads through a registered file and a registered buffer equal plain reads", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const data = pattern(64 * 1024, 11);
    const fd = await ring.openat(dir.file("data", data));
    const [file] = ring.registerFiles([fd]);
    const memory = new Uint8Array(64 * 1024);
    ring.registerBuffers([memory, new Uint8Array(4096)]);
    for (const offset of [0, 4096, 60_000]) {
      const plain = new Uint8Array(4096);
      const viaFile = new Uint8Array(4096);
      assert.equal(await ring.read(fd, plain, offset), Math.min(4096, data.length - offset));
      assert.equal(await ring.read(file, viaFile, offset), Math.min(4096, data.length - offset));
      const slice = memory.subarray(8192, 8192 + 4096);
      assert.equal(
        await ring.run(new ReadFixed(file, slice, 0, offset)),
        Math.min(4096, data.length - offset),
      );
      assert.deepEqual(viaFile, plain);
      assert.deepEqual(slice, plain);
      assert.deepEqual(
        plain.subarray(0, data.length - offset > 4096 ? 4096 : data.length - offset),
        data.subarray(offset, offset + 4096),
      );
    }
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("write through a registered buffer lands byte for byte", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const fd = await ring.openat(dir.file("out"), { flags: O_RDWR | O_CREAT });
    const memory = new Uint8Array(8192);
    memory.set(pattern(8192, 5));
    ring.registerBuffers([memory]);
    assert.equal(await ring.run(new WriteFixed(fd, memory.subarray(100, 4196), 0, 0)), 4096);
    const back = new Uint8Array(4096);
    assert.equal(await ring.read(fd, back, 0), 4096);
    assert.deepEqual(back, memory.subarray(100, 4196));
    ring.unregisterBuffers();
    await assert.rejects(
      ring.run(new WriteFixed(fd, memory.subarray(0, 16), 0, 0)),
      IoRingError,
      "no registered buffers any more",
    );
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("a sparse table filled by update serves reads; skip leaves a slot; tags arrive when a file is released", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const a = await ring.openat(dir.file("a", "AAAA"));
    const b = await ring.openat(dir.file("b", "BBBB"));
    const slots = ring.registerSparseFiles(8);
    assert.equal(slots.length, 8);
    await assert.rejects(ring.read(slots[3], new Uint8Array(4), 0), IoRingError, "an empty slot");
    assert.equal(ring.updateFiles(3, [a], { tags: [0x1234] }), 1);
    const got = new Uint8Array(4);
    assert.equal(await ring.read(new FixedFile(3), got, 0), 4);
    assert.equal(new TextDecoder().decode(got), "AAAA");
    // Replace slot 3 with b and skip slot 4: the kernel lets go of a and posts its tag.
    assert.equal(ring.updateFiles(3, [b, IORING_REGISTER_FILES_SKIP]), 2);
    const it = ring.completions();
    const { value } = await it.next();
    assert.equal(value?.userData, 0x1234, "the released file's tag comes back as a completion");
    assert.equal(await ring.read(new FixedFile(3), got, 0), 4);
    assert.equal(new TextDecoder().decode(got), "BBBB");
    ring.unregisterFiles();
    await assert.rejects(
      ring.read(new FixedFile(3), got, 0),
      (e: IoRingError) => ["EBADF", "ENXIO"].includes(e.code),
    );
    await Promise.all([ring.close(a), ring.close(b)]);
  } finally {
    dir.remove();
  }
});

test("bad registration arguments are TypeError/RangeError; kernel refusals name the register opcode", () => {
  using ring = new IoRing();
  assert.throws(() => ring.registerFiles([]), TypeError);
  assert.throws(() => ring.registerFiles([1.5]), RangeError);
  assert.throws(() => ring.registerFiles([0], { tags: [1, 2] }), TypeError);
  assert.throws(() => ring.registerSparseFiles(0), RangeError);
  assert.throws(() => ring.registerBuffers([]), TypeError);
  assert.throws(() => ring.setIowqAffinity([5000]), RangeError);
  ring.registerSparseFiles(2);
  assert.throws(
    () => ring.registerSparseFiles(2),
    (e: IoRingError) => e.code === "EBUSY" && /IORING_REGISTER_FILES2/.test(e.message),
  );
});

test("a personality registered from this process runs an op", async () => {
  await using ring = new IoRing();
  const id = ring.registerPersonality();
  assert.ok(id > 0);
  assert.equal(await ring.run(new Nop().personality(id)), 0);
  ring.unregisterPersonality(id);
  await assert.rejects(
    ring.run(new Nop().personality(id)),
    (e: IoRingError) => e.code === "EINVAL",
    "an unknown personality",
  );
});

test("io-wq limits and affinity can be set and read back", async () => {
  await using ring = new IoRing();
  const first = ring.setIowqMaxWorkers(3, 5);
  assert.ok(first[0] > 0 && first[1] > 0);
  assert.deepEqual(ring.setIowqMaxWorkers(0, 0), [3, 5], "0 reads the current caps back");
  ring.setIowqAffinity([0]);
  ring.setIowqAffinity([]);
  assert.equal(await ring.nop(), 0, "the ring still works");
});

test("restrictions refuse a disallowed op and flag with EACCES, and allow the rest", async () => {
  await using ring = new IoRing({ rDisabled: true });
  ring.registerRestrictions({
    sqeOps: [IORING_OP_NOP, IORING_OP_ASYNC_CANCEL],
    sqeFlagsAllowed: IOSQE_IO_LINK,
  });
  ring.enable();
  assert.equal(await ring.nop(), 0);
  assert.equal(await ring.run(new Nop().flags(IOSQE_IO_LINK)), 0, "an allowed flag");
  await assert.rejects(
    ring.run(new Nop().flags(IOSQE_ASYNC)),
    (e: IoRingError) => e.code === "EACCES",
    "a disallowed flag",
  );
  await assert.rejects(ring.timeout(1), (e: IoRingError) => e.code === "EACCES", "a disallowed op");
  assert.throws(
    () => ring.registerPersonality(),
    (e: IoRingError) => e.code === "EACCES",
    "a disallowed register op",
  );
  assert.throws(
    () => ring.registerRestrictions({ sqeOps: [IORING_OP_NOP] }),
    (e: IoRingError) => e.op === "io_uring_register" && /IORING_REGISTER_RESTRICTIONS/.test(e.message),
    "restrictions are set once",
  );
});

test("restrictions on an enabled ring are refused by the kernel, named", () => {
  using ring = new IoRing();
  assert.throws(
    () => ring.registerRestrictions({ sqeOps: [IORING_OP_NOP] }),
    (e: IoRingError) => e.code === "EBADFD",
  );
  assert.throws(() => ring.registerRestrictions({ sqeOps: [300] }), RangeError);
});

test("a FixedBufferPool lends registered buffers, waits when all are out, and copies a file byte for byte", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  using pool = FixedBufferPool.register(ring, { count: 3, size: 4096 });
  try {
    const data = pattern(10 * 4096 + 123, 8);
    const src = await ring.openat(dir.file("src", data));
    const dst = await ring.openat(dir.file("dst"), { flags: O_RDWR | O_CREAT });
    await Promise.all(Array.from({ length: 11 }, async (_, block) => {
      const buffer = await pool.acquire(); // 11 blocks, 3 buffers: most wait for a release
      try {
        const n = await ring.run(pool.read(src, buffer, block * 4096));
        assert.equal(await ring.run(pool.write(dst, buffer, block * 4096, n)), n);
      } finally {
        pool.release(buffer);
      }
    }));
    assert.equal(pool.available, 3);
    const back = new Uint8Array(data.length + 10);
    assert.equal(await ring.read(dst, back, 0), data.length);
    assert.deepEqual(back.subarray(0, data.length), data);
    const one = pool.tryAcquire()!;
    assert.equal(typeof one.index, "number");
    pool.release(one);
    assert.throws(() => pool.release(one), TypeError, "released twice");
    // Unregistered while acquire() calls wait: they reject instead of waiting forever.
    const held = [pool.tryAcquire()!, pool.tryAcquire()!, pool.tryAcquire()!];
    assert.equal(held.filter((b) => b !== undefined).length, 3);
    const waiting = pool.acquire();
    pool.unregister();
    await assert.rejects(waiting, /the pool was unregistered/);
    await Promise.all([ring.close(src), ring.close(dst)]);
  } finally {
    dir.remove();
  }
});

test("cancelSync has cancelled what was in flight on an fd by the time it returns", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const reads = [ring.read(r, new Uint8Array(1)), ring.read(r, new Uint8Array(1))].map((p) =>
      p.catch((e) => e.code)
    );
    await sleep(10);
    assert.equal(ring.cancelSync(r, { timeout: 1000 }), 2);
    assert.deepEqual(await Promise.all(reads), ["ECANCELED", "ECANCELED"]);
    assert.equal(ring.cancelSync(r), 0, "nothing left on that fd");
    const third = ring.read(r, new Uint8Array(1)).catch((e) => e.code);
    await sleep(10);
    assert.equal(ring.cancelSync("all", { timeout: 1000 }), 1);
    assert.equal(await third, "ECANCELED");
  } finally {
    closeFds(r, w);
  }
});

test("openat opens straight into a registered slot, or a free one, and close frees the slot", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("direct.txt", "direct descriptor");
    ring.registerSparseFiles(8);
    assert.equal(await ring.openat(path, { direct: 5 }), 0, "an explicit slot returns 0");
    const picked = await ring.openat(path, { direct: "alloc" });
    assert.ok(picked >= 0 && picked < 8 && picked !== 5, `the kernel picked slot ${picked}`);
    for (const slot of [5, picked]) {
      const buffer = new Uint8Array(32);
      assert.equal(await ring.read(new FixedFile(slot), buffer, 0), 17);
      assert.equal(new TextDecoder().decode(buffer.subarray(0, 17)), "direct descriptor");
      await ring.close(new FixedFile(slot));
    }
    await assert.rejects(
      ring.read(new FixedFile(5), new Uint8Array(1), 0),
      IoRingError,
      "the slot is empty again",
    );
  } finally {
    dir.remove();
  }
});

test("a caller's eventfd is signalled by completions, async-only with EVENTFD_ASYNC, and can be silenced", async () => {
  await using ring = new IoRing();
  const efd = n.eventfd(0, 0o4000 /* EFD_NONBLOCK */);
  const counter = new BigUint64Array(1);
  const drain = () => (n.read(efd, counter, 8) === 8 ? Number(counter[0]) : 0);
  const [r, w] = pipe();
  try {
    ring.registerEventfd(efd);
    ring.prepare(new Nop(), 1);
    ring.submit();
    assert.ok(drain() > 0, "the NOP's completion signalled the eventfd");
    ring.reap();
    assert.deepEqual(ring.forEachCompletion(() => {}), 1);

    ring.setEventfdEnabled(false);
    ring.prepare(new Nop(), 2);
    ring.submit();
    assert.equal(drain(), 0, "IORING_CQ_EVENTFD_DISABLED silences it");
    ring.setEventfdEnabled(true);
    ring.reap();
    assert.equal(ring.forEachCompletion(() => {}), 1);

    ring.unregisterEventfd();
    ring.registerEventfd(efd, { async: true });
    ring.prepare(new Nop(), 3);
    ring.submit();
    assert.equal(drain(), 0, "an inline completion does not signal an async-only eventfd");
    // EVENTFD_ASYNC signals only for completions posted by the kernel's io-wq workers: IOSQE_ASYNC sends
    // the read there.
    ring.prepare(new Read(r, new Uint8Array(4)).flags(IOSQE_ASYNC), 4);
    ring.submit();
    n.write(w, new Uint8Array([1, 2, 3, 4]), 4);
    let signalled = 0;
    for (let i = 0; i < 200 && signalled === 0; i++) {
      await sleep(2);
      signalled = drain();
    }
    assert.ok(signalled > 0, "the read completed in an io-wq worker and signalled");
    ring.reap();
    const got: number[] = [];
    ring.forEachCompletion((userData) => got.push(userData));
    assert.deepEqual(got.sort(), [3, 4]);
    ring.unregisterEventfd();
    assert.equal(await ring.nop(), 0, "the ring's own waiter works again");
    assert.throws(() => ring.setEventfdEnabled(false), TypeError);
  } finally {
    closeFds(r, w, efd);
  }
});

test("closing a ring driven by the caller's eventfd still settles what was in flight", async () => {
  const ring = new IoRing();
  const efd = n.eventfd(0, 0o4000);
  const [r, w] = pipe();
  try {
    ring.registerEventfd(efd);
    const read = ring.read(r, new Uint8Array(1)).catch((e) => e.code);
    await sleep(10);
    await ring.close();
    assert.equal(await read, "ECANCELED");
  } finally {
    closeFds(r, w, efd);
  }
});

test("a sparse buffer table filled by update serves READ_FIXED, and a replaced buffer's tag comes back", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const fd = await ring.openat(dir.file("b", "fixed buffer"));
    ring.registerSparseBuffers(4);
    await assert.rejects(ring.readFixed(fd, new Uint8Array(16), 2, 0), IoRingError, "an empty buffer slot");
    const first = new Uint8Array(64);
    assert.equal(ring.updateBuffers(2, [first], { tags: [9001] }), 1);
    assert.equal(await ring.readFixed(fd, first.subarray(0, 32), 2, 0), 12);
    assert.equal(new TextDecoder().decode(first.subarray(0, 12)), "fixed buffer");
    ring.updateBuffers(2, [new Uint8Array(64)]);
    const { value } = await ring.completions().next();
    assert.equal(value?.userData, 9001, "the replaced buffer's tag is posted once the kernel let go of it");
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});
