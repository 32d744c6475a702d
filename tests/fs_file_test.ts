// open() and FsFile as Deno.FsFile: reads and writes at the position, pread/pwrite, seek, Web streams with
// several operations in flight (byte-exact, closing the file at their end), stat/truncate/sync, errors.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { defaultRing, FsFile, IoRingError, open } from "../mod.ts";
import { IORING_OP_FTRUNCATE } from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { fifoWith, needsOps, openFds, pattern, tempDir } from "./_util.ts";

const MIB = 1024 * 1024;

test("read() goes on from the position and gives null at the end; pread leaves it; seek sets it", async () => {
  const dir = tempDir();
  try {
    const path = dir.file("abc.txt", "abcdefghij");
    await using file = await open(path);
    assert.ok(file instanceof FsFile);
    const buffer = new Uint8Array(4);
    assert.equal(await file.read(buffer), 4);
    assert.equal(new TextDecoder().decode(buffer), "abcd");
    assert.equal(await file.pread(buffer, 8), 2, "pread names its offset");
    assert.equal(await file.read(buffer), 4, "and leaves the position");
    assert.equal(new TextDecoder().decode(buffer), "efgh");
    assert.equal(await file.read(buffer), 2);
    assert.equal(await file.read(buffer), null, "null at the end");
    assert.equal(await file.seek(-3, 2), 7);
    assert.equal(await file.read(buffer), 3);
    assert.equal(new TextDecoder().decode(buffer.subarray(0, 3)), "hij");
    assert.equal(await file.seek(1, 0), 1);
    assert.equal(await file.seek(2, 1), 3);
    await assert.rejects(file.seek(-10, 1), RangeError);
  } finally {
    dir.remove();
  }
});

test("write() at the position, pwrite at an offset, append at the end; create, createNew, truncate as Deno's", async () => {
  const dir = tempDir();
  try {
    const path = `${dir.path}/out.txt`;
    await assert.rejects(open(path, { write: true }), (e) => e instanceof IoRingError && e.code === "ENOENT");
    await assert.rejects(open(path, { create: true }), TypeError, "create needs write access");
    {
      await using file = await open(path, { write: true, createNew: true, mode: 0o600 });
      assert.equal(await file.write(new TextEncoder().encode("hello ")), 6);
      assert.equal(await file.write(new TextEncoder().encode("world")), 5);
      assert.equal(await file.pwrite(new TextEncoder().encode("J"), 6), 1);
      await file.sync();
      await file.syncData();
    }
    assert.equal(readFileSync(path, "utf8"), "hello Jorld");
    assert.equal(statSync(path).mode & 0o777, 0o600);
    await assert.rejects(
      open(path, { write: true, createNew: true }),
      (e) => e instanceof IoRingError && e.code === "EEXIST",
    );
    {
      await using file = await open(path, { append: true });
      await file.write(new TextEncoder().encode("!"));
      await file.write(new TextEncoder().encode("?"));
    }
    assert.equal(readFileSync(path, "utf8"), "hello Jorld!?");
    {
      await using file = await open(path, { write: true, truncate: true });
      await file.write(new TextEncoder().encode("new"));
    }
    assert.equal(readFileSync(path, "utf8"), "new");
  } finally {
    dir.remove();
  }
});

test("readable streams the file from its position, exact, and closes it at the end", async () => {
  const dir = tempDir();
  defaultRing();
  const before = openFds();
  try {
    const data = pattern(5 * MIB + 3, 4);
    const path = dir.file("big.bin", data);
    const whole = await open(path);
    assert.deepEqual(new Uint8Array(await new Response(whole.readable).arrayBuffer()), data);
    assert.throws(() => whole.fd, TypeError, "closed by its stream");
    const later = await open(path);
    await later.seek(MIB + 1);
    assert.deepEqual(
      new Uint8Array(await new Response(later.readable).arrayBuffer()),
      data.subarray(MIB + 1),
    );
    const cancelled = await open(path);
    const reader = cancelled.readable.getReader();
    assert.equal((await reader.read()).value!.length, 256 * 1024);
    await reader.cancel();
    assert.throws(() => cancelled.fd, TypeError, "closed when cancelled");
    assert.equal(openFds(), before, "no descriptor left open");
  } finally {
    dir.remove();
  }
});

