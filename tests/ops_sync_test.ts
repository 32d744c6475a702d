// Waiting and cancelling: linked timeouts, timeout removal and update, cancellation by user data, fd,
// opcode and any, poll (one-shot, multishot, update), epoll, futexes, waitid on a real child process,
// multishot reads into provided buffers; and the exact SQE bytes of each builder.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import {
  type Cqe,
  IoRing,
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_BUFFER,
  IORING_CQE_F_MORE,
  IORING_TIMEOUT_ABS,
  type IoRingError,
  IOSQE_BUFFER_SELECT,
  IOSQE_FIXED_FILE,
  IOSQE_IO_LINK,
  Nop,
  Read,
  Timeout,
} from "../mod.ts";
import {
  CLD_STOPPED,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EPOLLET,
  EPOLLIN,
  EPOLLOUT,
  FUTEX2_PRIVATE,
  FUTEX2_SIZE_U32,
  FUTEX_BITSET_MATCH_ANY,
  IORING_ASYNC_CANCEL_ALL,
  IORING_ASYNC_CANCEL_ANY,
  IORING_ASYNC_CANCEL_FD,
  IORING_ASYNC_CANCEL_FD_FIXED,
  IORING_ASYNC_CANCEL_OP,
  IORING_ASYNC_CANCEL_USERDATA,
  IORING_LINK_TIMEOUT_UPDATE,
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_EPOLL_CTL,
  IORING_OP_EPOLL_WAIT,
  IORING_OP_FUTEX_WAIT,
  IORING_OP_FUTEX_WAITV,
  IORING_OP_FUTEX_WAKE,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_POLL_ADD,
  IORING_OP_POLL_REMOVE,
  IORING_OP_PROVIDE_BUFFERS,
  IORING_OP_READ,
  IORING_OP_READ_MULTISHOT,
  IORING_OP_TIMEOUT_REMOVE,
  IORING_OP_WAITID,
  IORING_POLL_ADD_LEVEL,
  IORING_POLL_ADD_MULTI,
  IORING_POLL_UPDATE_EVENTS,
  IORING_POLL_UPDATE_USER_DATA,
  IORING_REGISTER_FILES,
  IORING_TIMEOUT_UPDATE,
  P_PID,
  POLLIN,
  POLLOUT,
  POLLRDHUP,
  WEXITED,
  WNOHANG,
  WNOWAIT,
  WSTOPPED,
} from "../kernel/constants.ts";
import { FixedFile } from "../sqe/fixed_file.ts";
import { AsyncCancel } from "../ops/async_cancel.ts";
import { LinkTimeout } from "../ops/link_timeout.ts";
import { TimeoutRemove } from "../ops/timeout_remove.ts";
import { PollAdd } from "../ops/poll_add.ts";
import { PollRemove } from "../ops/poll_remove.ts";
import { EpollCtl } from "../ops/epoll_ctl.ts";
import { EpollWait } from "../ops/epoll_wait.ts";
import { FutexWait } from "../ops/futex_wait.ts";
import { FutexWake } from "../ops/futex_wake.ts";
import { FutexWaitv } from "../ops/futex_waitv.ts";
import { Waitid } from "../ops/waitid.ts";
import { ReadMultishot } from "../ops/read_multishot.ts";
import { ProvideBuffers } from "../ops/provide_buffers.ts";
import type { RuntimeAdapter } from "../ffi/adapter.ts";
import { test } from "./_harness.ts";
import { assertSqe, u64 } from "./_sqe.ts";
import { closeFds, n, needsOps, pipe, sleep } from "./_util.ts";
import { ECANCELED, EINVAL, ENOBUFS, ENOENT, ETIME } from "../kernel/errno.ts";

// ---- helpers -------------------------------------------------------------------------------

const SIGCHLD = 17;
const SIGSTOP = 19;
const encode = (text: string) => new TextEncoder().encode(text);
const address = (view: ArrayBufferView) => n.addressOf(view);

const needs = needsOps;

/** The next `count` low-level completions, failing after `ms` instead of hanging. */
async function nextCqes(ring: IoRing, count: number, ms = 3000): Promise<Cqe[]> {
  const out: Cqe[] = [];
  const deadline = Date.now() + ms;
  while (out.length < count) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((
      resolve,
    ) => (timer = setTimeout(() => resolve(null), deadline - Date.now())));
    const next = await Promise.race([ring.completions().next(), timeout]);
    clearTimeout(timer);
    if (next === null) throw new Error(`timed out waiting for completion ${out.length + 1} of ${count}`);
    if (next.done === true) throw new Error("the ring closed");
    out.push(next.value);
  }
  return out;
}

/** The next `count` completions, by user data (each user data at most once). */
async function byUserData(ring: IoRing, count: number, ms?: number): Promise<Map<number, Cqe>> {
  const map = new Map<number, Cqe>();
  for (const cqe of await nextCqes(ring, count, ms)) {
    assert.ok(!map.has(cqe.userData), `one completion for user data ${cqe.userData}`);
    map.set(cqe.userData, cqe);
  }
  return map;
}

/** Asserts that nothing completes within `ms`. */
async function assertQuiet(ring: IoRing, ms = 30): Promise<void> {
  await sleep(ms);
  const seen: number[] = [];
  ring.forEachCompletion((userData, res) => seen.push(userData, res));
  assert.deepEqual(seen, [], "no completion yet");
}

/** libc functions the tests need beyond the native layer: epoll_create1(2). */
const libc = await (async () => {
  const module = "Bun" in globalThis ? "../ffi/bun.ts" : "../ffi/deno.ts";
  const { adapter } = (await import(module)) as { adapter: RuntimeAdapter };
  return adapter.open("libc.so.6", { epoll_create1: { parameters: ["i32"], result: "i32" } } as const)
    .symbols;
})();

