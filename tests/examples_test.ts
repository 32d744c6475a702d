// The examples do what they say: copy.ts copies byte for byte, cat.ts prints files.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { IoRing } from "../mod.ts";
import { copyFile } from "../examples/copy.ts";
import { readWithWorkers } from "../examples/workers.ts";
import { test } from "./_harness.ts";
import { pattern, runtimeCommand, tempDir } from "./_util.ts";

test("copyFile copies files of awkward sizes byte for byte, keeping the mode", async () => {
  const dir = tempDir();
  await using ring = new IoRing({ entries: 32 });
  try {
    for (const size of [0, 1, 4095, 2 * 1024 * 1024, 5 * 1024 * 1024 + 123]) {
      const src = dir.file(`src-${size}`, pattern(size, size + 1));
      const dst = dir.file(`dst-${size}`);
      assert.equal(await copyFile(ring, src, dst), size);
      assert.deepEqual(new Uint8Array(readFileSync(dst)), pattern(size, size + 1), `size ${size}`);
    }
    assert.equal(ring.inflight, 0);
  } finally {
    dir.remove();
  }
});

test("cat.ts writes the files it is given to standard output", () => {
  const dir = tempDir();
  try {
    const a = dir.file("a", "first\n");
    const b = dir.file("b", pattern(100_000, 3));
    const script = new URL("../examples/cat.ts", import.meta.url).pathname;
    const [command, args] = runtimeCommand(script);
    const result = spawnSync(command, [...args, a, b], { maxBuffer: 1 << 24 });
    assert.equal(result.status, 0, String(result.stderr));
    assert.deepEqual(
      new Uint8Array(result.stdout),
      new Uint8Array([...new TextEncoder().encode("first\n"), ...pattern(100_000, 3)]),
    );
  } finally {
    dir.remove();
  }
});

test("cat.ts with no file prints its usage to standard error and exits 2", () => {
  const script = new URL("../examples/cat.ts", import.meta.url).pathname;
  const [command, args] = runtimeCommand(script);
  const result = spawnSync(command, args, { encoding: "utf8" });
  assert.equal(result.status, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^usage: deno task cat FILE\.\.\./);
});

test("workers.ts spreads reads over rings in two Workers and stops them with MSG_RING", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("sample", pattern(8 << 20, 2));
    const rates = await readWithWorkers(ring, path, 2, 0.2);
    assert.equal(rates.length, 2);
    assert.ok(
      rates.every((rate) => rate > 0),
      `both workers read, and both stopped: ${rates.join(", ")} reads/s`,
    );
  } finally {
    dir.remove();
  }
}, { timeout: 20_000 });
