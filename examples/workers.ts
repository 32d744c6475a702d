/**
 * One ring per thread: random 4 KiB reads of one file spread over 1, 2, …
 * up to as many Workers as there are CPUs, each with its own ring at queue
 * depth 32, stopped together by a MSG_RING that the coordinator's ring posts
 * into each worker's ring. Prints the reads per second and the scaling.
 *
 *   deno task workers [FILE] [--seconds 1]        bun examples/workers.ts [FILE]
 *
 * With no FILE it reads a 256 MiB file it makes in the temp directory.
 *
 * @module
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { IoRing, MsgRing } from "../mod.ts";
import { makeSample } from "./copy.ts";

const STOP = 2 ** 40;

/** Runs `count` workers for `seconds`; resolves with the reads per second of each. */
export async function readWithWorkers(
  ring: IoRing,
  path: string,
  count: number,
  seconds: number,
): Promise<number[]> {
  const size = statSync(path).size;
  const workers: Worker[] = [];
  const next = (worker: Worker) =>
    new Promise<Record<string, number>>((resolve) => (worker.onmessage = (e) => resolve(e.data)));
  try {
    const fds: number[] = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL("./_read_worker.ts", import.meta.url).href, { type: "module" });
      workers.push(worker);
      await next(worker); // its hello: it listens now
      const reply = next(worker);
      worker.postMessage({ path, size, depth: 32, seed: 1 + i * 7919 });
      fds.push((await reply).ready);
    }
    const results = workers.map(next);
    workers.forEach((worker) => worker.postMessage("go"));
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    await Promise.all(fds.map((fd) => ring.run(new MsgRing(fd, STOP))));
    const done = await Promise.all(results);
    return done.map((r) => r.done / r.seconds);
  } finally {
    workers.forEach((worker) => worker.terminate());
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const secondsAt = args.indexOf("--seconds");
  const seconds = secondsAt >= 0 ? Number(args.splice(secondsAt, 2)[1]) : 1;
  let path = args[0];
  const dir = path === undefined ? mkdtempSync(join(tmpdir(), "ioring-workers-")) : "";
  if (path === undefined) {
    path = join(dir, "sample.bin");
    makeSample(path, 256 << 20);
  }
  try {
    await using ring = new IoRing();
    const cpus = availableParallelism();
    let one = 0;
    for (let count = 1; count <= cpus; count++) {
      const rate = (await readWithWorkers(ring, path, count, seconds)).reduce((sum, r) => sum + r, 0);
      if (count === 1) one = rate;
      console.log(
        `${count} ring${count > 1 ? "s" : " "} in ${count} worker${count > 1 ? "s" : " "}: ${
          (rate / 1e3).toFixed(0)
        } k reads/s (${(rate / one).toFixed(2)}×)`,
      );
    }
  } finally {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  }
}
