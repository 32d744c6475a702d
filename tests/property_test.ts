// Property-based: fast-check drives random sequences of ring operations (NOPs, writes and reads at block
// offsets of a temp file, timeouts, cancellations, soft and hard link chains with failing links, low-level
// NOPs, opening and closing files, closing the ring with work in flight) on rings of random small sizes,
// against a model of the file. Invariants: each op settles once with the result the model predicts, bytes
// read are the bytes written there, no op is left in flight or queued at a barrier, the ring stays
// usable, and no fd is left open. A failure prints the seed and the shrunk sequence to replay.
import assert from "node:assert/strict";
import fc from "fast-check";
import { readdirSync, readlinkSync } from "node:fs";
import process from "node:process";
import { IoRing, IoRingError, type IoRingOptions, Nop, type Op, Read, Write } from "../mod.ts";
import { test } from "./_harness.ts";
import { closeFds, pattern, pipe, sleep, tempDir } from "./_util.ts";

const BLOCK = 32;
const BLOCKS = 12; // few, so that operations collide on the same blocks
const BAD_FD = 987_654; // never open: a read of it fails with EBADF

type LinkStep =
  | { t: "nop" }
  | { t: "fail" }
  | { t: "write"; block: number; seed: number }
  | { t: "read"; block: number };

type Action =
  | { t: "nop" }
  | { t: "write"; block: number; seed: number }
  | { t: "read"; block: number }
  | { t: "timeout"; ms: number }
  | { t: "cancel"; what: "read" | "timeout"; later: boolean }
  | { t: "link"; hard: boolean; steps: LinkStep[] }
  | { t: "low"; count: number }
  | { t: "openClose" }
  | { t: "await" };

const block = fc.integer({ min: 0, max: BLOCKS - 1 });
const seed = fc.integer({ min: 1, max: 0x7fffffff });
const linkStep: fc.Arbitrary<LinkStep> = fc.oneof(
  fc.constant({ t: "nop" as const }),
  fc.constant({ t: "fail" as const }),
  fc.record({ t: fc.constant("write" as const), block, seed }),
  fc.record({ t: fc.constant("read" as const), block }),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.constant({ t: "nop" as const }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant("write" as const), block, seed }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant("read" as const), block }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant("timeout" as const), ms: fc.constantFrom(0, 1, 2) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("cancel" as const),
      what: fc.constantFrom("read" as const, "timeout" as const),
      later: fc.boolean(),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      t: fc.constant("link" as const),
      hard: fc.boolean(),
      steps: fc.array(linkStep, { minLength: 1, maxLength: 6 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ t: fc.constant("low" as const), count: fc.integer({ min: 1, max: 24 }) }),
    weight: 1,
  },
  { arbitrary: fc.constant({ t: "openClose" as const }), weight: 1 },
  { arbitrary: fc.constant({ t: "await" as const }), weight: 2 },
);
const ringOptions: fc.Arbitrary<IoRingOptions> = fc.record({
  entries: fc.constantFrom(2, 4, 8, 32),
  cqScale: fc.constantFrom(1, 2, 4),
  defer: fc.boolean(),
}).map(({ entries, cqScale, defer }) => ({
  entries,
  cqEntries: entries * cqScale,
  ...(defer ? { singleIssuer: true, deferTaskrun: true } : {}),
}));

/**
 * The fds a sequence could leak: rings, pipes and files. Not every fd: the runtimes open a few of their own
 * lazily (Bun an epoll fd and an eventfd with its first ring, Deno a socket pair for its blocking pool).
 */
function openFds(): number {
  let count = 0;
  for (const entry of readdirSync("/proc/self/fd")) {
    try {
      if (/io_uring|^pipe:|ioring-test-/.test(readlinkSync(`/proc/self/fd/${entry}`))) count++;
    } catch { /* the directory's own fd, gone by now */ }
  }
  return count;
}

