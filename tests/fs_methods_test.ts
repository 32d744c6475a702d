// The ring's promise methods for files, directories, pipes, polling and futexes, end to end.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { AT_REMOVEDIR, IoRing, O_CREAT, O_RDWR } from "../mod.ts";
import { AT_SYMLINK_NOFOLLOW, POLLIN, POSIX_FADV_SEQUENTIAL } from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pattern, pipe, sleep, tempDir } from "./_util.ts";

test("directory and link methods change the file system as their names say", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const sub = join(dir.path, "sub");
    await ring.mkdirat(sub, { mode: 0o750 });
    assert.ok(statSync(sub).isDirectory());
    const file = join(sub, "a.txt");
    const fd = await ring.openat(file, { flags: O_RDWR | O_CREAT, mode: 0o600 });
    await ring.write(fd, new TextEncoder().encode("content"), 0);
    await ring.close(fd);
    await ring.renameat(file, join(sub, "b.txt"));
    assert.equal(existsSync(file), false);
    assert.equal(readFileSync(join(sub, "b.txt"), "utf8"), "content");
    await ring.linkat(join(sub, "b.txt"), join(sub, "hard.txt"));
    assert.equal(statSync(join(sub, "b.txt")).nlink, 2);
    await ring.symlinkat("b.txt", join(sub, "soft"));
    assert.equal(readlinkSync(join(sub, "soft")), "b.txt");
    assert.equal((await ring.statx(join(sub, "soft"), { flags: AT_SYMLINK_NOFOLLOW })).isSymlink, true);
    for (const name of ["b.txt", "hard.txt", "soft"]) await ring.unlinkat(join(sub, name));
    await ring.unlinkat(sub, { flags: AT_REMOVEDIR });
    assert.equal(existsSync(sub), false);
    await assert.rejects(ring.unlinkat(sub), (e: Error & { code?: string }) => e.code === "ENOENT");
  } finally {
    dir.remove();
  }
});

test("fallocate grows, ftruncate shrinks, syncFileRange and fadvise succeed on a real file", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("sized", pattern(100));
    const fd = await ring.openat(path, { flags: O_RDWR });
    await ring.fallocate(fd, 0, 65536);
    assert.equal(statSync(path).size, 65536);
    await ring.ftruncate(fd, 10);
    assert.equal(statSync(path).size, 10);
    assert.deepEqual(new Uint8Array(readFileSync(path)), pattern(100).subarray(0, 10));
    await ring.syncFileRange(fd, 0, 10);
    await ring.fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("extended attributes set on a path read back byte for byte", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("x", "x");
    const value = new TextEncoder().encode("from ioring");
    await ring.setxattr(path, "user.ioring.test", value);
    assert.deepEqual(await ring.getxattr(path, "user.ioring.test"), value);
    const fd = await ring.openat(path);
    assert.deepEqual(await ring.fgetxattr(fd, "user.ioring.test"), value);
    await ring.close(fd);
    await assert.rejects(
      ring.getxattr(path, "user.missing"),
      (e: Error & { code?: string }) => e.code === "ENODATA",
    );
  } finally {
    dir.remove();
  }
});

test("pipe, tee and splice move bytes between pipes without losing any", async () => {
  await using ring = new IoRing();
  const [r1, w1] = await ring.pipe();
  const [r2, w2] = pipe();
  try {
    const data = pattern(1000, 4);
    assert.equal(await ring.write(w1, data), 1000);
    assert.equal(await ring.tee(r1, w2, 4096), 1000, "tee duplicates without consuming");
    const copy = new Uint8Array(1000);
    assert.equal(n.read(r2, copy, 1000), 1000);
    assert.deepEqual(copy, data);
    assert.equal(await ring.splice(r1, w2, 4096), 1000, "splice moves the original");
    const moved = new Uint8Array(1000);
    assert.equal(n.read(r2, moved, 1000), 1000);
    assert.deepEqual(moved, data);
  } finally {
    closeFds(r1, w1, r2, w2);
  }
});

test("pollAdd resolves with POLLIN once a pipe has data", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const ready = ring.pollAdd(r, POLLIN);
    await sleep(10);
    n.write(w, new Uint8Array(1), 1);
    assert.equal((await ready) & POLLIN, POLLIN);
  } finally {
    closeFds(r, w);
  }
});

test("futexWait sleeps until futexWake, without blocking the event loop", async () => {
  await using ring = new IoRing();
  const word = new Int32Array(new SharedArrayBuffer(8));
  let woke = false;
  const waiting = ring.futexWait(word, 1, 0).then(() => (woke = true));
  await sleep(20);
  assert.equal(woke, false);
  assert.equal(await ring.futexWake(word, 1, 1), 1, "one waiter woken");
  await waiting;
  assert.equal(woke, true);
  await assert.rejects(
    ring.futexWait(word, 1, 5),
    (e: Error & { code?: string }) => e.code === "EAGAIN",
    "the value differs",
  );
});