// ---- linked timeouts and timeout removal ---------------------------------------------------------

test("a linked timeout that fires cancels the read (-ECANCELED) and completes with -ETIME", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const started = Date.now();
    ring.prepare(new Read(r, new Uint8Array(16)).flags(IOSQE_IO_LINK), 1);
    ring.prepare(new LinkTimeout(30), 2);
    const cqes = await byUserData(ring, 2);
    assert.equal(cqes.get(1)!.res, -ECANCELED);
    assert.equal(cqes.get(2)!.res, -ETIME);
    assert.ok(Date.now() - started >= 25, "not before its time");
    // The same through the promise API.
    const read = ring.run(new Read(r, new Uint8Array(16)).flags(IOSQE_IO_LINK));
    const limit = ring.run(new LinkTimeout({ sec: 0, nsec: 20_000_000 }));
    await assert.rejects(read, (e: IoRingError) => e.code === "ECANCELED" && e.op === "read");
    await assert.rejects(limit, (e: IoRingError) => e.code === "ETIME" && e.op === "link_timeout");
  } finally {
    closeFds(r, w);
  }
}, { skip: needs(IORING_OP_LINK_TIMEOUT) });

test("a linked timeout that does not fire completes with -ECANCELED after its request", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    ring.prepare(new Nop().flags(IOSQE_IO_LINK), 1);
    ring.prepare(new LinkTimeout(10_000), 2);
    const cqes = await byUserData(ring, 2);
    assert.equal(cqes.get(1)!.res, 0);
    assert.equal(cqes.get(2)!.res, -ECANCELED);
    // A read that data arrives for in time.
    const buffer = new Uint8Array(16);
    ring.prepare(new Read(r, buffer).flags(IOSQE_IO_LINK), 3);
    ring.prepare(new LinkTimeout(10_000), 4);
    ring.submit();
    await assertQuiet(ring);
    n.write(w, encode("in time"), 7);
    const more = await byUserData(ring, 2);
    assert.equal(more.get(3)!.res, 7);
    assert.equal(more.get(4)!.res, -ECANCELED);
  } finally {
    closeFds(r, w);
  }
}, { skip: needs(IORING_OP_LINK_TIMEOUT) });

test(
  "timeout_remove cancels a timeout, updates one to fire sooner, and updates a linked timeout",
  async () => {
    await using ring = new IoRing();
    const [r, w] = pipe();
    try {
      ring.prepare(new Timeout(10_000), 40);
      ring.submit();
      ring.prepare(new TimeoutRemove(40), 41);
      let cqes = await byUserData(ring, 2);
      assert.equal(cqes.get(41)!.res, 0);
      assert.equal(cqes.get(40)!.res, -ECANCELED);
      ring.prepare(new TimeoutRemove(40), 42);
      assert.equal((await nextCqes(ring, 1))[0].res, -ENOENT, "nothing left to remove");

      const started = Date.now();
      ring.prepare(new Timeout(10_000), 2 ** 40 + 43); // user data above 32 bits
      ring.submit();
      ring.prepare(new TimeoutRemove(2 ** 40 + 43, { update: 20 }), 44);
      cqes = await byUserData(ring, 2);
      assert.equal(cqes.get(44)!.res, 0);
      assert.equal(cqes.get(2 ** 40 + 43)!.res, -ETIME, "the updated timeout fired");
      assert.ok(Date.now() - started < 5000, "at the new time, not the old");

      ring.prepare(new Read(r, new Uint8Array(8)).flags(IOSQE_IO_LINK), 45);
      ring.prepare(new LinkTimeout(10_000), 46);
      ring.submit();
      await assertQuiet(ring, 10);
      ring.prepare(new TimeoutRemove(46, { update: 10, linked: true }), 47);
      cqes = await byUserData(ring, 3);
      assert.equal(cqes.get(47)!.res, 0);
      assert.equal(cqes.get(46)!.res, -ETIME);
      assert.equal(cqes.get(45)!.res, -ECANCELED);
      await assert.rejects(ring.run(new TimeoutRemove(999)), (e: IoRingError) => e.code === "ENOENT");
    } finally {
      closeFds(r, w);
    }
  },
  { skip: needs(IORING_OP_TIMEOUT_REMOVE, IORING_OP_LINK_TIMEOUT) },
);

// ---- cancellation --------------------------------------------------------------------------------

test("async_cancel by user data cancels exactly that request; unknown user data is -ENOENT", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    ring.prepare(new Read(r, new Uint8Array(8)), 50);
    ring.prepare(new Read(r, new Uint8Array(8)), 2 ** 35 + 51);
    ring.submit();
    await assertQuiet(ring, 10);
    ring.prepare(new AsyncCancel(2 ** 35 + 51), 52);
    let cqes = await byUserData(ring, 2);
    assert.equal(cqes.get(52)!.res, 0);
    assert.equal(cqes.get(2 ** 35 + 51)!.res, -ECANCELED);
    ring.prepare(new AsyncCancel(12345), 53);
    assert.equal((await nextCqes(ring, 1))[0].res, -ENOENT);
    n.write(w, encode("x"), 1);
    cqes = await byUserData(ring, 1);
    assert.equal(cqes.get(50)!.res, 1, "the other read was left alone");
  } finally {
    closeFds(r, w);
  }
});

