// IOSQE_CQE_SKIP_SUCCESS and the in-flight count: an op flagged so posts only when it fails, and a failing
// skip-flagged op of a soft chain takes the rest of the chain's completions with it (liburing's test/skip-cqe.c).
// The ring counts what the kernel will post, so completions({ stopWhenIdle }) and close() wait for exactly that.
import assert from "node:assert/strict";
import {
  type Cqe,
  IoRing,
  IOSQE_CQE_SKIP_SUCCESS,
  IOSQE_IO_HARDLINK,
  IOSQE_IO_LINK,
  LinkTimeout,
  Nop,
  type OpBase,
  Read,
  Write,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pipe, sleep } from "./_util.ts";

const EBADF = -9;
const ECANCELED = -125;

async function drain(ring: IoRing): Promise<[number, number][]> {
  const seen: [number, number][] = [];
  for await (const cqe of ring.completions({ stopWhenIdle: true })) seen.push([cqe.userData, cqe.res]);
  return seen;
}

test("a failed CQE_SKIP_SUCCESS op does not end a counted op's wait: the read is still in flight", async () => {
  const ring = new IoRing();
  const [r, w] = pipe();
  try {
    ring.prepare(new Write(r, new Uint8Array(8)).flags(IOSQE_CQE_SKIP_SUCCESS), 1); // EBADF: the read end
    ring.prepare(new Read(r, new Uint8Array(8)), 2);
    assert.equal(ring.inflight, 1);
    const seen: Cqe[] = [];
    const iterating = (async () => {
      for await (const cqe of ring.completions({ stopWhenIdle: true })) seen.push(cqe);
    })();
    await sleep(30);
    assert.deepEqual(seen.map((c) => [c.userData, c.res]), [[1, EBADF]]);
    assert.equal(ring.inflight, 1, "the read is in flight");
    let closed = false;
    const closing = ring.close().then(() => (closed = true));
    await sleep(30);
    await iterating;
    await closing;
    assert.equal(closed, true);
    assert.equal(ring.inflight, 0);
  } finally {
    closeFds(r, w);
  }
});

test("close() waits for a counted read prepared after a failed skip-flagged op", async () => {
  const ring = new IoRing();
  const [r, w] = pipe();
  try {
    ring.prepare(new Write(r, new Uint8Array(8)).flags(IOSQE_CQE_SKIP_SUCCESS), 1);
    const buffer = new Uint8Array(8);
    ring.prepare(new Read(r, buffer), 2);
    const seen: [number, number][] = [];
    ring.submit();
    await sleep(20);
    ring.forEachCompletion((userData, res) => seen.push([userData, res]));
    assert.deepEqual(seen, [[1, EBADF]]);
    assert.equal(ring.inflight, 1);
    // The read completes only when the pipe gets bytes; until then close() must wait for its cancellation.
    const closing = ring.close();
    let done = false;
    void closing.then(() => (done = true));
    const rest = drain(ring);
    await closing;
    assert.equal(done, true);
    await rest;
    assert.equal(ring.inflight, 0);
    assert.equal(n.write(w, new Uint8Array([1]), 1), 1);
  } finally {
    closeFds(r, w);
  }
});

/** liburing's skip-cqe cases, on one ring reusing user data 0..N-1 as it does. */
test("skip-cqe: chains of NOPs post only the last counted completion, user data reused from chain to chain", async () => {
  await using ring = new IoRing({ entries: 16 });
  for (const [size, skipLast] of [[1, false], [1, true], [6, false], [6, true]] as const) {
    for (let i = 0; i < size; i++) {
      const op = new Nop();
      if (i !== size - 1 || skipLast) op.flags(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS);
      ring.prepare(op, i);
    }
    assert.equal(ring.inflight, skipLast ? 0 : 1);
    assert.deepEqual(
      await drain(ring),
      skipLast ? [] : [[size - 1, 0]],
      `size ${size}, skip last ${skipLast}`,
    );
    assert.equal(ring.inflight, 0);
  }
});

test("skip-cqe: a failing skip-flagged op of a soft chain posts alone; the ops after it, counted or not, post nothing", async () => {
  await using ring = new IoRing({ entries: 16 });
  const [r, w] = pipe();
  try {
    for (const failAt of [3, 5]) {
      for (let i = 0; i < 6; i++) {
        const op: OpBase = i === failAt ? new Write(r, new Uint8Array(100)) : new Nop();
        if (i !== 5) op.flags(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS);
        ring.prepare(op, i);
      }
      assert.equal(ring.inflight, 1);
      assert.deepEqual(await drain(ring), [[failAt, EBADF]], `fail at ${failAt}`);
      assert.equal(ring.inflight, 0);
    }
    // The ring goes on counting: a plain NOP after them is seen.
    ring.prepare(new Nop(), 9);
    assert.deepEqual(await drain(ring), [[9, 0]]);
  } finally {
    closeFds(r, w);
  }
});

test("skip-cqe: a failing counted op of a soft chain cancels the rest, and every one of them posts", async () => {
  await using ring = new IoRing({ entries: 16 });
  const [r, w] = pipe();
  try {
    ring.prepare(new Nop().flags(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS), 0);
    ring.prepare(new Write(r, new Uint8Array(8)).flags(IOSQE_IO_LINK), 1);
    ring.prepare(new Nop().flags(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS), 2);
    ring.prepare(new Nop(), 3);
    assert.equal(ring.inflight, 2);
    assert.deepEqual(await drain(ring), [[1, EBADF], [2, ECANCELED], [3, ECANCELED]]);
    assert.equal(ring.inflight, 0);
  } finally {
    closeFds(r, w);
  }
});