/** Runs one generated sequence and checks every invariant; throws on the first violation. */
async function runSequence(options: IoRingOptions, actions: Action[], closeBusy: boolean): Promise<void> {
  const dir = tempDir();
  const fdsBefore = openFds();
  const ring = new IoRing(options);
  const [idleRead, idleWrite] = pipe(); // never written: reads of it wait until cancelled
  try {
    const path = dir.file("data", new Uint8Array(BLOCK * BLOCKS));
    const file = await ring.openat(path, { flags: 2 /* O_RDWR */ });
    const model: Uint8Array[] = Array.from({ length: BLOCKS }, () => new Uint8Array(BLOCK));
    let pending: Promise<void>[] = [];
    let nextUserData = 1;
    const lowExpected = new Set<number>();
    // Blocks some write of the current window (between barriers) touches: reads of them race it.
    let windowWrites: Set<number>;
    let candidates = new Map<number, Uint8Array[]>();
    const windows = splitWindows(actions);
    let windowIndex = 0;
    windowWrites = windows[0];

    const track = (p: Promise<void>) => {
      pending.push(p);
    };
    const addCandidate = (b: number, data: Uint8Array) => {
      candidates.set(b, [...(candidates.get(b) ?? []), data]);
    };
    const checkRead = (b: number, data: Uint8Array, res: number, exact: Uint8Array | null) => {
      assert.equal(res, BLOCK, `a read of block ${b} returns the whole block`);
      if (exact !== null) assert.deepEqual(data, exact, `block ${b} reads what was written there`);
    };

    const barrier = async () => {
      await Promise.all(pending);
      pending = [];
      if (lowExpected.size > 0) {
        for await (const cqe of ring.completions({ stopWhenIdle: true })) {
          assert.ok(
            lowExpected.delete(cqe.userData),
            `low-level user data ${cqe.userData} once, and expected`,
          );
          assert.equal(cqe.res, 0);
        }
        assert.equal(lowExpected.size, 0, "every low-level NOP completed");
      }
      assert.equal(ring.inflight, 0, "nothing in flight at a barrier");
      assert.equal(ring.queued, 0, "nothing queued at a barrier");
      // Blocks written once in the window now hold that write; blocks written more than once hold one of them.
      for (const [b, list] of candidates) {
        if (list.length === 1) {
          model[b] = list[0];
          continue;
        }
        const now = new Uint8Array(BLOCK);
        assert.equal(await ring.read(file, now, b * BLOCK), BLOCK);
        assert.ok(list.some((c) => c.every((v, i) => v === now[i])), `block ${b} holds one of its writes`);
        model[b] = now;
      }
      candidates = new Map();
      windowIndex++;
      windowWrites = windows[windowIndex] ?? new Set();
    };

    for (const a of actions) {
      switch (a.t) {
        case "nop":
          track(ring.nop().then((res) => assert.equal(res, 0)));
          break;
        case "write": {
          const data = pattern(BLOCK, a.seed);
          track(
            ring.write(file, data, a.block * BLOCK).then((res) => {
              assert.equal(res, BLOCK);
              addCandidate(a.block, data);
            }),
          );
          break;
        }
        case "read": {
          const data = new Uint8Array(BLOCK);
          const exact = windowWrites.has(a.block) ? null : model[a.block];
          track(ring.read(file, data, a.block * BLOCK).then((res) => checkRead(a.block, data, res, exact)));
          break;
        }
        case "timeout":
          track(ring.timeout(a.ms).then((fired) => assert.equal(fired, true)));
          break;
        case "cancel": {
          const controller = new AbortController();
          const reason = new Error("cancelled by the test");
          const op = a.what === "read"
            ? ring.read(idleRead, new Uint8Array(4), -1, { signal: controller.signal })
            : ring.timeout(60_000, { signal: controller.signal });
          track(op.then(
            () => assert.fail(`a cancelled ${a.what} resolved`),
            (error) => assert.equal(error, reason, `a cancelled ${a.what} rejects with the signal's reason`),
          ));
          if (a.later) setTimeout(() => controller.abort(reason), 1);
          else controller.abort(reason);
          break;
        }
        case "link": {
          const ops: Op[] = [];
          const expect: ((outcome: PromiseSettledResult<number>) => void)[] = [];
          const chainWrites = new Map<number, Uint8Array>();
          for (const step of a.steps) {
            if (step.t === "nop") {
              ops.push(new Nop());
              expect.push((o) => assert.deepEqual(o, { status: "fulfilled", value: 0 }));
            } else if (step.t === "fail") {
              ops.push(new Read(BAD_FD, new Uint8Array(1), 0));
              expect.push((o) => {
                assert.equal(o.status, "rejected");
                assert.equal((o as PromiseRejectedResult).reason.code, "EBADF");
              });
            } else if (step.t === "write") {
              const data = pattern(BLOCK, step.seed);
              const b = step.block;
              ops.push(new Write(file, data, b * BLOCK));
              chainWrites.set(b, data);
              expect.push((o) => {
                assert.deepEqual(o, { status: "fulfilled", value: BLOCK });
                addCandidate(b, data);
              });
            } else {
              const data = new Uint8Array(BLOCK);
              const b = step.block;
              // After this chain's own write of the block, and with no other write of it in the window,
              // the read sees exactly that write.
              const own = chainWrites.get(b);
              const others = windowWrites.has(b) &&
                (own === undefined || countWrites(windowActions(actions, windowIndex), b) > 1);
              const exact = others ? null : own ?? model[b];
              ops.push(new Read(file, data, b * BLOCK));
              expect.push((o) => {
                assert.equal(o.status, "fulfilled", String((o as PromiseRejectedResult).reason));
                checkRead(b, data, (o as PromiseFulfilledResult<number>).value, exact);
              });
            }
          }
          const fits = ops.length <= ring.sqEntries;
          track(
            ring.link(ops, { hard: a.hard }).then(
              (outcomes) => {
                assert.ok(fits, "a chain longer than the SQ is refused");
                assert.equal(outcomes.length, ops.length);
                let broken = false;
                outcomes.forEach((o, i) => {
                  if (broken && !a.hard) {
                    // A soft chain broken by an earlier failure: the rest is cancelled, never run.
                    assert.equal(o.status, "rejected");
                    assert.equal((o as PromiseRejectedResult).reason.code, "ECANCELED");
                    return;
                  }
                  expect[i](o);
                  if (o.status === "rejected") broken = true;
                });
              },
              (error) => {
                assert.ok(!fits, `only an over-long chain is refused: ${error}`);
                assert.ok(error instanceof RangeError);
              },
            ),
          );
          break;
        }
        case "low":
          for (let i = 0; i < a.count; i++) {
            lowExpected.add(nextUserData);
            ring.prepare(new Nop(), nextUserData++);
          }
          break;
        case "openClose":
          track((async () => {
            const fd = await ring.openat(path);
            assert.ok(fd >= 0);
            await ring.close(fd);
          })());
          break;
        case "await":
          await barrier();
          break;
      }
    }
    if (closeBusy) {
      // Close with reads waiting: each settles with ECANCELED, and the ring lets go only then.
      await barrier();
      const reads = [1, 2, 3].map(() =>
        ring.read(idleRead, new Uint8Array(1)).then(() => "resolved", (e) => e)
      );
      await sleep(1);
      assert.equal(ring.inflight, 3);
      await ring.close();
      for (const outcome of await Promise.all(reads)) {
        assert.ok(outcome instanceof IoRingError && outcome.code === "ECANCELED", String(outcome));
      }
      assert.equal(ring.inflight, 0);
      closeFds(file);
    } else {
      await barrier();
      assert.equal(await ring.nop(), 0, "the ring is usable after the sequence");
      // The whole file, read back, is the model.
      for (let b = 0; b < BLOCKS; b++) {
        const data = new Uint8Array(BLOCK);
        assert.equal(await ring.read(file, data, b * BLOCK), BLOCK);
        assert.deepEqual(data, model[b], `block ${b} at the end`);
      }
      await ring.close(file);
      await ring.close();
    }
  } finally {
    await ring.close();
    closeFds(idleRead, idleWrite);
    dir.remove();
  }
  assert.equal(openFds(), fdsBefore, "no fd left open");
}

