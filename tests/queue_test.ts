// The SQ and CQ: batching, wrap-around, overflow, both APIs on one ring, exactly-once completion.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  IoRing,
  IORING_TIMEOUT_MULTISHOT,
  IoRingError,
  IOSQE_ASYNC,
  IOSQE_CQE_SKIP_SUCCESS,
  IOSQE_IO_LINK,
  Nop,
  Read,
  Timeout,
  Write,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pipe, runtimeCommand, sleep } from "./_util.ts";
import { EBADF, ECANCELED } from "../kernel/errno.ts";

test("operations queued in one tick go out in one batch, and the SQ wraps around ten times", async () => {
  await using ring = new IoRing({ entries: 8 });
  const results = await Promise.all(Array.from({ length: 80 }, () => ring.nop()));
  assert.equal(results.length, 80);
  assert.ok(results.every((r) => r === 0));
  assert.equal(ring.inflight, 0);
  for (let round = 0; round < 10; round++) {
    const batch = await Promise.all(Array.from({ length: 8 }, () => ring.nop()));
    assert.equal(batch.length, 8);
  }
});

test("a CQ smaller than the work overflows in the kernel and still delivers every completion once", async () => {
  await using ring = new IoRing({ entries: 4, cqEntries: 4 });
  const seen = new Map<number, number>();
  const total = 1000;
  const nop = new Nop();
  // Low-level: 1000 NOPs submitted in batches of 4 without reaping, so the 4-entry CQ overflows.
  for (let i = 0; i < total; i++) {
    ring.prepare(nop, i);
    if ((i & 3) === 3) ring.submit();
  }
  ring.submit();
  for await (const cqe of ring.completions({ stopWhenIdle: true })) {
    assert.equal(cqe.res, 0);
    seen.set(cqe.userData, (seen.get(cqe.userData) ?? 0) + 1);
  }
  assert.equal(seen.size, total);
  assert.ok([...seen.values()].every((count) => count === 1), "each completion exactly once");
  // Promise operations through the same tiny CQ.
  const results = await Promise.all(Array.from({ length: 500 }, () => ring.nop()));
  assert.equal(results.filter((r) => r === 0).length, 500);
});

test("both APIs on one ring never steal each other's completions", async () => {
  await using ring = new IoRing({ entries: 16 });
  const lowSeen: number[] = [];
  const promises: Promise<number>[] = [];
  for (let i = 0; i < 50; i++) {
    ring.prepare(new Nop(), 1000 + i);
    promises.push(ring.nop());
  }
  const iterate = (async () => {
    for await (const cqe of ring.completions({ stopWhenIdle: true })) lowSeen.push(cqe.userData);
  })();
  const values = await Promise.all(promises);
  await iterate;
  assert.equal(values.length, 50);
  assert.deepEqual(lowSeen.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => 1000 + i));
});

test("forEachCompletion delivers without waiting and counts exactly what was posted", async () => {
  await using ring = new IoRing({ entries: 128 });
  const nop = new Nop();
  for (let i = 0; i < 128; i++) ring.prepare(nop, i);
  assert.equal(ring.submit(), 128);
  let sum = 0;
  const count = ring.forEachCompletion((userData, res) => {
    assert.equal(res, 0);
    sum += userData;
  });
  assert.equal(count, 128);
  assert.equal(sum, (127 * 128) / 2);
  assert.equal(ring.forEachCompletion(() => assert.fail("nothing is left")), 0);
});

test("user data keeps all 53 bits", async () => {
  await using ring = new IoRing();
  const values = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER];
  values.forEach((v) => ring.prepare(new Nop(), v));
  const got: number[] = [];
  for await (const cqe of ring.completions({ stopWhenIdle: true })) got.push(cqe.userData);
  assert.deepEqual(got, values);
  assert.throws(() => ring.prepare(new Nop(), -1), RangeError);
  assert.throws(() => ring.prepare(new Nop(), 2 ** 53), RangeError);
  assert.throws(() => ring.prepare(new Nop(), 1.5), RangeError);
});

test("a linked chain completes in order, and a broken link cancels the rest", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    ring.prepare(new Nop().flags(IOSQE_IO_LINK), 1);
    ring.prepare(new Nop().flags(IOSQE_IO_LINK), 2);
    ring.prepare(new Nop(), 3);
    const order: number[] = [];
    for await (const cqe of ring.completions({ stopWhenIdle: true })) order.push(cqe.userData);
    assert.deepEqual(order, [1, 2, 3]);
    // A read of a closed fd fails, so the NOP linked after it completes with ECANCELED.
    const closed = r + 1000;
    ring.prepare(new Read(closed, new Uint8Array(1), -1).flags(IOSQE_IO_LINK), 10);
    ring.prepare(new Nop(), 11);
    const results = new Map<number, number>();
    for await (const cqe of ring.completions({ stopWhenIdle: true })) results.set(cqe.userData, cqe.res);
    assert.equal(results.get(10), -9, "EBADF");
    assert.equal(results.get(11), -125, "ECANCELED");
  } finally {
    closeFds(r, w);
  }
});

test("CQE_SKIP_SUCCESS posts nothing on success, only failures, and the ring still goes idle", async () => {
  await using ring = new IoRing();
  ring.prepare(new Nop().flags(IOSQE_CQE_SKIP_SUCCESS), 1);
  ring.prepare(new Read(-1, new Uint8Array(1)).flags(IOSQE_CQE_SKIP_SUCCESS), 2);
  ring.prepare(new Nop(), 3);
  const got: [number, number][] = [];
  for await (const cqe of ring.completions({ stopWhenIdle: true })) got.push([cqe.userData, cqe.res]);
  assert.deepEqual(got, [[2, -9], [3, 0]], "the failed read (EBADF) posts, the successful NOP does not");
  assert.equal(ring.inflight, 0);
});

