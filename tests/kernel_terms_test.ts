// What a liburing user reaches for, in the library's terms: registration under restrictions written as liburing
// users write them, sync cancel by user data/opcode/fd/any, the ring's counters and flags, synchronous MSG_RING,
// IMMEDIATE_ARG timeouts, errors on a closed ring, and a link() chain that links nothing after it.
import assert from "node:assert/strict";
import {
  FixedFile,
  IoRing,
  IoRingError,
  IOSQE_FIXED_FILE,
  MsgRing,
  Nop,
  Read,
  Timeout,
  Write,
} from "../mod.ts";
import {
  IORING_OP_NOP,
  IORING_OP_READ,
  IORING_OP_WRITE,
  IORING_REGISTER_BUFFERS,
  IORING_REGISTER_FILES,
  IORING_SQ_CQ_OVERFLOW,
  IORING_TIMEOUT_IMMEDIATE_ARG,
} from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pipe, sleep } from "./_util.ts";

const isError = (code: string) => (error: unknown) => error instanceof IoRingError && error.code === code;

test("a ring restricted to IORING_REGISTER_FILES/BUFFERS (liburing's terms) takes registerFiles()/registerBuffers()", async () => {
  const ring = new IoRing({ rDisabled: true });
  const [r, w] = pipe();
  try {
    ring.registerRestrictions({
      registerOps: [IORING_REGISTER_FILES, IORING_REGISTER_BUFFERS],
      sqeOps: [IORING_OP_NOP, IORING_OP_READ, IORING_OP_WRITE],
      sqeFlagsAllowed: IOSQE_FIXED_FILE,
    });
    ring.enable();
    const [file] = ring.registerFiles([r]);
    assert.ok(file instanceof FixedFile);
    const memory = new Uint8Array(4096);
    ring.registerBuffers([memory]);
    assert.equal(n.write(w, new Uint8Array([5, 6, 7]), 3), 3);
    assert.equal(await ring.read(file, new Uint8Array(8)), 3);
    // What only the "2" forms can do stays refused, with the kernel's EACCES.
    assert.throws(() => ring.registerSparseFiles(4), isError("EACCES"));
    assert.throws(() => ring.registerFiles([r], { tags: [1] }), isError("EACCES"));
  } finally {
    await ring.close();
    closeFds(r, w);
  }
});

test("cancelSync by user data, by opcode, by fd, any; the first match or all", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  const [r2, w2] = pipe();
  try {
    const seen = new Map<number, number>();
    const reap = () => ring.forEachCompletion((userData, res) => seen.set(userData, res));
    for (const userData of [1, 2, 3]) ring.prepare(new Read(r, new Uint8Array(8)), userData);
    ring.prepare(new Read(r2, new Uint8Array(8)), 4);
    ring.prepare(new Timeout(60_000), 5);
    ring.submit();
    await sleep(10);
    assert.equal(ring.cancelSync({ userData: 2 }, { timeout: 1000 }), 1);
    await sleep(5);
    reap();
    assert.deepEqual([...seen], [[2, -125]]);
    assert.equal(ring.cancelSync({ opcode: IORING_OP_READ, fd: r2 }, { timeout: 1000 }), 1);
    assert.equal(ring.cancelSync({ fd: r }, { timeout: 1000 }), 1, "the first match only");
    assert.equal(ring.cancelSync({ userData: 99 }), 0, "nothing matched");
    await sleep(5);
    reap();
    assert.equal(seen.size, 3);
    assert.equal(seen.get(4), -125);
    assert.equal(ring.cancelSync({ any: true, all: true }, { timeout: 1000 }), 2);
    await sleep(5);
    reap();
    assert.deepEqual([...seen.keys()].sort(), [1, 2, 3, 4, 5]);
    assert.equal(seen.get(5), -125);
    assert.equal(ring.inflight, 0);
    assert.throws(() => ring.cancelSync({}), TypeError);
    assert.throws(() => ring.cancelSync({ any: true, fd: r }), TypeError);
    assert.throws(() => ring.cancelSync({ opcode: 300 }), RangeError);
  } finally {
    closeFds(r, w, r2, w2);
  }
});

