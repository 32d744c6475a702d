// Ring setup: every IORING_SETUP_* flag this kernel and user allow (skipped, with the reason, where not),
// option checking before any system call, and kernel refusals that name the flag.
import assert from "node:assert/strict";
import { IoRing, IoRingError, type IoRingOptions } from "../mod.ts";
import {
  IORING_FEAT_NODROP,
  IORING_FEAT_SINGLE_MMAP,
  IORING_SETUP_COOP_TASKRUN,
  IORING_SETUP_CQE32,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_NO_MMAP,
  IORING_SETUP_SQE128,
  IORING_SETUP_SQPOLL,
} from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pipe, unavailable } from "./_util.ts";

const FLAG_CASES: [string, IoRingOptions][] = [
  ["sqpoll", { sqpoll: true, sqThreadIdle: 50 }],
  ["sqpoll with sqThreadCpu", { sqpoll: true, sqThreadCpu: 0 }],
  ["submitAll", { submitAll: true }],
  ["singleIssuer", { singleIssuer: true }],
  ["deferTaskrun", { singleIssuer: true, deferTaskrun: true }],
  ["deferTaskrun with coopTaskrun and taskrunFlag", {
    singleIssuer: true,
    deferTaskrun: true,
    coopTaskrun: true,
    taskrunFlag: true,
  }],
  ["sqe128 and cqe32", { sqe128: true, cqe32: true }],
  ["clamp", { clamp: true, entries: 65536 }],
  ["noSqarray", { noSqarray: true }],
  ["cqEntries", { entries: 8, cqEntries: 1024 }],
  ["raw flags", { flags: IORING_SETUP_SQE128 }],
];

for (const [name, options] of FLAG_CASES) {
  test(`a ring with ${name} runs inline, async and timed operations`, async () => {
    await using ring = new IoRing(options);
    assert.equal(await ring.nop(), 0);
    const [r, w] = pipe();
    try {
      const buffer = new Uint8Array(4);
      const read = ring.read(r, buffer);
      setTimeout(() => n.write(w, new Uint8Array([1, 2, 3, 4]), 4), 10);
      assert.equal(await read, 4);
      assert.deepEqual(buffer, new Uint8Array([1, 2, 3, 4]));
      assert.equal(await ring.timeout(5), true);
      const all = await Promise.all(Array.from({ length: 3 * ring.sqEntries }, () => ring.nop()));
      assert.equal(all.length, 3 * ring.sqEntries);
    } finally {
      closeFds(r, w);
    }
  }, { skip: unavailable(options) });
}

test("the ring reports the kernel's sizes, flags and features", async () => {
  await using ring = new IoRing({ entries: 4, sqe128: true, cqe32: true });
  assert.equal(ring.sqEntries, 4);
  assert.equal(ring.cqEntries, 8);
  assert.equal(
    ring.flags & (IORING_SETUP_SQE128 | IORING_SETUP_CQE32),
    IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
  );
  assert.notEqual(ring.features & IORING_FEAT_SINGLE_MMAP, 0);
  assert.notEqual(ring.features & IORING_FEAT_NODROP, 0);
  await using clamped = new IoRing({ entries: 65536, clamp: true });
  assert.equal(clamped.sqEntries, 32768);
});

test("a ring started disabled refuses work with EBADFD until enabled", async () => {
  await using ring = new IoRing({ rDisabled: true });
  await assert.rejects(ring.nop(), (e: IoRingError) => e.code === "EBADFD" && e.op === "nop");
  ring.enable();
  assert.equal(await ring.nop(), 0);
}, { skip: unavailable({ rDisabled: true }) });

test("an IOPOLL ring sets up and completes a NOP by polling", async () => {
  await using ring = new IoRing({ iopoll: true });
  assert.equal(await ring.nop(), 0);
  await assert.rejects(ring.timeout(1), (e: IoRingError) => e.code === "EINVAL", "timers cannot be polled");
}, { skip: unavailable({ iopoll: true }) });

test("attachWq shares another ring's workers", async () => {
  await using first = new IoRing();
  await using second = new IoRing({ attachWq: first });
  assert.equal(await second.nop(), 0);
  assert.throws(() => new IoRing({ attachWq: -3 }), TypeError);
});

test("wrong options are TypeError/RangeError before any system call, with the value in the message", () => {
  assert.throws(() => new IoRing({ entries: 3 }), {
    name: "RangeError",
    message: "Cannot set up ring: entries must be a power of two: current value is 3",
  });
  assert.throws(() => new IoRing({ entries: 0 }), RangeError);
  assert.throws(() => new IoRing({ entries: 65536 }), /at most 32768/);
  assert.throws(() => new IoRing({ entries: 64, cqEntries: 32 }), /cqEntries must be at least entries/);
  assert.throws(() => new IoRing({ entries: "8" as unknown as number }), TypeError);
  assert.throws(() => new IoRing({ deferTaskrun: true }), {
    name: "TypeError",
    message: /deferTaskrun needs singleIssuer/,
  });
  assert.throws(() => new IoRing({ taskrunFlag: true }), /taskrunFlag needs/);
  assert.throws(() => new IoRing({ coopTaskrun: true }), { name: "TypeError", message: /coopTaskrun alone/ });
  assert.throws(() => new IoRing({ flags: IORING_SETUP_COOP_TASKRUN }), /coopTaskrun alone/);
  assert.throws(() => new IoRing({ sqThreadIdle: 10 }), /sqThreadIdle needs sqpoll/);
  assert.throws(() => new IoRing({ sqThreadCpu: 0 }), /sqThreadCpu needs sqpoll/);
  assert.throws(
    () => new IoRing({ sqpoll: true, singleIssuer: true, deferTaskrun: true }),
    /cannot be combined with sqpoll/,
  );
  assert.throws(() => new IoRing({ sqpoll: true, coopTaskrun: true }), /cannot be combined with sqpoll/);
  assert.throws(() => new IoRing({ flags: IORING_SETUP_NO_MMAP }), /IORING_SETUP_NO_MMAP is not supported/);
  assert.throws(() => new IoRing({ flags: -1 }), RangeError);
  assert.throws(() => new IoRing({ sqpoll: "yes" as unknown as boolean }), TypeError);
  assert.throws(() => new IoRing(null as unknown as IoRingOptions), TypeError);
  assert.equal(IORING_SETUP_DEFER_TASKRUN, 1 << 13);
});

test("a kernel refusal is an IoRingError that names the refused flag", () => {
  // CPU 4095 does not exist on this machine: the kernel refuses the SQ_AFF request.
  assert.throws(() => new IoRing({ sqpoll: true, sqThreadCpu: 4095 }), (error: unknown) => {
    assert.ok(error instanceof IoRingError);
    assert.equal(error.op, "io_uring_setup");
    assert.equal(error.code, "EINVAL");
    assert.match(error.message, /refused IORING_SETUP_SQ_AFF/);
    return true;
  });
  const [r, w] = pipe();
  try {
    assert.throws(() => new IoRing({ attachWq: r }), /refused IORING_SETUP_ATTACH_WQ/);
  } finally {
    closeFds(r, w);
  }
  assert.equal(IORING_SETUP_SQPOLL, 2);
}, { skip: unavailable({ sqpoll: true }) });
