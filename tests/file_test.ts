// Reads and writes against real files: bytes at offsets, vectored I/O, errors with errno names.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { IoRing, IoRingError, O_CREAT, O_RDWR, O_WRONLY, Statx } from "../mod.ts";
import { test } from "./_harness.ts";
import { closeFds, pattern, pipe, tempDir } from "./_util.ts";

test("write then read at offsets gives back the same bytes", async () => {
  const dir = tempDir();
  await using ring = new IoRing({ entries: 16 });
  try {
    const fd = await ring.openat(dir.file("data"), { flags: O_RDWR | O_CREAT, mode: 0o600 });
    const a = pattern(5000, 7);
    const b = pattern(3000, 9);
    assert.equal(await ring.write(fd, a, 0), a.length);
    assert.equal(await ring.write(fd, b, 10_000), b.length);
    const back = new Uint8Array(3000);
    assert.equal(await ring.read(fd, back, 10_000), 3000);
    assert.deepEqual(back, b);
    const mid = new Uint8Array(100);
    assert.equal(await ring.read(fd, mid, 4950), 100);
    assert.deepEqual(mid.subarray(0, 50), a.subarray(4950));
    assert.deepEqual(mid.subarray(50), new Uint8Array(50), "the hole reads as zeros");
    assert.equal(await ring.read(fd, mid, 13_000), 0, "end of file reads 0 bytes");
    await ring.fsync(fd);
    await ring.fsync(fd, { datasync: true });
    await ring.close(fd);
    const onDisk = readFileSync(dir.file("data"));
    assert.equal(onDisk.length, 13_000);
    assert.deepEqual(new Uint8Array(onDisk.subarray(10_000)), b);
  } finally {
    dir.remove();
  }
});

test("read and write with offset -1 use and advance the file position", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const fd = await ring.openat(dir.file("pos"), { flags: O_RDWR | O_CREAT });
    await ring.write(fd, new TextEncoder().encode("hello "));
    await ring.write(fd, new TextEncoder().encode("world"));
    const buffer = new Uint8Array(32);
    assert.equal(await ring.read(fd, buffer, 0), 11);
    assert.equal(new TextDecoder().decode(buffer.subarray(0, 11)), "hello world");
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("readv and writev move the buffers in order", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const fd = await ring.openat(dir.file("vec"), { flags: O_RDWR | O_CREAT });
    const parts = [pattern(10, 1), pattern(4096, 2), pattern(1, 3)];
    assert.equal(await ring.writev(fd, parts, 100), 4107);
    const into = [new Uint8Array(4000), new Uint8Array(107)];
    assert.equal(await ring.readv(fd, into, 100), 4107);
    const joined = new Uint8Array([...into[0], ...into[1]]);
    assert.deepEqual(joined, new Uint8Array([...parts[0], ...parts[1], ...parts[2]]));
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("a subarray is read into at its own offset, leaving its neighbours alone", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("sub", pattern(64, 5));
    const fd = await ring.openat(path);
    const whole = new Uint8Array(100).fill(0xee);
    assert.equal(await ring.read(fd, whole.subarray(20, 40), 0), 20);
    assert.deepEqual(whole.subarray(20, 40), pattern(64, 5).subarray(0, 20));
    assert.ok(whole.subarray(0, 20).every((b) => b === 0xee));
    assert.ok(whole.subarray(40).every((b) => b === 0xee));
    assert.equal(await ring.read(fd, new DataView(whole.buffer, 90, 4), 0), 4);
    assert.deepEqual(whole.subarray(90, 94), pattern(64, 5).subarray(0, 4));
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("openat of a missing path rejects with ENOENT naming the path", async () => {
  await using ring = new IoRing();
  const error = await ring.openat("/no/such/dir/file").then(() => null, (e) => e);
  assert.ok(error instanceof IoRingError);
  assert.equal(error.code, "ENOENT");
  assert.equal(error.errno, 2);
  assert.equal(error.op, "openat");
  assert.equal(error.path, "/no/such/dir/file");
  assert.match(error.message, /openat '\/no\/such\/dir\/file' failed: ENOENT/);
});

test("read on a closed fd rejects with EBADF naming the fd", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  closeFds(r, w);
  const error = await ring.read(r, new Uint8Array(8)).then(() => null, (e) => e);
  assert.ok(error instanceof IoRingError);
  assert.equal(error.code, "EBADF");
  assert.equal(error.op, "read");
  assert.equal(error.fd, r);
});

test("writing to a read-only fd rejects with EBADF, and the ring keeps working", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const fd = await ring.openat(dir.file("ro", "x"));
    await assert.rejects(ring.write(fd, new Uint8Array(1), 0), (e: IoRingError) => e.code === "EBADF");
    assert.equal(await ring.nop(), 0);
    await ring.close(fd);
    await assert.rejects(ring.close(fd), (e: IoRingError) => e.code === "EBADF" && e.op === "close");
  } finally {
    dir.remove();
  }
});

