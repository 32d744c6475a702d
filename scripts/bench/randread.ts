/**
 * Random 4 KiB reads from a page-cached 1 GiB file at queue depth 1, 32 and
 * 128: ioring's low-level and promise APIs beside C liburing at the same
 * depth, a C pread(2) loop, and the runtime's own async and sync reads.
 *
 *   deno run -A scripts/bench/randread.ts     bun scripts/bench/randread.ts
 *
 * (`npm run bench` makes the data file and keeps it in the page cache.)
 *
 * @module
 */
import { statSync } from "node:fs";
import { IoRing, Read, ReadFixed } from "../../mod.ts";
import { blockPicker, buildC, dataFile, type Figure, runC, RUNS, SECONDS } from "./_common.ts";
import { loadRefs } from "./_refs.ts";

const BS = 4096;
const DEPTHS = [1, 32, 128];

function lowLevel(
  ring: IoRing,
  fd: number,
  depth: number,
  pick: () => number,
  registered = false,
): Promise<number> {
  const memory = new Uint8Array(depth * BS);
  let reads: (Read | ReadFixed)[];
  if (registered) {
    const [file] = ring.registerFiles([fd]);
    ring.registerBuffers([memory]);
    reads = Array.from(
      { length: depth },
      (_, i) => new ReadFixed(file, memory.subarray(i * BS, (i + 1) * BS), 0, 0),
    );
  } else {
    reads = Array.from({ length: depth }, (_, i) => new Read(fd, memory.subarray(i * BS, (i + 1) * BS), 0));
  }
  let done = 0;
  let failed = 0;
  let stopping = false;
  let inflight = depth;
  const onCqe = (userData: number, res: number) => {
    if (res !== BS) failed++;
    done++;
    if (stopping) inflight--;
    else ring.prepare(reads[userData].offset(pick() * BS), userData);
  };
  for (let i = 0; i < depth; i++) ring.prepare(reads[i].offset(pick() * BS), i);
  const completions = ring.completions();
  const start = performance.now();
  const end = start + SECONDS * 1000;
  return (async () => {
    let t = start;
    while (inflight > 0) {
      for (let round = 0; round < 64 && inflight > 0; round++) {
        ring.submit();
        if (ring.forEachCompletion(onCqe) === 0) {
          const { value } = await completions.next();
          if (value !== undefined) onCqe(value.userData, value.res);
        }
      }
      t = performance.now();
      if (t >= end) stopping = true;
    }
    if (registered) {
      ring.unregisterBuffers();
      ring.unregisterFiles();
    }
    if (failed > 0) throw new Error(`${failed} reads were short or failed`);
    return done / ((t - start) / 1000);
  })();
}

async function promiseApi(ring: IoRing, fd: number, depth: number, pick: () => number): Promise<number> {
  let done = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const worker = async () => {
    const buffer = new Uint8Array(BS);
    while (performance.now() < end) {
      for (let i = 0; i < 64; i++) {
        if (await ring.read(fd, buffer, pick() * BS) !== BS) throw new Error("short read");
      }
      done += 64;
    }
  };
  await Promise.all(Array.from({ length: depth }, worker));
  return done / ((performance.now() - start) / 1000);
}

/** Runs the random-read benchmark in this runtime; returns its figures. */
export async function randomReads(): Promise<Figure[]> {
  const binary = buildC("randread");
  const blocks = Math.floor(statSync(dataFile).size / BS);
  const pick = blockPicker(blocks);
  const refs = await loadRefs();
  const figures: Figure[] = [];
  const figure = (config: string, subject: string, runs: number[], reference = "C liburing") =>
    figures.push({ bench: "random 4 KiB reads", config, subject, unit: "reads/s", runs, reference });
  await using ring = new IoRing({ entries: 256 });
  const fd = await ring.openat(dataFile);
  try {
    // One unmeasured run of the C reference first, as ioring's own figures get a warm-up run. (The C
    // QD 1 reference still swings in the Deno suite on this VM, 0.19 to 1.0 M reads/s: not explained.)
    runC(binary, [dataFile, "uring", 1, SECONDS, 1]);
    for (const depth of DEPTHS) {
      const config = `QD ${depth}`;
      figures.push({
        bench: "random 4 KiB reads",
        config,
        subject: "C liburing",
        unit: "reads/s",
        runs: runC(binary, [dataFile, "uring", depth, SECONDS, RUNS]),
      });
      await lowLevel(ring, fd, depth, pick); // warm-up
      const low: number[] = [];
      for (let r = 0; r < RUNS; r++) low.push(await lowLevel(ring, fd, depth, pick));
      figure(config, "ioring low-level", low);
      figures.push({
        bench: "random 4 KiB reads",
        config,
        subject: "C liburing, registered file+buffer",
        unit: "reads/s",
        runs: runC(binary, [dataFile, "uring-reg", depth, SECONDS, RUNS]),
      });
      const reg: number[] = [];
      await lowLevel(ring, fd, depth, pick, true);
      for (let r = 0; r < RUNS; r++) reg.push(await lowLevel(ring, fd, depth, pick, true));
      figure(config, "ioring low-level, registered file+buffer", reg, "C liburing, registered file+buffer");
      await promiseApi(ring, fd, depth, pick);
      const prom: number[] = [];
      for (let r = 0; r < RUNS; r++) prom.push(await promiseApi(ring, fd, depth, pick));
      figure(config, "ioring promise", prom);
      if (depth === 1) {
        figure(config, "C pread", runC(binary, [dataFile, "pread", 1, SECONDS, RUNS]));
        const sync: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const start = performance.now();
          const done = refs.syncReads(dataFile, start + SECONDS * 1000, pick);
          sync.push(done / ((performance.now() - start) / 1000));
        }
        figure(config, refs.syncName, sync);
      }
      if (depth === 32) {
        const own: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const start = performance.now();
          const done = await refs.asyncReads(dataFile, 32, start + SECONDS * 1000, pick);
          own.push(done / ((performance.now() - start) / 1000));
        }
        figure(config, `${refs.asyncName} ×32`, own);
      }
    }
  } finally {
    await ring.closeFd(fd);
  }
  return figures;
}

if (import.meta.main) {
  const { printTable } = await import("./_report.ts");
  printTable(await randomReads());
}
