// The promise methods for the remaining opcodes: fixed reads and writes, provided buffers, low-level
// cancel and timeout removal, installing a direct descriptor.
import assert from "node:assert/strict";
import { FixedFile, IoRing, type IoRingError, O_CREAT, O_RDWR, Read, Recv, Timeout } from "../mod.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pattern, pipe, sleep, socketPair, tempDir } from "./_util.ts";

test("readFixed and writeFixed move bytes through a registered buffer", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const fd = await ring.openat(dir.file("f"), { flags: O_RDWR | O_CREAT });
    const memory = new Uint8Array(8192);
    memory.set(pattern(4096, 3));
    ring.registerBuffers([memory]);
    assert.equal(await ring.writeFixed(fd, memory.subarray(0, 4096), 0, 0), 4096);
    assert.equal(await ring.readFixed(fd, memory.subarray(4096), 0, 0), 4096);
    assert.deepEqual(memory.subarray(4096), pattern(4096, 3));
    await ring.close(fd);
  } finally {
    dir.remove();
  }
});

test("provided buffers serve a recv with a buffer group, and unused ones come back", async () => {
  await using ring = new IoRing();
  const [a, b] = socketPair();
  try {
    const memory = new Uint8Array(4 * 64);
    assert.equal(await ring.provideBuffers(memory, 7, 64, { count: 4 }), 0);
    n.write(b, new TextEncoder().encode("picked by the kernel"), 20);
    const op = new Recv(a, null, { bufferGroup: 7 });
    const got = await ring.run(op);
    assert.equal(got, 20);
    const landed = [0, 1, 2, 3].filter((i) =>
      new TextDecoder().decode(memory.subarray(i * 64, i * 64 + 20)) === "picked by the kernel"
    );
    assert.equal(landed.length, 1, "the bytes landed in one of the provided buffers");
    assert.equal(await ring.removeBuffers(7, 16), 3, "three buffers were left unused");
  } finally {
    closeFds(a, b);
  }
});

test("asyncCancel and timeoutRemove act on low-level operations by user data", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    ring.prepare(new Read(r, new Uint8Array(1)), 501);
    ring.prepare(new Timeout(60_000), 502);
    ring.submit();
    await sleep(10);
    assert.equal(await ring.asyncCancel(501), 0);
    await ring.timeoutRemove(502);
    const results = new Map<number, number>();
    for await (const cqe of ring.completions({ stopWhenIdle: true })) results.set(cqe.userData, cqe.res);
    assert.equal(results.get(501), -125, "the read was cancelled");
    assert.equal(results.get(502), -125, "the timeout was removed");
    await assert.rejects(ring.timeoutRemove(502), (e: IoRingError) => e.code === "ENOENT");
  } finally {
    closeFds(r, w);
  }
});

test("fixedFdInstall turns a registered file into a regular fd that plain reads use", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const fd = await ring.openat(dir.file("i", "installed"));
    ring.registerFiles([fd]);
    await ring.close(fd);
    const installed = await ring.fixedFdInstall(new FixedFile(0));
    const buffer = new Uint8Array(16);
    assert.equal(await ring.read(installed, buffer, 0), 9);
    assert.equal(new TextDecoder().decode(buffer.subarray(0, 9)), "installed");
    await ring.close(installed);
  } finally {
    dir.remove();
  }
});
