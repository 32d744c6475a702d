/**
 * NOP throughput at batch sizes 1, 32 and 128: C liburing (built here with
 * gcc), this runtime through the low-level API (prepare/submit/
 * forEachCompletion), and through the promise API, side by side.
 *
 *   deno run -A scripts/bench/nop.ts        bun scripts/bench/nop.ts
 *
 * Prints a table of medians over RUNS runs with the ratio to C, and writes
 * the raw figures to scripts/bench/out/nop-<runtime>.json.
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { IoRing, Nop } from "../../mod.ts";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "out");
const BATCHES = [1, 32, 128];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.5);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const runtime = "Bun" in globalThis ? `bun ${process.versions.bun}` : `deno ${process.versions.deno}`;

/** Builds the C reference if it is missing or older than its source. */
function buildC(name: string): string {
  const source = join(here, `${name}.c`);
  const binary = join(out, name);
  mkdirSync(out, { recursive: true });
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    execFileSync("gcc", ["-O2", "-o", binary, source, "-luring"], { stdio: "inherit" });
  }
  return binary;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function spread(values: number[]): string {
  const m = median(values);
  return `±${(((Math.max(...values) - Math.min(...values)) / 2 / m) * 100).toFixed(0)}%`;
}

function lowLevel(ring: IoRing, batch: number): number {
  const nop = new Nop();
  let completed = 0;
  const count = () => {
    completed++;
  };
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let t = start;
  while (t < end) {
    for (let round = 0; round < 64; round++) {
      for (let i = 0; i < batch; i++) ring.prepare(nop, i);
      ring.submit();
      ring.forEachCompletion(count);
    }
    t = performance.now();
  }
  return completed / ((t - start) / 1000);
}

async function promises(ring: IoRing, batch: number): Promise<number> {
  let completed = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let t = start;
  const pending: Promise<number>[] = new Array(batch);
  while (t < end) {
    for (let round = 0; round < 16; round++) {
      for (let i = 0; i < batch; i++) pending[i] = ring.nop();
      await Promise.all(pending);
      completed += batch;
    }
    t = performance.now();
  }
  return completed / ((t - start) / 1000);
}

if (import.meta.main) {
  const binary = buildC("nop");
  const results: Record<string, Record<number, number[]>> = {
    "C liburing": {},
    "low-level": {},
    "promise": {},
  };
  await using ring = new IoRing({ entries: 256 });
  for (const batch of BATCHES) {
    const c = spawnSync(binary, [String(batch), String(SECONDS), String(RUNS)], { encoding: "utf8" });
    if (c.status !== 0) throw new Error(`the C reference failed: ${c.stderr}`);
    results["C liburing"][batch] = c.stdout.trim().split("\n").map(Number);
    lowLevel(ring, batch); // warm up the JIT
    results["low-level"][batch] = Array.from({ length: RUNS }, () => lowLevel(ring, batch));
    results["promise"][batch] = [];
    await promises(ring, batch);
    for (let run = 0; run < RUNS; run++) results["promise"][batch].push(await promises(ring, batch));
  }
  console.log(`NOP throughput, M ops/s (median of ${RUNS} × ${SECONDS} s; ${runtime}, ${ring.nativePath})`);
  console.log(["", ...BATCHES.map((b) => `batch ${b}`.padStart(22))].join(""));
  for (const [name, byBatch] of Object.entries(results)) {
    const cells = BATCHES.map((b) => {
      const m = median(byBatch[b]);
      const ratio = name === "C liburing" ? "" : ` (${(m / median(results["C liburing"][b])).toFixed(2)}×)`;
      return `${(m / 1e6).toFixed(2)} ${spread(byBatch[b])}${ratio}`.padStart(22);
    });
    console.log(name.padEnd(12) + cells.join(""));
  }
  mkdirSync(out, { recursive: true });
  const file = join(out, `nop-${runtime.split(" ")[0]}.json`);
  writeFileSync(
    file,
    JSON.stringify({ runtime, native: ring.nativePath, seconds: SECONDS, runs: RUNS, results }, null, 2),
  );
  console.log(`raw figures: ${file}`);
}
