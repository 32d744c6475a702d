/**
 * Latency of one 4 KiB read at a time from the page-cached data file: p50
 * and p99 round trip of `await ring.read()` beside the runtime's own async
 * read. Run pinned to one CPU (`taskset -c 0`) and not, by main.ts, since
 * a wake-up on the other vCPU costs ~20 µs here.
 *
 *   deno run -A scripts/bench/latency.ts     bun scripts/bench/latency.ts
 *
 * @module
 */
import { statSync } from "node:fs";
import process from "node:process";
import { IoRing } from "../../mod.ts";
import { blockPicker, dataFile, type Figure, percentile } from "./_common.ts";
import { loadRefs } from "./_refs.ts";

const BS = 4096;
const COUNT = 20_000;
const RUNS = 3;

/** Runs the latency benchmark in this runtime; returns its figures (µs). */
export async function readLatency(): Promise<Figure[]> {
  const refs = await loadRefs();
  const pick = blockPicker(Math.floor(statSync(dataFile).size / BS), 7);
  const pinned = process.env.BENCH_PINNED === "1" ? ", pinned to CPU 0" : "";
  const samples: Record<string, Float64Array[]> = { "ioring read": [], [refs.asyncName]: [] };
  await using ring = new IoRing({ entries: 8 });
  const fd = await ring.openat(dataFile);
  const buffer = new Uint8Array(BS);
  try {
    for (let run = 0; run <= RUNS; run++) {
      const times = new Float64Array(COUNT);
      for (let i = 0; i < COUNT; i++) {
        const t = performance.now();
        await ring.read(fd, buffer, pick() * BS);
        times[i] = performance.now() - t;
      }
      const own = await refs.asyncLatency(dataFile, COUNT, pick);
      if (run > 0) { // run 0 warms up
        samples["ioring read"].push(times);
        samples[refs.asyncName].push(own);
      }
    }
  } finally {
    await ring.closeFd(fd);
  }
  const figures: Figure[] = [];
  for (const p of [50, 99]) {
    for (const [subject, runs] of Object.entries(samples)) {
      figures.push({
        bench: "read latency",
        config: `p${p}${pinned}`,
        subject,
        unit: "µs",
        runs: runs.map((t) => percentile(t, p) * 1000),
        lowerIsBetter: true,
        ...(subject === "ioring read" ? { reference: refs.asyncName } : {}),
      });
    }
  }
  return figures;
}

if (import.meta.main) {
  const { printTable } = await import("./_report.ts");
  printTable(await readLatency());
}