test("async_cancel by fd cancels one request, or every one with all; a promise read rejects with ECANCELED", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  const [r2, w2] = pipe();
  try {
    for (const ud of [60, 61, 62]) ring.prepare(new Read(r, new Uint8Array(8)), ud);
    ring.prepare(new Read(r2, new Uint8Array(8)), 63);
    ring.submit();
    await assertQuiet(ring, 10);
    ring.prepare(new AsyncCancel({ fd: r }), 64);
    let cqes = await byUserData(ring, 2);
    assert.equal(cqes.get(64)!.res, 0);
    const first = [...cqes.keys()].find((ud) => ud !== 64)!;
    assert.ok([60, 61, 62].includes(first));
    assert.equal(cqes.get(first)!.res, -ECANCELED);
    ring.prepare(new AsyncCancel({ fd: r, all: true }), 65);
    cqes = await byUserData(ring, 3);
    assert.equal(cqes.get(65)!.res, 2, "all: res is the count");
    for (const [ud, cqe] of cqes) if (ud !== 65) assert.equal(cqe.res, -ECANCELED);
    n.write(w2, encode("y"), 1);
    assert.equal((await byUserData(ring, 1)).get(63)!.res, 1, "the read on the other pipe survived");

    const reading = ring.read(r, new Uint8Array(8));
    await sleep(10);
    assert.equal(await ring.run(new AsyncCancel({ fd: r })), 0);
    await assert.rejects(
      reading,
      (e: IoRingError) => e.code === "ECANCELED" && e.op === "read" && e.fd === r,
    );
  } finally {
    closeFds(r, w, r2, w2);
  }
});

test("async_cancel matches a registered file, any request, and an opcode (with user data too)", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  const [r2, w2] = pipe();
  try {
    assert.equal(n.register(ring.fd, IORING_REGISTER_FILES, Int32Array.from([r]), 1), 0);
    ring.prepare(new Read(new FixedFile(0), new Uint8Array(8)), 70);
    ring.submit();
    await assertQuiet(ring, 10);
    ring.prepare(new AsyncCancel({ fd: new FixedFile(0) }), 71);
    let cqes = await byUserData(ring, 2);
    assert.equal(cqes.get(71)!.res, 0);
    assert.equal(cqes.get(70)!.res, -ECANCELED);

    ring.prepare(new Read(r, new Uint8Array(8)), 72);
    ring.prepare(new Read(r2, new Uint8Array(8)), 73);
    ring.prepare(new PollAdd(r2, POLLIN), 74);
    ring.submit();
    await assertQuiet(ring, 10);
    ring.prepare(new AsyncCancel({ opcode: IORING_OP_POLL_ADD, all: true }), 75);
    cqes = await byUserData(ring, 2);
    assert.equal(cqes.get(75)!.res, 1, "only the poll");
    assert.equal(cqes.get(74)!.res, -ECANCELED);
    ring.prepare(new AsyncCancel({ userData: 73, opcode: IORING_OP_POLL_ADD }), 76);
    assert.equal((await nextCqes(ring, 1))[0].res, -ENOENT, "user data and opcode must both match");
    ring.prepare(new AsyncCancel({ userData: 73, opcode: IORING_OP_READ }), 77);
    cqes = await byUserData(ring, 2);
    assert.equal(cqes.get(77)!.res, 0);
    assert.equal(cqes.get(73)!.res, -ECANCELED);

    ring.prepare(new Read(r2, new Uint8Array(8)), 78);
    ring.submit();
    await assertQuiet(ring, 10);
    ring.prepare(new AsyncCancel({ any: true }), 79);
    cqes = await byUserData(ring, 3);
    assert.equal(cqes.get(79)!.res, 2, "any: every request, counted");
    assert.equal(cqes.get(72)!.res, -ECANCELED);
    assert.equal(cqes.get(78)!.res, -ECANCELED);
    assert.equal(ring.inflight, 0);
  } finally {
    closeFds(r, w, r2, w2);
  }
});

// ---- poll ----------------------------------------------------------------------------------------

test(
  "poll_add reports readiness once; multishot reports each time with IORING_CQE_F_MORE until removed",
  async () => {
    await using ring = new IoRing();
    const [r, w] = pipe();
    try {
      const ready = ring.run(new PollAdd(r, POLLIN));
      await sleep(10);
      n.write(w, encode("a"), 1);
      assert.equal((await ready) & POLLIN, POLLIN);
      assert.equal(n.read(r, new Uint8Array(8), 8), 1);
      assert.equal(await ring.run(new PollAdd(w, POLLOUT)) & POLLOUT, POLLOUT, "an empty pipe is writable");

      ring.prepare(new PollAdd(r, POLLIN, { multishot: true }), 80);
      ring.submit();
      await assertQuiet(ring, 10);
      for (let i = 0; i < 3; i++) {
        n.write(w, encode("b"), 1);
        const [cqe] = await nextCqes(ring, 1);
        assert.equal(cqe.userData, 80);
        assert.equal(cqe.res & POLLIN, POLLIN);
        assert.equal(cqe.flags & IORING_CQE_F_MORE, IORING_CQE_F_MORE, `event ${i} says more will follow`);
        assert.equal(n.read(r, new Uint8Array(8), 8), 1);
      }
      ring.prepare(new PollRemove(80), 81);
      const cqes = await byUserData(ring, 2);
      assert.equal(cqes.get(81)!.res, 0);
      assert.equal(cqes.get(80)!.res, -ECANCELED);
      assert.equal(cqes.get(80)!.flags & IORING_CQE_F_MORE, 0, "the last one");
      ring.prepare(new PollRemove(80), 82);
      assert.equal((await nextCqes(ring, 1))[0].res, -ENOENT);
      assert.equal(ring.inflight, 0);
    } finally {
      closeFds(r, w);
    }
  },
  { skip: needs(IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE) },
);

