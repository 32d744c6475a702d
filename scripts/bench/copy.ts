/**
 * Sequential copy of the 1 GiB data file: examples/copy.ts beside coreutils
 * cp and the runtime's own copy (Deno.copyFile, Bun.write(Bun.file)).
 * The destination is removed and the dirty pages flushed before each run, so
 * one run's writeback does not slow the next.
 *
 *   deno run -A scripts/bench/copy.ts     bun scripts/bench/copy.ts
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { IoRing } from "../../mod.ts";
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
    [refs.copyName, () => refs.copy(dataFile, dst)],
  ];
  const figures: Figure[] = [];
  // The first 1 GiB of new page-cache pages costs far more than later ones on this VM (its memory is
  // reclaimed while idle): one unmeasured copy first.
  await timed(subjects[0][1], dst);
  for (const [subject, fn] of subjects) {
    const runs: number[] = [];
    for (let r = 0; r < COPY_RUNS; r++) runs.push(await timed(fn, dst));
    figures.push({
      bench: "copy 1 GiB",
      config: "page-cached source",
      subject,
      unit: "s",
      runs,
      lowerIsBetter: true,
      ...(subject === "coreutils cp" ? {} : { reference: "coreutils cp" }),
    });
  }
  return figures;
}

if (import.meta.main) {
  const { printTable } = await import("./_report.ts");
  printTable(await sequentialCopy());
}