test("skip-cqe: hard links run on after a failure; only successful skip-flagged ops stay silent", async () => {
  await using ring = new IoRing({ entries: 16 });
  const [r, w] = pipe();
  try {
    for (const failAt of [0, 3, 6]) {
      for (const skipAt of [0, 3, 6]) {
        for (const hardLast of [false, true]) {
          for (let i = 0; i < 7; i++) {
            const op: OpBase = i === failAt ? new Write(r, new Uint8Array(100)) : new Nop();
            if (i !== 6 || hardLast) op.flags(IOSQE_IO_HARDLINK);
            if (i === skipAt) op.flags(IOSQE_CQE_SKIP_SUCCESS);
            ring.prepare(op, i);
          }
          const expected: [number, number][] = [];
          for (let i = 0; i < 7; i++) {
            if (i === skipAt && failAt !== skipAt) continue;
            expected.push([i, i === failAt ? EBADF : 0]);
          }
          const seen = await drain(ring);
          assert.deepEqual(seen, expected, `fail ${failAt} skip ${skipAt} hard last ${hardLast}`);
          assert.equal(ring.inflight, 0); // a link flag on the last SQE of a submission ends there
        }
      }
    }
  } finally {
    closeFds(r, w);
  }
});

test("skip-cqe: a skip-flagged link timeout after a failing op posts nothing, and neither does the rest", async () => {
  await using ring = new IoRing({ entries: 16 });
  const [r, w] = pipe();
  try {
    for (const failAt of [-1, 3, 2, 4]) {
      for (let i = 0; i < 6; i++) {
        const op: OpBase = i === failAt ? new Write(r, new Uint8Array(100)) : new Nop();
        op.flags(IOSQE_IO_LINK);
        if (i !== 5) op.flags(IOSQE_CQE_SKIP_SUCCESS);
        ring.prepare(op, i);
        if (i === 3) ring.prepare(new LinkTimeout(1000).flags(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS), 1000);
      }
      const seen = await drain(ring);
      assert.deepEqual(seen, failAt < 0 ? [[5, 0]] : [[failAt, EBADF]], `fail at ${failAt}`);
      assert.equal(ring.inflight, 0);
    }
  } finally {
    closeFds(r, w);
  }
});

test("skip-cqe: a link timeout that fires on a skip-flagged read posts by its own flag", async () => {
  await using ring = new IoRing({ entries: 16 });
  const [r, w] = pipe();
  try {
    for (const [skipRead, skipTimeout] of [[false, false], [false, true], [true, false], [true, true]]) {
      const read = new Read(r, new Uint8Array(1)).flags(IOSQE_IO_LINK);
      if (skipRead) read.flags(IOSQE_CQE_SKIP_SUCCESS);
      const timeout = new LinkTimeout(1);
      if (skipTimeout) timeout.flags(IOSQE_CQE_SKIP_SUCCESS);
      ring.prepare(read, 0);
      ring.prepare(timeout, 1);
      assert.equal(ring.inflight, (skipRead ? 0 : 1) + (skipTimeout ? 0 : 1));
      const expected: [number, number][] = [[0, ECANCELED]];
      if (!skipTimeout) expected.push([1, -62]); // ETIME
      // A skip-flagged op is not counted (it posts nothing when it succeeds), so stopWhenIdle would not wait
      // for the read's failure: take as many completions as the kernel posts.
      const seen: [number, number][] = [];
      const completions = ring.completions();
      while (seen.length < expected.length) {
        const { value } = await completions.next();
        seen.push([value!.userData, value!.res]);
      }
      assert.deepEqual(
        seen.sort((a, b) => a[0] - b[0]),
        expected,
        `skip read ${skipRead}, timeout ${skipTimeout}`,
      );
      await sleep(5);
      ring.prepare(new Nop(), 7); // nothing else was posted: the next completion is this NOP's
      assert.deepEqual(await drain(ring), [[7, 0]]);
      assert.equal(ring.inflight, 0);
    }
  } finally {
    closeFds(r, w);
  }
});

test("skip-cqe: a failing skip-flagged op takes every counted completion after it off the count", async () => {
  await using ring = new IoRing({ entries: 16 });
  const [r, w] = pipe();
  try {
    ring.prepare(new Nop().flags(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS), 0);
    ring.prepare(new Write(r, new Uint8Array(8)).flags(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS), 1);
    ring.prepare(new Nop().flags(IOSQE_IO_LINK), 2);
    ring.prepare(new Nop().flags(IOSQE_IO_LINK), 3);
    ring.prepare(new Nop(), 4);
    ring.prepare(new Nop(), 5); // not linked: it posts
    assert.equal(ring.inflight, 4);
    const seen = await drain(ring);
    assert.deepEqual(seen.sort((a, b) => a[0] - b[0]), [[1, EBADF], [5, 0]]);
    assert.equal(ring.inflight, 0);
  } finally {
    closeFds(r, w);
  }
});
