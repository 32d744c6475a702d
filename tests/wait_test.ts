// Waiting for completions never blocks the event loop, uses no CPU, and lets the process exit.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { IoRing } from "../mod.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pipe, runtimeCommand, sleep, tempDir } from "./_util.ts";

test("a pending read on an empty pipe does not block a setTimeout chain, and completes when data is written", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const buffer = new Uint8Array(64);
    let settled = false;
    const read = ring.read(r, buffer).then((bytes) => {
      settled = true;
      return bytes;
    });
    let ticks = 0;
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      await sleep(5);
      ticks++;
    }
    const elapsed = performance.now() - started;
    assert.equal(ticks, 10);
    assert.equal(settled, false, "nothing was written yet");
    assert.ok(elapsed < 2_000, `ten 5 ms timers took ${elapsed} ms`);
    n.write(w, new TextEncoder().encode("late data"), 9);
    assert.equal(await read, 9);
    assert.equal(new TextDecoder().decode(buffer.subarray(0, 9)), "late data");
  } finally {
    closeFds(r, w);
  }
});

test("waiting for a completion uses (almost) no CPU", async () => {
  await using ring = new IoRing();
  const [r, w] = pipe();
  try {
    const read = ring.read(r, new Uint8Array(8));
    await sleep(20);
    const before = process.cpuUsage();
    await sleep(400);
    const used = process.cpuUsage(before);
    const ms = (used.user + used.system) / 1000;
    // A busy-polling loop would burn ~400 ms here.
    assert.ok(ms < 100, `the process used ${ms.toFixed(1)} ms of CPU while idle for 400 ms`);
    n.write(w, new Uint8Array(1), 1);
    assert.equal(await read, 1);
  } finally {
    closeFds(r, w);
  }
});

test("a timeout op fires within a sane window", async () => {
  await using ring = new IoRing();
  const started = performance.now();
  assert.equal(await ring.timeout(50), true);
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 45, `fired early, after ${elapsed} ms`);
  assert.ok(elapsed < 1_000, `fired late, after ${elapsed} ms`);
  const t0 = performance.now();
  assert.equal(await ring.timeout({ sec: 0, nsec: 20_000_000 }), true);
  assert.ok(performance.now() - t0 >= 15);
});

test("many rings wait on one shared waiter, each getting its own completions", async () => {
  const rings = Array.from({ length: 4 }, () => new IoRing({ entries: 8 }));
  try {
    const timers = rings.map((ring, i) => ring.timeout(10 + i * 10).then(() => i));
    const order: number[] = [];
    for (const p of timers) p.then((i) => order.push(i));
    await Promise.all(timers);
    assert.deepEqual(order, [0, 1, 2, 3]);
  } finally {
    await Promise.all(rings.map((ring) => ring.close()));
  }
});

function runScript(source: string): { status: number | null; stdout: string; stderr: string; ms: number } {
  const dir = tempDir();
  try {
    const script = join(dir.path, "script.ts");
    writeFileSync(script, source.replaceAll("MOD", new URL("../mod.ts", import.meta.url).href));
    const [cmd, args] = runtimeCommand(script);
    const started = performance.now();
    const result = spawnSync(cmd, args, { encoding: "utf8", timeout: 15_000, env: process.env });
    return {
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      ms: performance.now() - started,
    };
  } finally {
    dir.remove();
  }
}

test("the process exits on its own once nothing is pending", () => {
  const result = runScript(`
    import { IoRing } from "MOD";
    const ring = new IoRing();
    await ring.timeout(30);
    await Promise.all([ring.nop(), ring.nop()]);
    console.log("finished");
  `);
  assert.equal(result.stdout.trim(), "finished", result.stderr);
  assert.equal(result.status, 0, result.stderr);
  assert.ok(result.ms < 10_000);
});

test("the process stays alive while an operation is pending", () => {
  const result = runScript(`
    import { IoRing } from "MOD";
    const ring = new IoRing();
    ring.timeout(300).then(() => console.log("fired"));
  `);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), "fired", result.stderr);
});
