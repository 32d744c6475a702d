/**
 * Sequential copy of the 1 GiB data file: the library's copyFile (linked
 * SPLICEs through pipes) and examples/copy.ts (linked reads and writes
 * through buffers) beside coreutils cp and the runtime's own copy
 * (Deno.copyFile, Bun.write(Bun.file)).
 * The destination is removed and the dirty pages flushed before each run, so
 * one run's writeback does not slow the next; the subjects take turns.
 *
 *   deno run -A scripts/bench/copy.ts     bun scripts/bench/copy.ts
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { copyFile as copyFileInKernel, IoRing } from "../../mod.ts";
import { copyFile } from "../../examples/copy.ts";
import { dataFile, type Figure, outDir } from "./_common.ts";
import { loadRefs } from "./_refs.ts";

const COPY_RUNS = 5;

async function timed(fn: () => Promise<unknown> | unknown, dst: string): Promise<number> {
  rmSync(dst, { force: true });
  execFileSync("sync");
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;
  rmSync(dst, { force: true });
  return seconds;
}

/** Runs the copy benchmark in this runtime; returns its figures. */
export async function sequentialCopy(): Promise<Figure[]> {
  const refs = await loadRefs();
  const dst = join(outDir, "copy-destination.bin");
  const subjects: [string, () => Promise<unknown> | unknown][] = [
    ["coreutils cp", () => execFileSync("cp", [dataFile, dst])],
    ["ioring examples/copy.ts", async () => {
      await using ring = new IoRing({ entries: 64 });
      await copyFile(ring, dataFile, dst);
    }],
    ["ioring copyFile", () => copyFileInKernel(dataFile, dst)],
    [refs.copyName, () => refs.copy(dataFile, dst)],
  ];
  // This VM gives idle memory back to the host within seconds, so whichever copy first allocates 1 GiB
  // of page cache after a pause pays for faulting it back in (seconds, not milliseconds). Every subject
  // gets one unmeasured copy first, and the measured runs take turns, so each meets the same conditions.
  for (const [, fn] of subjects) await timed(fn, dst);
  const runs: number[][] = subjects.map(() => []);
  for (let r = 0; r < COPY_RUNS; r++) {
    for (const [i, [, fn]] of subjects.entries()) runs[i].push(await timed(fn, dst));
  }
  return subjects.map(([subject], i) => ({
    bench: "copy 1 GiB",
    config: "page-cached source",
    subject,
    unit: "s",
    runs: runs[i],
    lowerIsBetter: true,
    ...(subject === "coreutils cp" ? {} : { reference: "coreutils cp" }),
  }));
}

if (import.meta.main) {
  const { printTable } = await import("./_report.ts");
  printTable(await sequentialCopy());
}
