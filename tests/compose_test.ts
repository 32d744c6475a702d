// Composition: links, hard links, drains, linked timeouts, AbortSignal cancellation, multishot streams, probe.
import assert from "node:assert/strict";
import {
  IoRing,
  IORING_TIMEOUT_MULTISHOT,
  IoRingError,
  IOSQE_IO_DRAIN,
  MsgRing,
  Nop,
  type Op,
  Read,
  Recv,
  SendZc,
  Timeout,
  Write,
} from "../mod.ts";
import { IORING_OP_NOP, IORING_OP_READ } from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pipe, sleep, socketPair } from "./_util.ts";
import { tcpPair } from "./_net_util.ts";

test("a link chain runs in order; a failure cancels the rest with ECANCELED", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const data = new TextEncoder().encode("linked");
    const into = new Uint8Array(16);
    // write then read of the same pipe: the read can only see the data if the write went first.
    const ok = await ring.link([new Write(w, data), new Read(r, into)]);
    assert.deepEqual(ok.map((x) => x.status), ["fulfilled", "fulfilled"]);
    assert.equal((ok[1] as PromiseFulfilledResult<number>).value, 6);
    assert.equal(new TextDecoder().decode(into.subarray(0, 6)), "linked");
    const broken = await ring.link([new Nop(), new Read(-1, into), new Nop(), new Nop()]);
    assert.equal(broken[0].status, "fulfilled");
    assert.equal((broken[1] as PromiseRejectedResult).reason.code, "EBADF");
    assert.equal((broken[2] as PromiseRejectedResult).reason.code, "ECANCELED");
    assert.equal((broken[3] as PromiseRejectedResult).reason.code, "ECANCELED");
  } finally {
    closeFds(r, w);
  }
});

test("a hard link keeps the chain going after a failure", async () => {
  await using ring = new IoRing();
  const results = await ring.link([new Read(-1, new Uint8Array(1)), new Nop()], { hard: true });
  assert.equal((results[0] as PromiseRejectedResult).reason.code, "EBADF");
  assert.deepEqual(results[1], { status: "fulfilled", value: 0 });
});

test("a chain longer than free SQ space is never split across submissions", async () => {
  await using ring = new IoRing({ entries: 8 });
  const filler = Array.from({ length: 6 }, () => ring.nop());
  const chain = await ring.link(Array.from({ length: 8 }, () => new Nop()));
  assert.equal(chain.filter((x) => x.status === "fulfilled").length, 8);
  await Promise.all(filler);
  await assert.rejects(ring.link(Array.from({ length: 9 }, () => new Nop())), RangeError);
});

test("a drained op waits for everything submitted before it", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const order: string[] = [];
    const read = ring.read(r, new Uint8Array(4)).then(() => order.push("read"));
    await sleep(5);
    const drained = ring.run(new Nop().flags(IOSQE_IO_DRAIN)).then(() => order.push("drained nop"));
    await sleep(20);
    assert.deepEqual(order, [], "the drained NOP waits for the pending read");
    n.write(w, new Uint8Array(4), 4);
    await Promise.all([read, drained]);
    assert.deepEqual(order, ["read", "drained nop"]);
  } finally {
    closeFds(r, w);
  }
});

test("a per-op timeout that fires rejects with ETIMEDOUT; one that does not changes nothing", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const started = performance.now();
    const error = await ring.read(r, new Uint8Array(4), -1, { timeout: 30 }).then(() => null, (e) => e);
    assert.ok(error instanceof IoRingError, String(error));
    assert.equal(error.code, "ETIMEDOUT");
    assert.match(error.message, /timed out after 30 ms/);
    assert.ok(performance.now() - started >= 25);
    n.write(w, new Uint8Array([7]), 1);
    const buffer = new Uint8Array(4);
    assert.equal(await ring.read(r, buffer, -1, { timeout: 5_000 }), 1, "completes well within its timeout");
    assert.equal(buffer[0], 7);
    assert.equal(ring.inflight, 0, "the unfired link timeout completed too");
  } finally {
    closeFds(r, w);
  }
});

test("aborting before submit, in flight, and after completion", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const early = new AbortController();
    early.abort(new Error("before"));
    await assert.rejects(ring.read(r, new Uint8Array(1), -1, { signal: early.signal }), /before/);
    assert.equal(ring.inflight, 0, "nothing reached the kernel");

    const inFlight = new AbortController();
    const read = ring.read(r, new Uint8Array(1), -1, { signal: inFlight.signal });
    await sleep(10);
    assert.equal(ring.inflight, 1);
    const reason = new Error("changed my mind");
    inFlight.abort(reason);
    await assert.rejects(read, (e) => e === reason);
    assert.equal(ring.inflight, 0, "the kernel let go of the read before the promise rejected");

    const late = new AbortController();
    n.write(w, new Uint8Array([1]), 1);
    assert.equal(await ring.read(r, new Uint8Array(1), -1, { signal: late.signal }), 1);
    late.abort();
    assert.equal(await ring.nop(), 0, "aborting a finished op does nothing");
    await assert.rejects(ring.nop({ signal: "x" as unknown as AbortSignal }), TypeError);
  } finally {
    closeFds(r, w);
  }
});

