// Zero-copy sends with their notification CQEs, and messages between rings (MSG_RING): data, CQE flags
// and direct descriptors.
import assert from "node:assert/strict";
import { FixedFile, IoRing, IORING_CQE_F_MORE, IORING_CQE_F_NOTIF, type IoRingError, Write } from "../mod.ts";
import { IORING_NOTIF_USAGE_ZC_COPIED } from "../kernel/constants.ts";
import { MSG_WAITALL } from "../kernel/constants.ts";
import { MsgRing, MsgRingFd } from "../ops/msg_ring.ts";
import { RecvMsg } from "../ops/recvmsg.ts";
import { SendMsgZc } from "../ops/sendmsg_zc.ts";
import { SendZc } from "../ops/send_zc.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pattern, pipe, socketPair } from "./_util.ts";
import { bindUdp, collect, procNet, recvAll, registerBuffer, registerFiles, tcpPair } from "./_net_util.ts";
import { EOPNOTSUPP } from "../kernel/errno.ts";

const noPorts: string | false = procNet
  ? false
  : "/proc/net is not readable, so bound ports cannot be read back";

/** A zero-copy send's two completions: the result with F_MORE, then the notification with F_NOTIF. */
function assertSendThenNotif(cqes: { res: number; flags: number }[], bytes: number): number {
  assert.equal(cqes.length, 2, `two completions: ${JSON.stringify(cqes)}`);
  const [sent, notif] = cqes;
  assert.equal(sent.res, bytes);
  assert.equal(
    sent.flags & (IORING_CQE_F_MORE | IORING_CQE_F_NOTIF),
    IORING_CQE_F_MORE,
    "the send says more follows",
  );
  assert.equal(
    notif.flags & (IORING_CQE_F_MORE | IORING_CQE_F_NOTIF),
    IORING_CQE_F_NOTIF,
    "then the notification",
  );
  return notif.res;
}

test("send_zc on TCP: bytes arrive exactly, the send CQE comes first, the notification after", async () => {
  await using ring = new IoRing();
  const { client, server } = await tcpPair(ring);
  try {
    const data = pattern(200_000, 21);
    const op = new SendZc(client, data, { flags: MSG_WAITALL });
    ring.prepare(op, 21);
    const [cqes, got] = await Promise.all([collect(ring, 21), recvAll(ring, server, data.length)]);
    assert.equal(assertSendThenNotif(cqes, data.length), 0);
    assert.deepEqual(got, data);
    assert.equal(ring.inflight, 0, "the ring let go of the builder after the notification");
  } finally {
    closeFds(client, server);
  }
}, { skip: noPorts });

test(
  "send_zc with reportUsage: the notification says whether the kernel copied (loopback copies)",
  async () => {
    await using ring = new IoRing();
    const { client, server } = await tcpPair(ring);
    try {
      const data = pattern(64 * 1024, 22);
      ring.prepare(new SendZc(client, data, { reportUsage: true, flags: MSG_WAITALL }), 22);
      const [cqes, got] = await Promise.all([collect(ring, 22), recvAll(ring, server, data.length)]);
      const usage = assertSendThenNotif(cqes, data.length);
      // res is a signed 32-bit value: the COPIED bit is its sign bit. Data looped back to a local socket is
      // always copied out of the sender's pages.
      assert.equal(usage >>> 0, IORING_NOTIF_USAGE_ZC_COPIED);
      assert.deepEqual(got, data);
    } finally {
      closeFds(client, server);
    }
  },
  { skip: noPorts },
);

test("send_zc from a registered buffer, and sendto on UDP through addr2", async () => {
  await using ring = new IoRing();
  const { client, server } = await tcpPair(ring);
  const a = await bindUdp(ring);
  const b = await bindUdp(ring);
  const registered = pattern(8192, 23);
  try {
    registerBuffer(ring, registered);
    const slice = registered.subarray(1000, 5000);
    ring.prepare(new SendZc(client, slice, { fixedBuffer: 0, flags: MSG_WAITALL }), 23);
    const [cqes, got] = await Promise.all([collect(ring, 23), recvAll(ring, server, slice.length)]);
    assertSendThenNotif(cqes, slice.length);
    assert.deepEqual(got, slice);
    // A datagram to an address, from an unconnected socket.
    const datagram = pattern(777, 24);
    ring.prepare(new SendZc(a.fd, datagram, { to: b.address }), 24);
    assertSendThenNotif(await collect(ring, 24), datagram.length);
    const recv = new RecvMsg(b.fd, [new Uint8Array(1000)]);
    assert.equal(await ring.run(recv), 777);
    assert.deepEqual(recv.buffers[0].subarray(0, 777), datagram);
    assert.deepEqual(recv.result().address, a.address);
  } finally {
    closeFds(client, server, a.fd, b.fd);
  }
}, { skip: noPorts });