test("poll_remove updates a poll's events and user data in place", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    ring.prepare(new PollAdd(r, POLLOUT), 90); // a read end never becomes writable
    ring.submit();
    await assertQuiet(ring, 10);
    ring.prepare(new PollRemove(90, { events: POLLIN, newUserData: 2 ** 40 + 91 }), 92);
    assert.deepEqual((await nextCqes(ring, 1)).map((c) => [c.userData, c.res]), [[92, 0]]);
    await assertQuiet(ring, 10);
    n.write(w, encode("c"), 1);
    const [cqe] = await nextCqes(ring, 1);
    assert.equal(cqe.userData, 2 ** 40 + 91, "the new user data");
    assert.equal(cqe.res & POLLIN, POLLIN, "the new events");
  } finally {
    closeFds(r, w);
  }
}, { skip: needs(IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE) });

test(
  "poll_add with IORING_POLL_ADD_LEVEL is level-triggered, or refused with EINVAL by kernels that keep it internal",
  async () => {
    await using ring = new IoRing();
    const [r, w] = pipe();
    try {
      n.write(w, encode("d"), 1);
      ring.prepare(new PollAdd(r, POLLIN, { level: true, multishot: true }), 95);
      const [first] = await nextCqes(ring, 1);
      if (first.res === -EINVAL) {
        assert.equal(first.flags & IORING_CQE_F_MORE, 0);
        console.log("IORING_POLL_ADD_LEVEL: this kernel answers EINVAL");
        return;
      }
      assert.equal(first.res & POLLIN, POLLIN);
      const [second] = await nextCqes(ring, 1);
      assert.equal(second.res & POLLIN, POLLIN, "still readable, so reported again");
      ring.prepare(new PollRemove(95), 96);
      for (;;) {
        const [cqe] = await nextCqes(ring, 1);
        if (cqe.userData === 95 && (cqe.flags & IORING_CQE_F_MORE) === 0) break;
      }
    } finally {
      closeFds(r, w);
    }
  },
  { skip: needs(IORING_OP_POLL_ADD) },
);

// ---- epoll ---------------------------------------------------------------------------------------

test("epoll_ctl adds, changes and removes watches that epoll_wait then reports with their data", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  const epfd = libc.epoll_create1(0o2000000);
  assert.ok(epfd >= 0, `epoll_create1: ${epfd}`);
  try {
    assert.equal(await ring.run(new EpollCtl(epfd, EPOLL_CTL_ADD, r, EPOLLIN, { data: 2 ** 40 + 7 })), 0);
    await assert.rejects(
      ring.run(new EpollCtl(epfd, EPOLL_CTL_ADD, r, EPOLLIN)),
      (e: IoRingError) => e.code === "EEXIST" && e.op === "epoll_ctl" && e.fd === epfd,
    );
    const wait = new EpollWait(epfd, 4);
    ring.prepare(wait, 100);
    ring.submit();
    await assertQuiet(ring, 20);
    n.write(w, encode("e"), 1);
    const [cqe] = await nextCqes(ring, 1);
    assert.equal(cqe.res, 1);
    assert.deepEqual(wait.result(cqe.res), [{ events: EPOLLIN, data: 2 ** 40 + 7 }]);

    assert.equal(
      await ring.run(new EpollCtl(epfd, EPOLL_CTL_ADD, w, EPOLLOUT)),
      0,
      "data defaults to the fd",
    );
    const both = new EpollWait(epfd, 4);
    const count = await ring.run(both);
    assert.equal(count, 2);
    const events = both.result(count).sort((a, b) => a.data - b.data);
    assert.deepEqual(events, [{ events: EPOLLOUT, data: w }, { events: EPOLLIN, data: 2 ** 40 + 7 }]);

    // EPOLLOUT | EPOLLET is a negative number in JavaScript (bit 31): accepted as the unsigned word.
    assert.equal(await ring.run(new EpollCtl(epfd, EPOLL_CTL_MOD, w, EPOLLOUT | EPOLLET, { data: 5 })), 0);
    assert.equal(await ring.run(new EpollCtl(epfd, EPOLL_CTL_DEL, r)), 0);
    // The first builder again, after result() read its slots: the kernel must write where result() reads.
    assert.equal(await ring.run(wait), 1);
    assert.deepEqual(wait.result(1), [{ events: EPOLLOUT, data: 5 }]);
    await assert.rejects(
      ring.run(new EpollCtl(epfd, EPOLL_CTL_DEL, r)),
      (e: IoRingError) => e.code === "ENOENT",
    );
  } finally {
    closeFds(r, w, epfd);
  }
}, { skip: needs(IORING_OP_EPOLL_CTL, IORING_OP_EPOLL_WAIT) });

// ---- futexes -------------------------------------------------------------------------------------

test("futex_wait sleeps until a futex_wake from another ring; a changed word is EAGAIN at once", async () => {
  await using ring = new IoRing();
  await using waker = new IoRing();
  const words = new Int32Array(new SharedArrayBuffer(16));
  ring.prepare(new FutexWait(words, 1, 0), 110);
  ring.submit();
  await assertQuiet(ring, 20);
  assert.equal(await waker.run(new FutexWake(words, 0)), 0, "nobody waits on the word next door");
  await assertQuiet(ring, 10);
  assert.equal(await waker.run(new FutexWake(words, 1, 5)), 1, "one waiter woken");
  const [cqe] = await nextCqes(ring, 1);
  assert.deepEqual([cqe.userData, cqe.res], [110, 0]);

  words[2] = 7;
  await assert.rejects(ring.run(new FutexWait(words, 2, 6)), (e: IoRingError) => e.code === "EAGAIN");
  words[3] = -1; // the value travels as the unsigned 32-bit word 0xffffffff
  const waiting = ring.run(new FutexWait(words, 3, -1));
  await sleep(10);
  assert.equal(await ring.run(new FutexWake(words, 3)), 1);
  assert.equal(await waiting, 0);
}, { skip: needs(IORING_OP_FUTEX_WAIT, IORING_OP_FUTEX_WAKE) });