/** The blocks each window's writes touch (standalone and in chains), by window. */
function splitWindows(actions: Action[]): Set<number>[] {
  const windows: Set<number>[] = [new Set()];
  for (const a of actions) {
    if (a.t === "await") windows.push(new Set());
    else if (a.t === "write") windows.at(-1)!.add(a.block);
    else if (a.t === "link") {
      for (const s of a.steps) if (s.t === "write") windows.at(-1)!.add(s.block);
    }
  }
  return windows;
}

/** The actions of window `index`. */
function windowActions(actions: Action[], index: number): Action[] {
  const out: Action[] = [];
  let w = 0;
  for (const a of actions) {
    if (a.t === "await") w++;
    else if (w === index) out.push(a);
  }
  return out;
}

/** How many writes of block `b` these actions make. */
function countWrites(actions: Action[], b: number): number {
  let count = 0;
  for (const a of actions) {
    if (a.t === "write" && a.block === b) count++;
    if (a.t === "link") count += a.steps.filter((s) => s.t === "write" && s.block === b).length;
  }
  return count;
}

const runs = Number(process.env.IORING_PROPERTY_RUNS) || 100;

test(`random operation sequences keep every invariant (${runs} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      ringOptions,
      fc.array(action, { minLength: 1, maxLength: 40 }),
      fc.boolean(),
      (options, actions, closeBusy) => runSequence(options, actions, closeBusy),
    ),
    { numRuns: runs },
  );
}, { timeout: 60_000 });