test("statx reports size, type and times of a real file", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("s", pattern(1234));
    const st = await ring.statx(path);
    assert.equal(st.size, 1234);
    assert.equal(st.isFile, true);
    assert.equal(st.isDirectory, false);
    assert.ok(Math.abs(st.mtimeMs - Date.now()) < 60_000);
    const d = await ring.statx(dir.path);
    assert.equal(d.isDirectory, true);
    await assert.rejects(ring.statx(`${dir.path}/missing`), (e: IoRingError) => e.code === "ENOENT");
  } finally {
    dir.remove();
  }
});

test("bad arguments are TypeError/RangeError before anything reaches the kernel", async () => {
  await using ring = new IoRing();
  await assert.rejects(ring.read(0, "nope" as unknown as Uint8Array), TypeError);
  await assert.rejects(ring.read(0, new Uint8Array(4), -2), RangeError);
  await assert.rejects(ring.read(0, new Uint8Array(4), 0, { length: 5 }), RangeError);
  await assert.rejects(ring.read(1.5, new Uint8Array(4)), RangeError);
  await assert.rejects(ring.openat("a\0b"), TypeError);
  await assert.rejects(ring.readv(0, []), RangeError);
  await assert.rejects(ring.timeout(-1), RangeError);
  assert.equal(ring.inflight, 0);
  assert.equal(await ring.nop(), 0);
});

test("a write-only open of a new file honours mode and flags", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const fd = await ring.openat(dir.file("new"), { flags: O_WRONLY | O_CREAT, mode: 0o640 });
    const st = await ring.statx(dir.file("new"));
    assert.equal(st.mode & 0o777, 0o640 & ~process.umask());
    await assert.rejects(ring.read(fd, new Uint8Array(1), 0), (e: IoRingError) => e.code === "EBADF");
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("a reused builder whose memory was read in between still points the kernel at live memory", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("grow", pattern(10));
    // Statx's 256-byte struct and its path are small typed arrays: the engine may keep them inline
    // and move them the first time their .buffer is read, as result() does.
    const op = new Statx(path);
    await ring.run(op);
    assert.equal(op.result().size, 10);
    writeFileSync(path, pattern(12345));
    await ring.run(op);
    assert.equal(op.result().size, 12345);
  } finally {
    dir.remove();
  }
});

test("paths outside ASCII reach the kernel as UTF-8: open, statx and a mixed batch of both kinds", async () => {
  const dir = tempDir();
  try {
    const names = ["plain.txt", "ünïcödé ☃.txt", "日本語.bin", "emoji-🦀.txt"];
    for (const [i, name] of names.entries()) writeFileSync(`${dir.path}/${name}`, `file ${i}\n`);
    await using ring = new IoRing();
    // In one tick, so the paths share op memory: each must stay whole and NUL-terminated.
    const opened = await Promise.all(names.map((name) => ring.openat(`${dir.path}/${name}`)));
    const sizes = await Promise.all(names.map((name) => ring.statx(`${dir.path}/${name}`)));
    for (const [i, fd] of opened.entries()) {
      const buffer = new Uint8Array(16);
      const n = await ring.read(fd, buffer, 0);
      assert.equal(new TextDecoder().decode(buffer.subarray(0, n)), `file ${i}\n`);
      assert.equal(sizes[i].size, `file ${i}\n`.length);
      await ring.close(fd);
    }
    await assert.rejects(
      ring.openat(`${dir.path}/ünïcödé ☃.missing`),
      (error: unknown) => error instanceof IoRingError && error.code === "ENOENT",
    );
  } finally {
    dir.remove();
  }
});
