// A short soak (the same core as `npm run soak`, 100,000 operations instead of ten million): every op
// settles exactly once, by kind, and neither open fds nor RSS grow between the first and the last tenth.
import assert from "node:assert/strict";
import { checkLeaks, KINDS, soak } from "../scripts/soak_core.ts";
import { test } from "./_harness.ts";

test("100,000 mixed operations across 3 rings each settle once, and nothing leaks", async () => {
  const result = await soak({ ops: 100_000, rings: 3, seed: 7 });
  assert.ok(result.ops >= 100_000, `${result.ops} ops`);
  for (const kind of KINDS) {
    const { submitted, settled } = result.kinds[kind];
    assert.ok(submitted > 0, `the mix has ${kind} ops`);
    assert.equal(settled, submitted, `${kind}: each submitted op settled once`);
  }
  assert.equal(result.samples.length, 10, "a sample at each tenth");
  assert.deepEqual(checkLeaks(result), []);
}, { timeout: 30_000 });
