/**
 * NOP throughput at batch sizes 1, 32 and 128: C liburing (built here with
 * gcc), this runtime through the low-level API (prepare/submit/
 * forEachCompletion), and through the promise API with the whole batch in
 * flight, side by side.
 *
 *   deno run -A scripts/bench/nop.ts        bun scripts/bench/nop.ts
 *
 * @module
 */
import { IoRing, Nop } from "../../mod.ts";
import { buildC, type Figure, rate, runC, RUNS, SECONDS } from "./_common.ts";

const BATCHES = [1, 32, 128];

function lowLevel(ring: IoRing, batch: number): Promise<number> {
  const nop = new Nop();
  let completed = 0;
  const count = () => {
    completed++;
  };
  return rate(() => {
    const before = completed;
    for (let round = 0; round < 64; round++) {
      for (let i = 0; i < batch; i++) ring.prepare(nop, i);
      ring.submit();
      ring.forEachCompletion(count);
    }
    return completed - before;
  });
}

function promises(ring: IoRing, batch: number): Promise<number> {
  const pending: Promise<number>[] = new Array(batch);
  return rate(async () => {
    for (let round = 0; round < 16; round++) {
      for (let i = 0; i < batch; i++) pending[i] = ring.nop();
      await Promise.all(pending);
    }
    return 16 * batch;
  });
}

/** Runs the NOP benchmark in this runtime; returns its figures. */
export async function nopThroughput(): Promise<Figure[]> {
  const binary = buildC("nop");
  const figures: Figure[] = [];
  await using ring = new IoRing({ entries: 256 });
  for (const batch of BATCHES) {
    const config = `batch ${batch}`;
    const bench = "NOP throughput";
    figures.push({
      bench,
      config,
      subject: "C liburing",
      unit: "ops/s",
      runs: runC(binary, [batch, SECONDS, RUNS]),
    });
    for (const [subject, fn] of [["ioring low-level", lowLevel], ["ioring promise", promises]] as const) {
      await fn(ring, batch); // warm-up
      const runs: number[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await fn(ring, batch));
      figures.push({ bench, config, subject, unit: "ops/s", runs, reference: "C liburing" });
    }
  }
  return figures;
}

if (import.meta.main) {
  const { printTable } = await import("./_report.ts");
  printTable(await nopThroughput());
}