test("cancelFd cancels every op on one fd; cancelAll every op on the ring", async () => {
  await using ring = new IoRing();
  const [r1, w1] = pipe();
  const [r2, w2] = pipe();
  try {
    const onFirst = [ring.read(r1, new Uint8Array(1)), ring.read(r1, new Uint8Array(1))].map((p) =>
      p.catch((e) => e.code)
    );
    const onSecond = ring.read(r2, new Uint8Array(1)).catch((e) => e.code);
    await sleep(10);
    assert.equal(await ring.cancelFd(r1), 2);
    assert.deepEqual(await Promise.all(onFirst), ["ECANCELED", "ECANCELED"]);
    assert.equal(ring.inflight, 1, "the read on the other pipe is still pending");
    assert.equal(await ring.cancelAll(), 1);
    assert.equal(await onSecond, "ECANCELED");
    assert.equal(await ring.cancelAll(), 0, "nothing left to cancel");
  } finally {
    closeFds(r1, w1, r2, w2);
  }
});

test("a multishot timeout streams its ticks and ends after count", async () => {
  await using ring = new IoRing();
  const ticks: number[] = [];
  for await (const cqe of ring.multishot(new Timeout(5, { count: 3, flags: IORING_TIMEOUT_MULTISHOT }))) {
    ticks.push(cqe.res);
  }
  assert.equal(ticks.length, 3);
  assert.ok(ticks.every((res) => res === -62), `each tick is -ETIME: ${ticks}`);
  assert.equal(ring.inflight, 0);
});

test("breaking out of a multishot loop cancels it in the kernel", async () => {
  await using ring = new IoRing();
  let seen = 0;
  for await (const _ of ring.multishot(new Timeout(2, { flags: IORING_TIMEOUT_MULTISHOT }))) {
    if (++seen === 2) break;
  }
  assert.equal(seen, 2);
  for (let i = 0; i < 50 && ring.inflight > 0; i++) await sleep(2);
  assert.equal(ring.inflight, 0, "the endless multishot timeout was cancelled");
});

test("probe reports this kernel's opcodes; a missing one is refused naming the opcode and version", async () => {
  await using ring = new IoRing();
  const probe = ring.probe();
  assert.ok(probe.supported.has(IORING_OP_NOP));
  assert.ok(probe.supported.has(IORING_OP_READ));
  assert.ok(probe.names.includes("IORING_OP_READ"));
  assert.ok(probe.lastOp >= 48);
  const future: Op = {
    name: "future_op",
    opcode: 250,
    since: "9.9",
    target: {},
    prep: (s) => void s.prepRw(250, -1, 0, 0, 0),
  };
  const error = await ring.run(future).then(() => null, (e) => e);
  assert.ok(error instanceof IoRingError);
  assert.equal(error.code, "EOPNOTSUPP");
  assert.match(error.message, /needs Linux 9\.9 or later/);
  assert.throws(() => ring.prepare(future, 1), /opcode 250 needs Linux 9\.9/);
  assert.equal(ring.inflight, 0);
});

test("CQE_SKIP_SUCCESS on a promise op is refused: nothing would settle it", async () => {
  await using ring = new IoRing();
  await assert.rejects(ring.run(new Nop().flags(64)), TypeError);
  assert.equal(await ring.nop(), 0, "the refused SQE was not queued");
});

test("a zero-copy send through the promise API resolves with the bytes sent, once the buffer is released", async () => {
  await using ring = new IoRing();
  const { client, server } = await tcpPair(ring);
  try {
    const data = new TextEncoder().encode("zero copy");
    assert.equal(await ring.run(new SendZc(client, data)), data.length);
    assert.equal(await ring.run(new SendZc(client, data, { reportUsage: true })), data.length);
    const into = new Uint8Array(64);
    let got = 0;
    while (got < data.length * 2) got += await ring.read(server, into.subarray(got));
    assert.equal(new TextDecoder().decode(into.subarray(0, got)), "zero copyzero copy");
    assert.equal(ring.inflight, 0, "both notifications arrived before the promises settled");
  } finally {
    closeFds(client, server);
  }
});

test("run() refuses a multishot op; ring.multishot() takes it", async () => {
  await using ring = new IoRing();
  const [a, b] = socketPair();
  try {
    await assert.rejects(
      ring.run(new Recv(a, null, { multishot: true, bufferGroup: 1 })),
      /use ring\.multishot\(\)/,
    );
    await assert.rejects(ring.run(new Timeout(1, { flags: IORING_TIMEOUT_MULTISHOT })), TypeError);
    assert.equal(ring.inflight, 0);
  } finally {
    closeFds(a, b);
  }
});

test("an iterator waiting on a ring with nothing in flight receives MSG_RING completions from another ring", async () => {
  await using receiver = new IoRing();
  await using sender = new IoRing();
  const it = receiver.completions();
  const next = it.next();
  await sleep(10);
  assert.equal(receiver.inflight, 0);
  await sender.run(new MsgRing(receiver.fd, 4242, 17));
  const { value } = await next;
  assert.equal(value?.userData, 4242);
  assert.equal(value?.res, 17);
});
