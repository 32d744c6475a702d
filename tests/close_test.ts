// Closing: in-flight operations settle (cancelled), buffers stay held until the kernel lets go, close is idempotent.
import assert from "node:assert/strict";
import { IoRing, IoRingError, Nop, Read } from "../mod.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pipe, sleep } from "./_util.ts";

test("closing with reads in flight settles each with ECANCELED, then closes", async () => {
  const ring = new IoRing();
  const [r, w] = pipe();
  try {
    const reads = Array.from(
      { length: 5 },
      () => ring.read(r, new Uint8Array(8)).then(() => "resolved", (e) => e),
    );
    await sleep(20);
    assert.equal(ring.inflight, 5);
    const closing = ring.close();
    assert.equal(ring.closed, true);
    const outcomes = await Promise.all(reads);
    for (const outcome of outcomes) {
      assert.ok(outcome instanceof IoRingError, String(outcome));
      assert.equal(outcome.code, "ECANCELED");
    }
    await closing;
    assert.equal(ring.inflight, 0);
    // The pipe still works: nothing of the ring touches it any more.
    assert.equal(n.write(w, new Uint8Array([9]), 1), 1);
  } finally {
    closeFds(r, w);
  }
});

test("operations queued but not yet submitted fail at once when the ring closes in the same tick", async () => {
  const ring = new IoRing();
  const nops = [ring.nop(), ring.nop()];
  await ring.close();
  for (const outcome of await Promise.allSettled(nops)) {
    assert.equal(outcome.status, "rejected");
    assert.equal((outcome as PromiseRejectedResult).reason.code, "ECANCELED");
  }
});

test("close is idempotent, and a closed ring refuses new work clearly", async () => {
  const ring = new IoRing();
  const first = ring.close();
  assert.equal(ring.close(), first);
  await first;
  ring[Symbol.dispose]();
  await ring[Symbol.asyncDispose]();
  await assert.rejects(
    ring.nop(),
    (e: IoRingError) => e instanceof IoRingError && e.code === "EBADF" && e.op === "nop",
  );
  await assert.rejects(ring.read(0, new Uint8Array(1)), (e: IoRingError) => e.op === "read");
  assert.throws(() => ring.prepare(new Nop(), 1), IoRingError);
  assert.equal(ring.submit(), 0);
  assert.equal(ring.forEachCompletion(() => {}), 0);
});

test("a completions iterator ends when the ring closes", async () => {
  const ring = new IoRing();
  const it = ring.completions();
  const next = it.next();
  await ring.close();
  assert.deepEqual(await next, { value: undefined, done: true });
});

test("a low-level read in flight at close completes with ECANCELED before the ring lets go", async () => {
  const ring = new IoRing();
  const [r, w] = pipe();
  try {
    const buffer = new Uint8Array(8);
    ring.prepare(new Read(r, buffer), 42);
    ring.submit();
    await ring.close();
    assert.equal(ring.inflight, 0, "the read's completion arrived before close resolved");
  } finally {
    closeFds(r, w);
  }
});

test("using disposes the ring at the end of the block", async () => {
  let escaped: IoRing;
  {
    await using ring = new IoRing();
    escaped = ring;
    assert.equal(await ring.nop(), 0);
  }
  assert.equal(escaped.closed, true);
});

test("closeFd closes a descriptor, and the deprecated close(fd) still does, leaving the ring open", async () => {
  using ring = new IoRing();
  const [r1, w1] = pipe();
  const [r2, w2] = pipe();
  try {
    await ring.closeFd(w1);
    assert.equal(await ring.read(r1, new Uint8Array(8)), 0, "the only write end is closed: end of file");
    await ring.close(w2);
    assert.equal(ring.closed, false);
    assert.equal(await ring.read(r2, new Uint8Array(8)), 0, "close(fd) closed the write end");
    await Promise.all([ring.closeFd(r1), ring.closeFd(r2)]);
  } catch (error) {
    closeFds(r1, w1, r2, w2);
    throw error;
  }
});