test("futex masks select which waiters a wake reaches", async () => {
  await using ring = new IoRing();
  const word = new Uint32Array(new SharedArrayBuffer(4));
  ring.prepare(new FutexWait(word, 0, 0, { mask: 0b01 }), 120);
  ring.prepare(new FutexWait(word, 0, 0, { mask: 0b10 }), 121);
  ring.submit();
  await assertQuiet(ring, 20);
  assert.equal(await ring.run(new FutexWake(word, 0, 10, { mask: 0b100 })), 0);
  assert.equal(await ring.run(new FutexWake(word, 0, 10, { mask: 0b10 })), 1);
  assert.deepEqual((await nextCqes(ring, 1)).map((c) => [c.userData, c.res]), [[121, 0]]);
  await assertQuiet(ring, 10);
  assert.equal(await ring.run(new FutexWake(word, 0, 10)), 1);
  assert.deepEqual((await nextCqes(ring, 1)).map((c) => [c.userData, c.res]), [[120, 0]]);
  ring.prepare(new FutexWait(word, 0, 0), 122);
  ring.submit();
  await sleep(10);
  ring.prepare(new AsyncCancel(122), 123);
  const cqes = await byUserData(ring, 2);
  // Futex and waitid cancellation reports the number cancelled even without IORING_ASYNC_CANCEL_ALL.
  assert.ok([0, 1].includes(cqes.get(123)!.res), `cancel res ${cqes.get(123)!.res}`);
  assert.equal(cqes.get(122)!.res, -ECANCELED, "a futex wait can be cancelled");
}, { skip: needs(IORING_OP_FUTEX_WAIT, IORING_OP_FUTEX_WAKE) });

test("futex_waitv completes with the index of the word that was woken", async () => {
  await using ring = new IoRing();
  const a = new Int32Array(new SharedArrayBuffer(8));
  const b = new Uint32Array(new SharedArrayBuffer(4));
  a[1] = 3;
  const op = new FutexWaitv([{ futex: a, index: 0, value: 0 }, { futex: a, index: 1, value: 3 }, {
    futex: b,
    index: 0,
    value: 0,
  }]);
  ring.prepare(op, 130);
  ring.submit();
  await assertQuiet(ring, 20);
  assert.equal(await ring.run(new FutexWake(b, 0)), 1);
  assert.deepEqual((await nextCqes(ring, 1)).map((c) => [c.userData, c.res]), [[130, 2]]);
  await assert.rejects(
    ring.run(new FutexWaitv([{ futex: a, index: 0, value: 0 }, { futex: a, index: 1, value: 4 }])),
    (e: IoRingError) => e.code === "EAGAIN" && e.op === "futex_waitv",
  );
}, { skip: needs(IORING_OP_FUTEX_WAITV, IORING_OP_FUTEX_WAKE) });

// ---- waitid --------------------------------------------------------------------------------------

test(
  "waitid reports a child stopped by SIGSTOP, WNOHANG finds nothing, and a stranger is ECHILD",
  async () => {
    await using ring = new IoRing();
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const pid = child.pid!;
    assert.ok(pid > 0);
    try {
      const nohang = new Waitid(P_PID, pid, { options: WEXITED | WSTOPPED | WNOHANG | WNOWAIT });
      assert.equal(await ring.run(nohang), 0);
      assert.deepEqual(nohang.result(), { signo: 0, errno: 0, code: 0, pid: 0, uid: 0, status: 0 });

      // The runtime reaps its children when they exit, but it never asks about stops: those are ours.
      const stopped = new Waitid(P_PID, pid, { options: WSTOPPED });
      ring.prepare(stopped, 140);
      ring.submit();
      await assertQuiet(ring, 20);
      process.kill(pid, "SIGSTOP");
      const [cqe] = await nextCqes(ring, 1);
      assert.deepEqual([cqe.userData, cqe.res], [140, 0]);
      const info = stopped.result();
      assert.equal(info.signo, SIGCHLD);
      assert.equal(info.code, CLD_STOPPED);
      assert.equal(info.pid, pid);
      assert.equal(info.status, SIGSTOP);
      assert.equal(info.uid, process.getuid?.() ?? info.uid);

      await assert.rejects(
        ring.run(new Waitid(P_PID, process.pid)),
        (e: IoRingError) => e.code === "ECHILD" && e.op === "waitid",
        "this process is not its own child",
      );
    } finally {
      process.kill(pid, "SIGKILL");
      await Promise.race([exited, sleep(2000)]); // bounded: a failed test may have reaped the child itself
    }
  },
  { skip: needs(IORING_OP_WAITID) },
);

// ---- multishot read --------------------------------------------------------------------------------

