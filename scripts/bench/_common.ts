/**
 * What the benchmarks share: statistics, the C references, the data file.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** scripts/bench/ */
export const benchDir: string = dirname(fileURLToPath(import.meta.url));
/** Where builds, data and raw figures go (not committed). */
export const outDir: string = join(benchDir, "out");
/** The 1 GiB file the read and copy benchmarks use (made and pinned by main.ts). */
export const dataFile: string = process.env.BENCH_DATA ?? join(outDir, "data-1g.bin");
/** Seconds per measurement. */
export const SECONDS: number = Number(process.env.BENCH_SECONDS ?? 0.5);
/** Measurements per configuration. */
export const RUNS: number = Number(process.env.BENCH_RUNS ?? 5);
/** "deno" or "bun". */
export const runtimeName: "deno" | "bun" = "Bun" in globalThis ? "bun" : "deno";
/** The runtime and its version. */
export const runtimeLabel: string = runtimeName === "bun"
  ? `Bun ${process.versions.bun}`
  : `Deno ${process.versions.deno}`;

/** Builds a C reference in out/ if it is missing or older than its source; returns its path. */
export function buildC(name: string): string {
  const source = join(benchDir, `${name}.c`);
  const binary = join(outDir, name);
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    execFileSync("gcc", ["-O2", "-o", binary, source, "-luring"], { stdio: "inherit" });
  }
  return binary;
}

/** Runs a C reference that prints one figure per run. */
export function runC(binary: string, args: (string | number)[]): number[] {
  const out = execFileSync(binary, args.map(String), { encoding: "utf8" });
  return out.trim().split("\n").map(Number);
}

/** The median. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Half the range, relative to the median. */
export function spread(values: number[]): number {
  return (Math.max(...values) - Math.min(...values)) / 2 / median(values);
}

/** A percentile of a sample. */
export function percentile(values: Float64Array | number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

/** One benchmark figure: several runs of one subject in one configuration. */
export interface Figure {
  bench: string;
  config: string;
  subject: string;
  unit: string;
  runs: number[];
  /** The subject (or subjects) this one is compared with, in the same bench and config. */
  reference?: string | string[];
  /** Whether smaller is better (latency, time). */
  lowerIsBetter?: boolean;
}

/** A fast deterministic generator of block numbers. */
export function blockPicker(blocks: number, seed = 88172645): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % blocks;
  };
}

/** Runs `fn` repeatedly for SECONDS; returns operations per second. */
export async function rate(fn: () => number | Promise<number>): Promise<number> {
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let done = 0;
  let t = start;
  while (t < end) {
    done += await fn();
    t = performance.now();
  }
  return done / ((t - start) / 1000);
}
