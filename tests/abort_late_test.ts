// An abort that reaches the kernel after the op completed (its ASYNC_CANCEL finds nothing) changes nothing:
// the op reports its own result, as liburing's io-cancel tests rely on, and no fd it made is lost.
import assert from "node:assert/strict";
import { Accept, Connect, IoRing, IoRingError, O_WRONLY, Socket, Splice } from "../mod.ts";
import { AF_INET, SOCK_STREAM } from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { closeFds, n, openFds, pipe, sleep } from "./_util.ts";
import { listenTcp } from "./_net_util.ts";

test("a write aborted after it completed resolves with its byte count, and the bytes are there", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const controller = new AbortController();
    const written = ring.write(w, new Uint8Array([1, 2, 3, 4]), -1, { signal: controller.signal });
    ring.submit(); // a pipe write with room completes inside this io_uring_enter
    controller.abort(new Error("too late"));
    assert.equal(await written, 4);
    const back = new Uint8Array(8);
    assert.equal(n.read(r, back, 8), 4);
    assert.deepEqual([...back.subarray(0, 4)], [1, 2, 3, 4]);
  } finally {
    closeFds(r, w);
  }
});

test("a read the abort catches still rejects with the signal's reason", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const controller = new AbortController();
    const reason = new Error("stop");
    const read = ring.read(r, new Uint8Array(8), -1, { signal: controller.signal });
    await sleep(10);
    controller.abort(reason);
    await assert.rejects(read, (error) => error === reason);
  } finally {
    closeFds(r, w);
  }
});

test("an accept aborted after it completed hands over its fd: nothing leaks", async () => {
  await using ring = new IoRing();
  const listener = await listenTcp(ring);
  const client = await ring.run(new Socket(AF_INET, SOCK_STREAM));
  try {
    await ring.run(new Connect(client, listener.address));
    await sleep(5);
    const before = openFds();
    const controller = new AbortController();
    const accepted = ring.accept(listener.fd, { signal: controller.signal });
    ring.submit(); // a pending connection is accepted inside this io_uring_enter
    controller.abort();
    const { fd } = await accepted;
    assert.ok(fd >= 0);
    assert.equal(openFds(), before + 1);
    await ring.close(fd);
    assert.equal(openFds(), before);
  } finally {
    n.close(client);
    n.close(listener.fd);
  }
});

test("a multishot accept's connections dropped when its loop breaks are closed by the ring", async () => {
  await using ring = new IoRing();
  const listener = await listenTcp(ring);
  const clients: number[] = [];
  try {
    const before = openFds();
    const accepts = ring.multishot(new Accept(listener.fd, { multishot: true }));
    const first = accepts.next();
    for (let i = 0; i < 4; i++) {
      const client = await ring.run(new Socket(AF_INET, SOCK_STREAM));
      clients.push(client);
      await ring.run(new Connect(client, listener.address));
    }
    const received = (await first).value!.res;
    assert.ok(received >= 0);
    await sleep(20); // the other three are accepted and queued for the loop
    await accepts.return!(); // the loop breaks: they reach no one
    await sleep(20);
    // The clients and the one fd this loop received; none of the dropped ones.
    assert.equal(openFds(), before + clients.length + 1);
    n.close(received);
  } finally {
    for (const fd of clients) n.close(fd);
    n.close(listener.fd);
  }
});

test("a timed-out read still rejects with ETIMEDOUT; a linked timeout that lost the race changes nothing", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    await assert.rejects(
      ring.read(r, new Uint8Array(8), -1, { timeout: 5 }),
      (error) => error instanceof IoRingError && error.code === "ETIMEDOUT",
    );
    // The op wins: the pipe has bytes, the read completes inline and its timeout is cancelled (-ECANCELED).
    assert.equal(n.write(w, new Uint8Array([7]), 1), 1);
    assert.equal(await ring.read(r, new Uint8Array(8), -1, { timeout: 1000 }), 1);
  } finally {
    closeFds(r, w);
  }
});

test("{ timeout } on an op the kernel runs in io-wq: when the op wins, its own result is reported", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  const devnull = await ring.openat("/dev/null", { flags: O_WRONLY });
  try {
    // A splice from an empty pipe blocks in an io-wq worker; on 6.x its linked timeout completes with
    // -ECANCELED (or -EALREADY: running work cannot be cancelled) once the splice is done.
    setTimeout(() => n.write(w, new Uint8Array(5), 5), 60);
    const outcome = await ring.run(new Splice(r, devnull, 100), { timeout: 20 }).then(
      (res) => res,
      (error) => error instanceof IoRingError ? error.code : error,
    );
    // ETIMEDOUT if this kernel did cut it short; never a cancellation's errno or the timer's own.
    assert.ok(outcome === 5 || outcome === "ETIMEDOUT", String(outcome));
    assert.equal(ring.inflight, 0);
  } finally {
    closeFds(r, w);
    n.close(devnull);
  }
});
