// IORING_OP_RECV_ZC (zero-copy receive, 6.15): the SQE the builder writes, field by field as liburing's
// callers write it (liburing has no prep helper: its zcrx test and example use io_uring_prep_rw() and set
// ioprio and zcrx_ifq_idx), and the kernel's answer on a ring with no zero-copy receive queue registered.
import assert from "node:assert/strict";
import { FixedFile, IoRing, IoRingError, IOSQE_FIXED_FILE, RecvZc } from "../mod.ts";
import { IORING_OP_RECV_ZC, IORING_RECV_MULTISHOT, IORING_RECVSEND_POLL_FIRST } from "../kernel/constants.ts";
import { test } from "./_harness.ts";
import { closeFds, needsOps, unavailable } from "./_util.ts";
import { prepWords, sqeWords, tcpPair } from "./_net_util.ts";

test("RecvZc writes fd, len, the RECV flags in ioprio and zcrx_ifq_idx, and nothing else", () => {
  assert.deepEqual(
    prepWords(new RecvZc(7)),
    sqeWords({ opcode: IORING_OP_RECV_ZC, fd: 7, ioprio: IORING_RECV_MULTISHOT }),
  );
  const op = new RecvZc(new FixedFile(2), { ifq: 3, length: 1 << 20, pollFirst: true });
  assert.deepEqual(
    prepWords(op),
    sqeWords({
      opcode: IORING_OP_RECV_ZC,
      flags: IOSQE_FIXED_FILE,
      ioprio: IORING_RECV_MULTISHOT | IORING_RECVSEND_POLL_FIRST,
      fd: 2,
      len: 1 << 20,
      fileIndex: 3, // zcrx_ifq_idx shares the word of file_index
    }),
  );
  assert.deepEqual([op.name, op.opcode, op.since, op.multishot, op.holdsMemory], [
    "recv_zc",
    IORING_OP_RECV_ZC,
    "6.15",
    true,
    false,
  ]);
  assert.throws(() => new RecvZc(7, { ifq: -1 }), RangeError);
  assert.throws(() => new RecvZc(7, { ifq: 2 ** 32 }), RangeError);
  assert.throws(() => new RecvZc(7, { length: 2 ** 32 }), RangeError);
  assert.throws(() => new RecvZc(7).ioprio(1), /ioprio field holds its IORING_RECV/);
});

for (const cqe32 of [false, true]) {
  test(
    `RECV_ZC on a ring with no zero-copy receive queue registered fails with EINVAL${
      cqe32 ? " (CQE32)" : ""
    }`,
    async () => {
      // The kernel looks the queue up by zcrx_ifq_idx when it prepares the op: none is registered here.
      await using ring = new IoRing({ cqe32 });
      const { client, server } = await tcpPair(ring);
      try {
        const seen: number[] = [];
        const failure = await ring.stream(new RecvZc(server), (res) => seen.push(res)).then(
          () => null,
          (error: unknown) => error,
        );
        assert.ok(failure instanceof IoRingError, `an IoRingError: ${failure}`);
        assert.equal(failure.code, "EINVAL");
        assert.equal(failure.op, "recv_zc");
        assert.equal(seen.length, 1, "one completion, without IORING_CQE_F_MORE");
        assert.equal(ring.inflight, 0);
      } finally {
        closeFds(client, server);
      }
    },
    { skip: needsOps(IORING_OP_RECV_ZC) || (cqe32 && unavailable({ cqe32 })) },
  );
}