test("the CQ overflow counter, the SQ dropped counter and flags, eventfd enabled: read from the ring", async () => {
  const ring = new IoRing({ entries: 4, cqEntries: 4 });
  assert.equal(ring.cqOverflow, 0);
  assert.equal(ring.sqDropped, 0);
  assert.equal(ring.eventfdEnabled, true);
  assert.equal(ring.sqFlags & IORING_SQ_CQ_OVERFLOW, 0);
  // More completions than the CQ holds, none reaped: the kernel keeps the rest (NODROP) and says so.
  for (let i = 0; i < 4; i++) ring.prepare(new Nop(), i);
  ring.submit();
  for (let i = 4; i < 8; i++) ring.prepare(new Nop(), i);
  ring.submit();
  assert.notEqual(ring.sqFlags & IORING_SQ_CQ_OVERFLOW, 0);
  let seen = 0;
  for await (const _ of ring.completions({ stopWhenIdle: true })) seen++;
  assert.equal(seen, 8, "none lost");
  assert.equal(ring.sqFlags & IORING_SQ_CQ_OVERFLOW, 0);
  await ring.close();
  assert.throws(() => ring.cqOverflow, isError("EBADF"));
  assert.throws(() => ring.eventfdEnabled, isError("EBADF"));
});

test("IoRing.registerSyncMsg posts a CQE on another ring with no ring of its own", async (): Promise<void> => {
  await using target = new IoRing();
  let ret: number;
  try {
    ret = IoRing.registerSyncMsg(new MsgRing(target.fd, 42, 7));
  } catch (error) {
    // Before 6.13 the kernel lacks IORING_REGISTER_SEND_MSG_RING.
    assert.ok(isError("EINVAL")(error), String(error));
    return;
  }
  assert.equal(ret, 0);
  const seen: [number, number][] = [];
  target.forEachCompletion((userData, res) => seen.push([userData, res]));
  assert.deepEqual(seen, [[42, 7]]);
  assert.throws(() => IoRing.registerSyncMsg(new Nop()), TypeError);
  const [r, w] = pipe();
  try {
    assert.throws(() => IoRing.registerSyncMsg(new MsgRing(r, 1, 1)), IoRingError, "a pipe is no ring");
  } finally {
    closeFds(r, w);
  }
});

test("IORING_TIMEOUT_IMMEDIATE_ARG: the time in the SQE itself; a kernel before 7.1 refuses it with EINVAL", async () => {
  await using ring = new IoRing();
  const timeout = new Timeout(5, { flags: IORING_TIMEOUT_IMMEDIATE_ARG });
  assert.equal(timeout.since, "7.1");
  const outcome = await ring.timeout(5, { flags: IORING_TIMEOUT_IMMEDIATE_ARG }).then(
    () => "fired",
    (error) => (error instanceof IoRingError ? error.code : error),
  );
  assert.ok(outcome === "fired" || outcome === "EINVAL", String(outcome));
  assert.throws(() => new Timeout({ sec: 2 ** 40 }, { flags: IORING_TIMEOUT_IMMEDIATE_ARG }), RangeError);
});

test("an op on a closed ring says the ring is closed and names its path or fd", async () => {
  const ring = new IoRing();
  await ring.close();
  await assert.rejects(ring.openat("/etc/hostname"), (error) => {
    assert.ok(error instanceof IoRingError);
    assert.equal(error.code, "EBADF");
    assert.equal(error.path, "/etc/hostname");
    assert.match(error.message, /the ring is closed/);
    assert.match(error.message, /\/etc\/hostname/);
    return true;
  });
  await assert.rejects(ring.read(7, new Uint8Array(4)), /\(fd 7\) failed: EBADF .*the ring is closed/);
  assert.throws(() => ring.prepare(new Nop(), 1), /the ring is closed/);
  await assert.rejects(ring.link([new Nop()]), /the ring is closed/);
});

test("the last op of a link() chain carries no link flag: a failing op queued after it cancels nothing", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const chain = ring.link([new Nop(), new Write(w, new Uint8Array([1]))]);
    // Queued in the same tick, so the same submission: were the chain's last SQE linked, this failing read
    // would join the chain, and the NOP after it would be linked too.
    const failing = ring.read(w, new Uint8Array(1)).catch((error) => error.code);
    const after = ring.nop();
    const results = await chain;
    assert.deepEqual(results.map((result) => result.status), ["fulfilled", "fulfilled"]);
    assert.equal(await failing, "EBADF");
    assert.equal(await after, 0);
    // And the other way round: a failing chain does not cancel what follows it.
    const broken = ring.link([new Write(r, new Uint8Array(1)), new Nop()]);
    const next = ring.nop();
    const outcome = await broken;
    assert.equal((outcome[1] as PromiseRejectedResult).reason.code, "ECANCELED");
    assert.equal(await next, 0);
    assert.equal(n.read(r, new Uint8Array(4), 4), 1);
  } finally {
    closeFds(r, w);
  }
});
