/**
 * Whole-file reads of the 1 GiB data file (page-cached): the library's
 * readFile beside the runtime's own (Deno.readFile, Bun.file().bytes()) and
 * `cat` into /dev/null as the system's floor; the subjects take turns, and
 * each first gets one unmeasured read.
 *
 *   deno run -A scripts/bench/read_whole.ts     bun scripts/bench/read_whole.ts
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { readFile } from "../../mod.ts";
import { dataFile, type Figure } from "./_common.ts";
import { loadRefs } from "./_refs.ts";

const RUNS = 5;

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Runs the whole-file read benchmark in this runtime; returns its figures. */
export async function wholeFileReads(): Promise<Figure[]> {
  const refs = await loadRefs();
  const subjects: [string, () => Promise<unknown> | unknown][] = [
    ["cat > /dev/null", () => execFileSync("sh", ["-c", `cat '${dataFile}' > /dev/null`])],
    ["ioring readFile", () => readFile(dataFile)],
    [refs.readWholeName, () => refs.readWhole(dataFile)],
  ];
  for (const [, fn] of subjects) await timed(fn);
  const runs: number[][] = subjects.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, [, fn]] of subjects.entries()) runs[i].push(await timed(fn));
  }
  return subjects.map(([subject], i) => ({
    bench: "read 1 GiB whole",
    config: "page-cached file",
    subject,
    unit: "s",
    runs: runs[i],
    lowerIsBetter: true,
    ...(subject === refs.readWholeName ? {} : { reference: refs.readWholeName }),
  }));
}

if (import.meta.main) {
  const { printTable } = await import("./_report.ts");
  printTable(await wholeFileReads());
}