test("read_multishot reads each arrival into the next provided buffer until the group runs dry", async () => {
  const ring = new IoRing();
  const memory = new Uint8Array(2 * 64); // two 64-byte buffers, ids 0 and 1, in group 7
  const [r, w] = pipe();
  try {
    assert.equal(await ring.run(new ProvideBuffers(memory, 7, 64)), 0);
    ring.prepare(new ReadMultishot(r, 7), 150);
    ring.submit();
    await assertQuiet(ring, 10);
    const seen = new Set<number>();
    for (const text of ["abc", "defgh"]) {
      n.write(w, encode(text), text.length);
      const [cqe] = await nextCqes(ring, 1);
      assert.equal(cqe.userData, 150);
      assert.equal(cqe.res, text.length);
      assert.equal(
        cqe.flags & (IORING_CQE_F_BUFFER | IORING_CQE_F_MORE),
        IORING_CQE_F_BUFFER | IORING_CQE_F_MORE,
      );
      const id = cqe.flags >>> IORING_CQE_BUFFER_SHIFT;
      assert.ok(id < 2 && !seen.has(id), `a fresh buffer id: ${id}`);
      seen.add(id);
      assert.deepEqual(memory.subarray(id * 64, id * 64 + text.length), encode(text));
    }
    n.write(w, encode("z"), 1);
    const [last] = await nextCqes(ring, 1);
    assert.equal(last.res, -ENOBUFS, "no buffer left");
    assert.equal(last.flags & IORING_CQE_F_MORE, 0, "and the request ended");

    memory.fill(0);
    assert.equal(
      await ring.run(new ProvideBuffers(memory, 7, 64)),
      0,
      "both buffers again: end of file needs one too",
    );
    ring.prepare(new ReadMultishot(r, 7, { offset: 0 }), 151);
    const [pending] = await nextCqes(ring, 1); // the byte left in the pipe
    assert.deepEqual([pending.userData, pending.res], [151, 1]);
    const id = pending.flags >>> IORING_CQE_BUFFER_SHIFT;
    assert.equal(memory[id * 64], encode("z")[0]);
    closeFds(w);
    const [eof] = await nextCqes(ring, 1);
    assert.deepEqual(
      [eof.userData, eof.res, eof.flags & IORING_CQE_F_MORE],
      [151, 0, 0],
      "end of file ends it",
    );
  } finally {
    await ring.close();
    closeFds(r);
  }
}, { skip: needs(IORING_OP_READ_MULTISHOT, IORING_OP_PROVIDE_BUFFERS) });

test("ring.multishot runs a multishot poll and a multishot read; ring.run refuses them", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  const pool = new ProvideBuffers(new ArrayBuffer(4 * 64), 9, 64);
  try {
    const poll = new PollAdd(r, POLLIN, { multishot: true });
    assert.equal(poll.multishot, true);
    assert.equal(new PollAdd(r, POLLIN).multishot, false);
    await assert.rejects(ring.run(poll), TypeError);
    let events = 0;
    const polling = (async () => {
      for await (const cqe of ring.multishot(poll)) {
        assert.equal(cqe.res & POLLIN, POLLIN);
        assert.equal(n.read(r, new Uint8Array(8), 8), 1);
        if (++events === 2) break; // leaving the loop cancels the poll
      }
    })();
    for (let i = 0; i < 2; i++) {
      await sleep(10);
      n.write(w, encode("p"), 1);
    }
    await polling;
    assert.equal(events, 2);

    assert.equal(await ring.run(pool), 0);
    const read = new ReadMultishot(r, 9);
    await assert.rejects(ring.run(read), TypeError);
    const got: string[] = [];
    const reading = (async () => {
      for await (const { res, flags } of ring.multishot(read)) {
        if (res === 0) continue; // the end-of-file CQE carries no buffer
        const id = ProvideBuffers.bufferId(flags);
        got.push(new TextDecoder().decode(pool.buffer(id).subarray(0, res)));
      }
    })();
    for (const text of ["one", "two"]) {
      await sleep(10);
      n.write(w, encode(text), text.length);
    }
    await sleep(10);
    closeFds(w);
    await reading; // end of file: the last CQE (res 0, no IORING_CQE_F_MORE) ends the loop
    assert.deepEqual(got, ["one", "two"]);
  } finally {
    closeFds(r);
  }
}, { skip: needs(IORING_OP_POLL_ADD, IORING_OP_READ_MULTISHOT, IORING_OP_PROVIDE_BUFFERS) });

// ---- SQE bytes -----------------------------------------------------------------------------------

test("async_cancel writes the SQE as liburing does for each key", () => {
  assertSqe(new AsyncCancel(2 ** 40 + 1), { opcode: IORING_OP_ASYNC_CANCEL, fd: -1, addr: 2 ** 40 + 1 });
  assertSqe(new AsyncCancel({ userData: 9, all: true }), {
    opcode: IORING_OP_ASYNC_CANCEL,
    fd: -1,
    addr: 9,
    opFlags: IORING_ASYNC_CANCEL_ALL,
  });
  assertSqe(new AsyncCancel({ fd: 5, all: true }), {
    opcode: IORING_OP_ASYNC_CANCEL,
    fd: 5,
    opFlags: IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL,
  });
  // A registered file: IORING_ASYNC_CANCEL_FD_FIXED, and no IOSQE_FIXED_FILE.
  assertSqe(new AsyncCancel({ fd: new FixedFile(2) }), {
    opcode: IORING_OP_ASYNC_CANCEL,
    fd: 2,
    opFlags: IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_FD_FIXED,
  });
  assertSqe(new AsyncCancel({ any: true }), {
    opcode: IORING_OP_ASYNC_CANCEL,
    fd: -1,
    opFlags: IORING_ASYNC_CANCEL_ANY,
  });
  assertSqe(new AsyncCancel({ opcode: IORING_OP_READ, all: true }), {
    opcode: IORING_OP_ASYNC_CANCEL,
    fd: -1,
    len: IORING_OP_READ,
    opFlags: IORING_ASYNC_CANCEL_OP | IORING_ASYNC_CANCEL_ALL,
  });
  assertSqe(new AsyncCancel({ userData: 9, opcode: IORING_OP_READ, fd: 4 }), {
    opcode: IORING_OP_ASYNC_CANCEL,
    fd: 4,
    addr: 9,
    len: IORING_OP_READ,
    opFlags: IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP | IORING_ASYNC_CANCEL_USERDATA,
  });
});