test("writable takes chunks of any size, several writes in flight, from a producer that reuses its buffer", async () => {
  const dir = tempDir();
  try {
    const path = `${dir.path}/streamed.bin`;
    const file = await open(path, { write: true, create: true, truncate: true });
    const expected: Uint8Array[] = [];
    const scratch = new Uint8Array(700 * 1024);
    const sizes = [1, 4096, 300 * 1024, 700 * 1024, 17, 256 * 1024];
    const writer = file.writable.getWriter();
    for (const [i, size] of sizes.entries()) {
      const chunk = scratch.subarray(0, size);
      chunk.set(pattern(size, i + 10));
      expected.push(chunk.slice());
      await writer.write(chunk); // the next round overwrites scratch at once
    }
    await writer.close();
    assert.throws(() => file.fd, TypeError, "closed by its stream");
    const total = expected.reduce((sum, piece) => sum + piece.length, 0);
    const written = new Uint8Array(readFileSync(path));
    assert.equal(written.length, total);
    let at = 0;
    for (const piece of expected) {
      assert.deepEqual(written.subarray(at, at + piece.length), piece);
      at += piece.length;
    }
  } finally {
    dir.remove();
  }
});

test("a copy in two lines: one file's readable piped into another's writable, byte for byte", async () => {
  const dir = tempDir();
  try {
    const data = pattern(3 * MIB + 11, 9);
    const src = dir.file("src.bin", data);
    const dst = `${dir.path}/dst.bin`;
    await (await open(src)).readable.pipeTo(
      (await open(dst, { write: true, create: true, truncate: true })).writable,
    );
    assert.deepEqual(new Uint8Array(readFileSync(dst)), data);
  } finally {
    dir.remove();
  }
});

test("a FIFO is read at its position, in turn", async () => {
  const dir = tempDir();
  try {
    const fifo = `${dir.path}/fifo`;
    const exited = fifoWith(fifo, `printf 'one ' > "$1"`);
    const file = await open(fifo);
    assert.equal(file.seekable, false);
    assert.equal(await new Response(file.readable).text(), "one ");
    assert.equal(await exited, 0);
    await assert.rejects(file.seek(0), TypeError);
  } finally {
    dir.remove();
  }
});

test("stat, and truncate to a length", async () => {
  const dir = tempDir();
  try {
    const path = dir.file("t.bin", pattern(1000, 1));
    await using file = await open(path, { read: true, write: true });
    assert.equal((await file.stat()).size, 1000);
    assert.equal((await file.stat()).isFile, true);
    await file.truncate(10);
    assert.equal(statSync(path).size, 10);
    await file.truncate();
    assert.equal(statSync(path).size, 0);
  } finally {
    dir.remove();
  }
}, { skip: needsOps(IORING_OP_FTRUNCATE) });

test("writable copies each chunk: a producer may reuse its buffer while a write still waits (a full FIFO)", async () => {
  const dir = tempDir();
  try {
    const fifo = `${dir.path}/fifo`;
    const out = `${dir.path}/out.bin`;
    // The reader comes late: the open waits for it, as open(2) does (io_uring alone would say ENXIO), and
    // the pipe fills, so the first write waits in the kernel, its chunk not yet copied.
    const exited = fifoWith(fifo, `sleep 0.3; cat "$1" > '${out}'`);
    const file = await open(fifo, { write: true });
    const writer = file.writable.getWriter();
    const scratch = new Uint8Array(512 * 1024);
    const expected: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      scratch.set(pattern(scratch.length, i + 20));
      expected.push(scratch.slice());
      await writer.write(scratch);
    }
    await writer.close();
    assert.equal(await exited, 0);
    const written = new Uint8Array(readFileSync(out));
    assert.equal(written.length, 3 * scratch.length);
    for (const [i, piece] of expected.entries()) {
      assert.deepEqual(written.subarray(i * scratch.length, (i + 1) * scratch.length), piece, `chunk ${i}`);
    }
  } finally {
    dir.remove();
  }
});
