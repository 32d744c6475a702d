// A short soak (the same core as `npm run soak`, 100,000 operations instead of ten million): every op
// settles exactly once, by kind, and neither open fds nor RSS grow between the first and the last tenth.
// Before it, the soak's model of its files: writes of one block in one batch land in no set order unless
// linked, whatever order their completions came in.
import assert from "node:assert/strict";
import { BLOCK, BlockModel, checkLeaks, KINDS, soak } from "../scripts/soak_core.ts";
import { test } from "./_harness.ts";
import { spawnSync } from "node:child_process";
import process from "node:process";

/** One block of `byte`s. */
const filled = (byte: number) => new Uint8Array(BLOCK).fill(byte);

test("the soak's model takes either of two unlinked writes of a block as the one that landed last", () => {
  for (const landed of [1, 2]) {
    const model = new BlockModel(4);
    // Two writes of block 3 in one batch, neither linked to the other, completing in this order.
    model.write(3, filled(1));
    model.write(3, filled(2));
    model.endBatch();
    model.read(3, filled(landed), BLOCK);
    // Once read, the block holds that write: the other is refused from then on.
    assert.throws(() => model.read(3, filled(3 - landed), BLOCK), /block 3/);
  }
});

test("the soak's model refuses what no write left: a mix of two writes, a short read, old bytes", () => {
  const model = new BlockModel(4);
  model.write(0, filled(1));
  model.write(0, filled(2));
  model.write(1, filled(5));
  model.endBatch();
  const mixed = filled(1).fill(2, BLOCK / 2);
  assert.throws(() => model.read(0, mixed, BLOCK), /block 0/);
  assert.throws(() => model.read(0, filled(1), BLOCK / 2), /block 0/);
  assert.throws(() => model.read(0, filled(0), BLOCK), /block 0/);
  // A block written once in the batch holds that write.
  assert.throws(() => model.read(1, filled(6), BLOCK), /block 1/);
  model.read(1, filled(5), BLOCK);
  // A block never written reads zeros, or short past the end of the file.
  model.read(2, filled(0), BLOCK);
  model.read(2, filled(0), 0);
  assert.throws(() => model.read(2, filled(7), BLOCK), /block 2/);
  // A later batch's write replaces what block 0 may have held.
  model.write(0, filled(9));
  model.endBatch();
  assert.throws(() => model.read(0, filled(2), BLOCK), /block 0/);
  model.read(0, filled(9), BLOCK);
});

test("100,000 mixed operations across 3 rings each settle once, and nothing leaks", async () => {
  const result = await soak({ ops: 100_000, rings: 3, seed: 7 });
  assert.ok(result.ops >= 100_000, `${result.ops} ops`);
  for (const kind of KINDS) {
    const { submitted, settled } = result.kinds[kind];
    assert.ok(submitted > 0, `the mix has ${kind} ops`);
    assert.equal(settled, submitted, `${kind}: each submitted op settled once`);
  }
  const { unordered, unorderedRead, linked } = result.overlaps;
  assert.ok(unordered > 0 && unorderedRead > 0, `unlinked writes of one block in a batch, read back after`);
  assert.ok(linked > 0, "linked pairs of writes of one block");
  assert.equal(result.samples.length, 10, "a sample at each tenth");
  // Descriptors here; memory in a process of its own (below): this one's RSS carries every other test file.
  const fdProblems = checkLeaks(result).filter((problem) => problem.includes("fds"));
  assert.deepEqual(fdProblems, []);
}, { timeout: 30_000 });

test("the soak in a process of its own: RSS flat over the second half, no fd left open", () => {
  const script = new URL("../scripts/soak.ts", import.meta.url).pathname;
  const args = ["--ops", "300000", "--seed", "3"];
  const child = "Bun" in globalThis
    ? spawnSync(process.execPath, [script, ...args], { encoding: "utf8" })
    : spawnSync(process.execPath, ["run", "-A", "--v8-flags=--expose-gc", script, ...args], {
      encoding: "utf8",
    });
  assert.equal(child.status, 0, `${child.stdout}\n${child.stderr}`);
  assert.match(child.stdout, /^soak: ok$/m);
}, { timeout: 60_000 });