test("ops that gained features later name the Linux version each use needs", () => {
  assert.equal(new AsyncCancel(1).since, "5.5");
  assert.equal(new AsyncCancel({ fd: 3 }).since, "5.19");
  assert.equal(new AsyncCancel({ any: true }).since, "5.19");
  assert.equal(new AsyncCancel({ fd: new FixedFile(0) }).since, "6.0");
  assert.equal(new AsyncCancel({ opcode: IORING_OP_READ }).since, "6.6");
  assert.equal(new AsyncCancel({ userData: 1, fd: 3 }).since, "6.6");
  assert.equal(new TimeoutRemove(1).since, "5.5");
  assert.equal(new TimeoutRemove(1, { update: 5 }).since, "5.11");
  assert.equal(new TimeoutRemove(1, { update: 5, linked: true }).since, "5.15");
  assert.equal(new PollAdd(3, POLLIN).since, "5.1");
  assert.equal(new PollAdd(3, POLLIN, { multishot: true }).since, "5.13");
  assert.equal(new PollRemove(1).since, "5.1");
  assert.equal(new PollRemove(1, { events: POLLIN }).since, "5.13");
  assert.equal(new ReadMultishot(3, 1).multishot, true);
});

test("link_timeout and timeout_remove write the SQE as liburing does", () => {
  const link = new LinkTimeout(1500, { flags: IORING_TIMEOUT_ABS });
  assertSqe(link, {
    opcode: IORING_OP_LINK_TIMEOUT,
    fd: -1,
    addr: address(link.timespec),
    len: 1,
    opFlags: IORING_TIMEOUT_ABS,
  });
  assert.deepEqual(Array.from(link.timespec), [1n, 500_000_000n]);
  assertSqe(new TimeoutRemove(2 ** 33 + 77), {
    opcode: IORING_OP_TIMEOUT_REMOVE,
    fd: -1,
    addr: 2 ** 33 + 77,
  });
  const update = new TimeoutRemove(77, { update: { sec: 3, nsec: 4 } });
  // io_uring_prep_timeout_update: the timespec in off, the target in addr, flags | IORING_TIMEOUT_UPDATE.
  assertSqe(update, {
    opcode: IORING_OP_TIMEOUT_REMOVE,
    fd: -1,
    addr: 77,
    off: address(update.timespec),
    opFlags: IORING_TIMEOUT_UPDATE,
  });
  assert.deepEqual(Array.from(update.timespec), [3n, 4n]);
  const linked = new TimeoutRemove(78, { update: 1, linked: true, flags: IORING_TIMEOUT_ABS });
  assertSqe(linked, {
    opcode: IORING_OP_TIMEOUT_REMOVE,
    fd: -1,
    addr: 78,
    off: address(linked.timespec),
    opFlags: IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE | IORING_TIMEOUT_ABS,
  });
  assert.equal(new TimeoutRemove(1).holdsMemory, false);
  assert.equal(update.holdsMemory, true);
});

test("poll_add and poll_remove write the SQE as liburing does", () => {
  assertSqe(new PollAdd(5, POLLIN | POLLRDHUP), {
    opcode: IORING_OP_POLL_ADD,
    fd: 5,
    opFlags: POLLIN | POLLRDHUP,
  });
  assertSqe(new PollAdd(new FixedFile(3), POLLIN, { multishot: true }), {
    opcode: IORING_OP_POLL_ADD,
    flags: IOSQE_FIXED_FILE,
    fd: 3,
    len: IORING_POLL_ADD_MULTI,
    opFlags: POLLIN,
  });
  assertSqe(new PollAdd(5, POLLOUT, { level: true }), {
    opcode: IORING_OP_POLL_ADD,
    fd: 5,
    len: IORING_POLL_ADD_LEVEL,
    opFlags: POLLOUT,
  });
  assertSqe(new PollRemove(2 ** 33), { opcode: IORING_OP_POLL_REMOVE, fd: -1, addr: 2 ** 33 });
  // io_uring_prep_poll_update: old user data in addr, new in off, the update flags in len.
  assertSqe(new PollRemove(5, { events: POLLIN, newUserData: 2 ** 40 + 6, multishot: true }), {
    opcode: IORING_OP_POLL_REMOVE,
    fd: -1,
    addr: 5,
    off: 2 ** 40 + 6,
    len: IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA | IORING_POLL_ADD_MULTI,
    opFlags: POLLIN,
  });
  assertSqe(new PollRemove(5, { newUserData: 6 }), {
    opcode: IORING_OP_POLL_REMOVE,
    fd: -1,
    addr: 5,
    off: 6,
    len: IORING_POLL_UPDATE_USER_DATA,
  });
});

test("epoll_ctl and epoll_wait write the SQE and the struct epoll_event as liburing and the kernel expect", () => {
  const add = new EpollCtl(5, EPOLL_CTL_ADD, 7, EPOLLIN | EPOLLET, { data: 2 ** 40 + 3 });
  assertSqe(add, {
    opcode: IORING_OP_EPOLL_CTL,
    fd: 5,
    addr: address(add.event),
    len: EPOLL_CTL_ADD,
    off: 7,
  });
  // x86_64 packs struct epoll_event (12 bytes, data at 4); other architectures align data at 8.
  const packed = process.arch === "x64";
  const expected = new Uint8Array(packed ? 12 : 16);
  const view = new DataView(expected.buffer);
  view.setUint32(0, (EPOLLIN | EPOLLET) >>> 0, true);
  view.setBigUint64(packed ? 4 : 8, BigInt(2 ** 40 + 3), true);
  assert.deepEqual(add.event, expected);
  assertSqe(new EpollCtl(5, EPOLL_CTL_DEL, 7), {
    opcode: IORING_OP_EPOLL_CTL,
    fd: 5,
    len: EPOLL_CTL_DEL,
    off: 7,
  });
  const wait = new EpollWait(5, 8);
  assertSqe(wait, { opcode: IORING_OP_EPOLL_WAIT, fd: 5, addr: address(wait.events), len: 8 });
  assert.equal(wait.events.byteLength, 8 * (packed ? 12 : 16));
});