test("IOSQE_ASYNC ops run from the kernel's workers and complete the same", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    n.write(w, new TextEncoder().encode("async"), 5);
    const buffer = new Uint8Array(8);
    assert.equal(await ring.run(new Read(r, buffer).flags(IOSQE_ASYNC)), 5);
    assert.equal(new TextDecoder().decode(buffer.subarray(0, 5)), "async");
    assert.equal(await ring.run(new Nop().flags(IOSQE_ASYNC)), 0);
  } finally {
    closeFds(r, w);
  }
});

test("a low-level read keeps its buffer until its completion, and the bytes land", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    ring.prepare(new Read(r, new Uint8Array(16)), 5);
    ring.submit();
    // The only reference to the buffer is now the ring's.
    const gc = globalThis as { gc?: () => void; Bun?: { gc(sync: boolean): void } };
    gc.gc?.();
    gc.Bun?.gc(true);
    n.write(w, new TextEncoder().encode("ping"), 4);
    const it = ring.completions();
    const { value } = await it.next();
    assert.equal(value?.userData, 5);
    assert.equal(value?.res, 4);
  } finally {
    closeFds(r, w);
  }
});

test("a timeout with a count completes when that many other completions arrive", async () => {
  await using ring = new IoRing();
  ring.prepare(new Timeout(10_000, { count: 2 }), 1);
  ring.prepare(new Nop(), 2);
  ring.prepare(new Nop(), 3);
  const got = new Map<number, number>();
  for await (const cqe of ring.completions({ stopWhenIdle: true })) got.set(cqe.userData, cqe.res);
  assert.equal(got.get(1), 0, "count reached: res 0, not -ETIME");
  const timer = ring.timeout(10_000, { count: 1 });
  await ring.nop();
  assert.equal(await timer, false, "the promise API resolves false when the count, not the time, ended it");
});

test("ring.start() calls back once per operation with res or -errno, in one batch, and -ECANCELED at close", async () => {
  const ring = new IoRing({ entries: 16 });
  const [readEnd, writeEnd] = pipe();
  const results = new Map<number, number[]>();
  const note = (i: number) => (res: number) => results.set(i, [...(results.get(i) ?? []), res]);
  // 40 NOPs through a 16-entry SQ, a write and a read of a pipe, and a read of a closed descriptor.
  for (let i = 0; i < 40; i++) ring.start(new Nop(), note(i));
  ring.start(new Write(writeEnd, new Uint8Array([7, 8, 9])), note(100));
  const buffer = new Uint8Array(8);
  ring.start(new Read(readEnd, buffer), note(101));
  ring.start(new Read(1_000_000, new Uint8Array(4)), note(102));
  while (results.size < 43) await sleep(1);
  for (let i = 0; i < 40; i++) assert.deepEqual(results.get(i), [0], `NOP ${i} called back once`);
  assert.deepEqual(results.get(100), [3]);
  assert.deepEqual([results.get(101), [...buffer.subarray(0, 3)]], [[3], [7, 8, 9]]);
  assert.deepEqual(results.get(102), [-EBADF], "a failure arrives as -errno, not as an exception");
  // A read that never completes gets -ECANCELED when the ring closes, and the close waits for it.
  ring.start(new Read(readEnd, new Uint8Array(4)), note(103));
  await ring.close();
  assert.deepEqual(results.get(103), [-ECANCELED]);
  assert.throws(
    () => ring.start(new Nop(), note(104)),
    (error) => error instanceof IoRingError && error.code === "EBADF",
    "a closed ring refuses at once",
  );
  assert.equal(results.has(104), false);
  // The CQ ring's flags are unmapped now: a touch would crash the process, so it is refused.
  assert.throws(
    () => ring.setEventfdEnabled(true),
    (error) => error instanceof IoRingError && error.code === "EBADF",
  );
  ring.reap(); // nothing to do on a closed ring, and no crash
  closeFds(readEnd, writeEnd);
  await using other = new IoRing();
  assert.throws(() => other.start(new Nop(), null as never), TypeError);
  assert.throws(() => other.start(new Nop().flags(IOSQE_CQE_SKIP_SUCCESS), () => {}), TypeError);
  assert.throws(
    () => other.start(new Timeout(1, { count: 2, flags: IORING_TIMEOUT_MULTISHOT }), () => {}),
    /multishot/,
    "a multishot op is refused: its completions after the first would have nowhere to go",
  );
  assert.equal(other.inflight, 0, "refused calls left nothing in flight");
  assert.equal(await other.nop(), 0, "and the ring still works");
});

test("a ring.start() or ring.stream() callback that throws is reported as uncaught; the completions after it arrive, the stream settles, close() ends", async () => {
  const [cmd, args] = runtimeCommand(new URL("./_callback_throws.ts", import.meta.url).pathname);
  const { stdout } = await promisify(execFile)(cmd, args, { encoding: "utf8", timeout: 30_000 });
  assert.deepEqual(JSON.parse(stdout.trim().split("\n").at(-1)!), {
    seen: [1, 2, 3],
    caught: ["thrown by a stream", "thrown by its last completion", "thrown by the callback"],
    inflight: 0,
    ticks: 2,
    stream: "ETIME",
    closed: true,
  });
});
