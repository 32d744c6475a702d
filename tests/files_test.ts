// Whole files in one call: readFile, readTextFile, writeFile and writeTextFile against real files, a sparse
// file, /proc, a FIFO; Deno.writeFile's open options; errors by errno name; no descriptor left open.
import assert from "node:assert/strict";
import { closeSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import {
  defaultRing,
  IoRing,
  IoRingError,
  readFile,
  readTextFile,
  writeFile,
  writeTextFile,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { fifoWith, openFds, pattern, tempDir } from "./_util.ts";

const MIB = 1024 * 1024;

test(
  "writeFile then readFile: byte-exact from 0 bytes to 64 MiB, as node:fs reads and writes them",
  async () => {
    const dir = tempDir();
    await using ring = new IoRing();
    try {
      for (const size of [0, 1, 4095, 4096, 512 * 1024 + 1, 5 * MIB + 7, 64 * MIB + 3]) {
        const data = pattern(size, size % 251);
        const path = dir.file(`f-${size}`);
        await writeFile(path, data, { ring });
        assert.deepEqual(new Uint8Array(readFileSync(path)), data, `written, ${size} bytes`);
        const back = await readFile(dir.file(`f-${size}`), { ring });
        assert.equal(back.length, size);
        assert.deepEqual(back, data, `read, ${size} bytes`);
      }
      assert.equal(ring.inflight, 0);
    } finally {
      dir.remove();
    }
  },
  { timeout: 60_000 },
);

test("without { ring }, the thread's default ring does the work, and it is one ring", async () => {
  const dir = tempDir();
  try {
    const path = dir.file("plain.txt");
    await writeTextFile(path, "héllo\n");
    assert.equal(await readTextFile(path), "héllo\n");
    assert.equal(defaultRing(), defaultRing());
    assert.equal(defaultRing().inflight, 0);
  } finally {
    dir.remove();
  }
});

test("a sparse file reads as zeros where its holes are and its bytes where it has them", async () => {
  const dir = tempDir();
  try {
    const path = dir.file("sparse");
    const fd = openSync(path, "w");
    ftruncateSync(fd, 8 * MIB);
    writeSync(fd, pattern(1000, 7), 0, 1000, 5 * MIB);
    closeSync(fd);
    const expected = new Uint8Array(8 * MIB);
    expected.set(pattern(1000, 7), 5 * MIB);
    assert.deepEqual(await readFile(path), expected);
  } finally {
    dir.remove();
  }
});

test("a /proc file (size 0) and a FIFO are read to their end", async () => {
  assert.match(await readTextFile("/proc/self/status"), /^Name:\t/);
  const dir = tempDir();
  try {
    const fifo = `${dir.path}/fifo`;
    // The writer comes late: the open waits for it, as open(2) does.
    const exited = fifoWith(fifo, `sleep 0.2; printf 'through a fifo' > "$1"`);
    assert.equal(await readTextFile(fifo), "through a fifo");
    assert.equal(await exited, 0);
  } finally {
    dir.remove();
  }
});

test("writeFile opens as Deno.writeFile does: create, createNew, append, truncation and mode", async () => {
  const dir = tempDir();
  try {
    const path = dir.file("options.txt");
    await writeTextFile(path, "a longer first content\n", { mode: 0o600 });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    await writeTextFile(path, "short\n");
    assert.equal(await readTextFile(path), "short\n", "replaced, not overwritten in place");
    await writeTextFile(path, "more\n", { append: true });
    assert.equal(await readTextFile(path), "short\nmore\n");
    await assert.rejects(
      writeTextFile(path, "x", { createNew: true }),
      (e) => e instanceof IoRingError && e.code === "EEXIST",
    );
    const missing = `${dir.path}/missing.txt`;
    await assert.rejects(
      writeTextFile(missing, "x", { create: false }),
      (e) => e instanceof IoRingError && e.code === "ENOENT",
    );
    await writeTextFile(missing, "made", { createNew: true });
    assert.equal(readFileSync(missing, "utf8"), "made");
    const big = pattern(3 * MIB + 5, 3);
    await writeFile(path, big, { append: true });
    assert.equal(statSync(path).size, "short\nmore\n".length + big.length);
  } finally {
    dir.remove();
  }
});

test("failures name the errno and the path, reject bad input with a TypeError, and leave no descriptor open", async () => {
  const dir = tempDir();
  defaultRing(); // made before the count: its own descriptors stay open, as they should
  const before = openFds();
  try {
    const missing = `${dir.path}/nothing-here`;
    await assert.rejects(readFile(missing), (error) => {
      assert.ok(error instanceof IoRingError);
      assert.equal(error.code, "ENOENT");
      assert.ok(error.message.includes(missing), error.message);
      return true;
    });
    await assert.rejects(readFile(dir.path), (e) => e instanceof IoRingError && e.code === "EISDIR");
    await assert.rejects(writeFile(`${dir.path}/x`, "text" as unknown as Uint8Array), TypeError);
    await assert.rejects(writeTextFile(`${dir.path}/x`, 42 as unknown as string), TypeError);
    const aborted = AbortSignal.abort(new Error("stop here"));
    await assert.rejects(readFile("/proc/self/status", { signal: aborted }), /stop here/);
    await assert.rejects(writeFile(`${dir.path}/y`, new Uint8Array(1), { signal: aborted }), /stop here/);
    const closed = new IoRing();
    closed.close();
    await assert.rejects(readFile("/proc/self/status", { ring: closed }), /closed/);
    assert.equal(openFds(), before, "no descriptor left open");
  } finally {
    dir.remove();
  }
});

test(
  "a file that grows or shrinks while it is read gives a prefix of what it held, never a mix",
  async () => {
    const dir = tempDir();
    try {
      const original = pattern(32 * MIB, 5);
      const growing = dir.file("growing", original);
      const more = pattern(4 * MIB, 6);
      const reading = readFile(growing);
      const fd = openSync(growing, "a");
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        writeSync(fd, more, i * MIB, MIB);
      }
      closeSync(fd);
      const grown = await reading;
      const final = new Uint8Array(readFileSync(growing));
      assert.ok(grown.length >= original.length && grown.length <= final.length, `${grown.length} bytes`);
      assert.deepEqual(grown, final.subarray(0, grown.length));

      const shrinking = dir.file("shrinking", original);
      const cut = readFile(shrinking);
      await new Promise((resolve) => setTimeout(resolve, 1));
      const shrinkFd = openSync(shrinking, "r+");
      ftruncateSync(shrinkFd, MIB);
      closeSync(shrinkFd);
      const shrunk = await cut;
      assert.ok(shrunk.length >= MIB && shrunk.length <= original.length, `${shrunk.length} bytes`);
      assert.deepEqual(shrunk, original.subarray(0, shrunk.length));
    } finally {
      dir.remove();
    }
  },
  { timeout: 30_000 },
);