test("sendmsg_zc sends its iovecs in order and notifies once the kernel lets them go", async () => {
  await using ring = new IoRing();
  const { client, server } = await tcpPair(ring);
  try {
    const parts = [pattern(10, 1), pattern(100_000, 2), pattern(3, 3)];
    ring.prepare(new SendMsgZc(client, parts, { flags: MSG_WAITALL, reportUsage: true }), 25);
    const [cqes, got] = await Promise.all([collect(ring, 25), recvAll(ring, server, 100_013)]);
    const usage = assertSendThenNotif(cqes, 100_013);
    assert.equal(usage & 0x7fffffff, 0, "the notification's res holds only the usage bit");
    assert.deepEqual(got, new Uint8Array([...parts[0], ...parts[1], ...parts[2]]));
  } finally {
    closeFds(client, server);
  }
}, { skip: noPorts });

test("send_zc on a Unix socket fails with EOPNOTSUPP and ends there", async () => {
  await using ring = new IoRing();
  const [left, right] = socketPair();
  try {
    ring.prepare(new SendZc(left, new Uint8Array(16)), 26);
    const cqes = await collect(ring, 26);
    assert.equal(cqes[0].res, -EOPNOTSUPP);
    assert.ok(cqes.length <= 2, "at most a notification follows");
    assert.equal(ring.inflight, 0);
  } finally {
    closeFds(left, right);
  }
});

test("msg_ring posts a CQE with the given user data and res on another ring", async () => {
  await using a = new IoRing();
  await using b = new IoRing();
  const inbox = b.completions();
  const userData = 2 ** 40 + 5;
  assert.equal(await a.run(new MsgRing(b.fd, userData, -7)), 0);
  assert.deepEqual((await inbox.next()).value, { userData, res: -7, flags: 0 });
  // With IORING_MSG_RING_FLAGS_PASS the target's CQE carries the flags given.
  assert.equal(await a.run(new MsgRing(b.fd, 8, 123, { cqeFlags: 0x00ab0000 })), 0);
  assert.deepEqual((await inbox.next()).value, { userData: 8, res: 123, flags: 0x00ab0000 });
  assert.equal(await a.run(new MsgRing(b.fd, 9, 0x7fffffff)), 0);
  assert.deepEqual((await inbox.next()).value, { userData: 9, res: 0x7fffffff, flags: 0 });
  // A ring can message itself; the sender's own CQE is separate.
  const self = a.completions();
  assert.equal(await a.run(new MsgRing(a.fd, 10, 1)), 0);
  assert.deepEqual((await self.next()).value, { userData: 10, res: 1, flags: 0 });
  assert.equal(b.forEachCompletion(() => assert.fail("nothing else reached b")), 0);
});

test("msg_ring to an fd that is not a ring fails with EBADFD", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    await assert.rejects(
      ring.run(new MsgRing(r, 1)),
      (e: IoRingError) => e.code === "EBADFD" && e.op === "msg_ring" && e.fd === r,
    );
  } finally {
    closeFds(r, w);
  }
});

test("msg_ring SEND_FD installs a direct descriptor in another ring, which can then write through it", async () => {
  await using a = new IoRing();
  await using b = new IoRing();
  const [r, w] = pipe();
  try {
    registerFiles(a, [w]);
    registerFiles(b, [-1, -1, -1, -1]);
    const inbox = b.completions();
    // Into a slot the target allocates: both CQEs carry it.
    const slot = await a.run(new MsgRingFd(b.fd, new FixedFile(0), { userData: 77 }));
    assert.ok(slot >= 0 && slot < 4);
    assert.deepEqual((await inbox.next()).value, { userData: 77, res: slot, flags: 0 });
    // Into a chosen slot, without a CQE on the target.
    assert.equal(await a.run(new MsgRingFd(b.fd, new FixedFile(0), { targetSlot: 3, skipCqe: true })), 0);
    assert.equal(b.forEachCompletion(() => assert.fail("skipCqe posts nothing on the target")), 0);
    for (const [index, text] of [[slot, "alloc"], [3, "slot3"]] as const) {
      const bytes = new TextEncoder().encode(text);
      assert.equal(await b.run(new Write(new FixedFile(index), bytes)), bytes.length);
      const back = new Uint8Array(bytes.length);
      assert.equal(n.read(r, back, back.length), bytes.length);
      assert.deepEqual(back, bytes);
    }
    // A ring cannot send a descriptor to itself.
    await assert.rejects(
      a.run(new MsgRingFd(a.fd, new FixedFile(0))),
      (e: IoRingError) => e.code === "EINVAL",
    );
  } finally {
    closeFds(r, w);
  }
});