test("the futex builders write the SQE and struct futex_waitv as liburing does", () => {
  const words = new Int32Array(new SharedArrayBuffer(16));
  const flags = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE;
  // io_uring_prep_futex_wait: futex2 flags in fd, value in addr2 (off), mask in addr3.
  assertSqe(new FutexWait(words, 1, 5, { mask: 0xf }), {
    opcode: IORING_OP_FUTEX_WAIT,
    fd: flags,
    addr: address(words) + 4,
    off: 5,
    addr3: 0xf,
  });
  assertSqe(new FutexWait(words, 0, -1), {
    opcode: IORING_OP_FUTEX_WAIT,
    fd: flags,
    addr: address(words),
    off: 0xffffffff, // the 32-bit word, not -1 sign-extended
    addr3: FUTEX_BITSET_MATCH_ANY,
  });
  assertSqe(new FutexWake(words, 3, 2, { futexFlags: FUTEX2_SIZE_U32 }), {
    opcode: IORING_OP_FUTEX_WAKE,
    fd: FUTEX2_SIZE_U32,
    addr: address(words) + 12,
    off: 2,
    addr3: FUTEX_BITSET_MATCH_ANY,
  });
  const waitv = new FutexWaitv([{ futex: words, index: 2, value: 9 }, {
    futex: words,
    index: 0,
    value: -2,
    flags: FUTEX2_SIZE_U32,
  }]);
  assertSqe(waitv, { opcode: IORING_OP_FUTEX_WAITV, fd: 0, addr: address(waitv.waitv), len: 2 });
  assert.deepEqual(Array.from(waitv.waitv), [
    9,
    0,
    ...u64(address(words) + 8),
    flags,
    0,
    0xfffffffe,
    0,
    ...u64(address(words)),
    FUTEX2_SIZE_U32,
    0,
  ]);
});

test("waitid and read_multishot write the SQE as liburing does", () => {
  const op = new Waitid(P_PID, 1234, { options: WEXITED | WNOWAIT });
  // io_uring_prep_waitid: id in fd, idtype in len, options in file_index, infop in addr2 (off).
  assertSqe(op, {
    opcode: IORING_OP_WAITID,
    fd: 1234,
    len: P_PID,
    off: address(op.siginfo),
    fileIndex: WEXITED | WNOWAIT,
  });
  assert.equal(op.siginfo.byteLength, 128);
  // io_uring_prep_read_multishot: IOSQE_BUFFER_SELECT and the group in buf_group.
  assertSqe(new ReadMultishot(5, 7), {
    opcode: IORING_OP_READ_MULTISHOT,
    flags: IOSQE_BUFFER_SELECT,
    fd: 5,
    off: -1,
    bufIndex: 7,
  });
  assertSqe(new ReadMultishot(new FixedFile(1), 300, { length: 64, offset: 0 }), {
    opcode: IORING_OP_READ_MULTISHOT,
    flags: IOSQE_BUFFER_SELECT | IOSQE_FIXED_FILE,
    fd: 1,
    len: 64,
    bufIndex: 300,
  });
});

// ---- argument checks -----------------------------------------------------------------------------

test("bad arguments throw TypeError or RangeError naming the rule and the value", () => {
  assert.throws(
    () => new AsyncCancel({}),
    new TypeError("Cannot async_cancel: give userData, fd, opcode or any"),
  );
  assert.throws(() => new AsyncCancel({ any: true, fd: 3 }), TypeError);
  assert.throws(
    () => new AsyncCancel(-1),
    new RangeError("Cannot async_cancel: userData must be an integer from 0 to 2^53-1: current value is -1"),
  );
  assert.throws(() => new AsyncCancel({ fd: -3 }), RangeError);
  assert.throws(() => new AsyncCancel({ opcode: 256 }), RangeError);
  assert.throws(() => new LinkTimeout(-1), RangeError);
  assert.throws(() => new TimeoutRemove(1, { linked: true }), TypeError);
  assert.throws(() => new TimeoutRemove(2 ** 53), RangeError);
  assert.throws(() => new PollAdd(3, 2 ** 32), /events must be a 32-bit integer/);
  assert.throws(() => new PollRemove(1, { multishot: true }), TypeError);
  assert.throws(() => new PollRemove(1, { newUserData: 1.5 }), RangeError);
  assert.throws(() => new EpollCtl(3, EPOLL_CTL_ADD, -1), RangeError);
  assert.throws(
    () => new EpollWait(3, 0),
    /Cannot epoll_wait fd 3: maxEvents must be an integer from 1 to \d+: current value is 0/,
  );
  const word = new Int32Array(new SharedArrayBuffer(4));
  assert.throws(
    () => new FutexWait(new Float64Array(1) as unknown as Int32Array, 0, 0),
    new TypeError(
      "Cannot futex_wait: futex must be an Int32Array or Uint32Array: current value is Float64Array",
    ),
  );
  assert.throws(
    () => new FutexWait(word, 1, 0),
    new RangeError("Cannot futex_wait: index must be an integer from 0 to 0: current value is 1"),
  );
  assert.throws(() => new FutexWait(word, 0, 2 ** 32), RangeError);
  assert.throws(() => new FutexWake(word, 0, -1), RangeError);
  assert.throws(() => new FutexWaitv([]), RangeError);
  assert.throws(() => new Waitid(P_PID, -5), RangeError);
  assert.throws(() => new ReadMultishot(3, 65536), /bufGroup must be an integer from 0 to 65535/);
});
