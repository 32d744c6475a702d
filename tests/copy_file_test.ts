// copyFile as Deno.copyFile: byte-exact by linked SPLICEs through pipes (sizes around the pipe's capacity),
// the source's permission bits, /proc and FIFO sources through a buffer, errno names, no descriptor left.
import assert from "node:assert/strict";
import { chmodSync, readFileSync, statSync } from "node:fs";
import { copyFile, defaultRing, IoRing, IoRingError } from "../mod.ts";
import { test } from "./_harness.ts";
import { fifoWith, openFds, pattern, tempDir } from "./_util.ts";

const MIB = 1024 * 1024;

test(
  "copyFile copies byte for byte, from 0 bytes to past several pipes' worth, with the source's mode",
  async () => {
    const dir = tempDir();
    await using ring = new IoRing();
    try {
      for (const size of [0, 1, 65535, MIB - 1, MIB, MIB + 1, 2 * MIB + 3, 37 * MIB + 5]) {
        const data = pattern(size, size % 13);
        const src = dir.file(`src-${size}`, data);
        chmodSync(src, 0o640);
        const dst = `${dir.path}/dst-${size}`;
        assert.equal(await copyFile(src, dst, { ring }), size);
        assert.deepEqual(new Uint8Array(readFileSync(dst)), data, `${size} bytes`);
        assert.equal(statSync(dst).mode & 0o777, 0o640);
      }
      // Over an existing, longer file: replaced, not overwritten in place.
      const small = dir.file("small", "tiny");
      await copyFile(small, `${dir.path}/dst-${37 * MIB + 5}`, { ring });
      assert.equal(readFileSync(`${dir.path}/dst-${37 * MIB + 5}`, "utf8"), "tiny");
      assert.equal(ring.inflight, 0);
    } finally {
      dir.remove();
    }
  },
  { timeout: 60_000 },
);

test("a /proc file (its size says 0) and a FIFO are copied to their end, through a buffer", async () => {
  const dir = tempDir();
  try {
    await copyFile("/proc/self/status", `${dir.path}/status`);
    assert.match(readFileSync(`${dir.path}/status`, "utf8"), /^Name:\t/);
    const fifo = `${dir.path}/fifo`;
    const exited = fifoWith(fifo, `printf 'from a fifo' > "$1"`);
    assert.equal(await copyFile(fifo, `${dir.path}/fifo-copy`), 11);
    assert.equal(await exited, 0);
    assert.equal(readFileSync(`${dir.path}/fifo-copy`, "utf8"), "from a fifo");
  } finally {
    dir.remove();
  }
});

test("copyFile's failures name the errno and leave no descriptor open", async () => {
  const dir = tempDir();
  defaultRing();
  const before = openFds();
  try {
    const src = dir.file("src", "data");
    const code = (expected: string) => (error: unknown) =>
      error instanceof IoRingError && error.code === expected;
    await assert.rejects(copyFile(`${dir.path}/missing`, `${dir.path}/x`), code("ENOENT"));
    await assert.rejects(copyFile(src, `${dir.path}/no/such/dir/x`), code("ENOENT"));
    await assert.rejects(copyFile(dir.path, `${dir.path}/x`), code("EISDIR"));
    await assert.rejects(copyFile(src, dir.path), code("EISDIR"));
    assert.equal(openFds(), before);
  } finally {
    dir.remove();
  }
});
