/**
 * Every benchmark in the runtime that runs this file, written as JSON to the
 * path given (main.ts runs it once in Deno and once in Bun).
 *
 *   deno run -A scripts/bench/suite.ts OUT.json [nop,randread,latency,copy,readfile]
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import type { Figure } from "./_common.ts";
import { runtimeLabel } from "./_common.ts";
import { sequentialCopy } from "./copy.ts";
import { readLatency } from "./latency.ts";
import { nopThroughput } from "./nop.ts";
import { randomReads } from "./randread.ts";
import { wholeFileReads } from "./read_whole.ts";

const BENCHES: Record<string, () => Promise<Figure[]>> = {
  nop: nopThroughput,
  randread: randomReads,
  latency: readLatency,
  copy: sequentialCopy,
  readfile: wholeFileReads,
};

const [out, only] = process.argv.slice(2);
const names = only ? only.split(",") : Object.keys(BENCHES);
const figures: Figure[] = [];
for (const name of names) {
  const started = performance.now();
  figures.push(...(await BENCHES[name]()));
  console.error(`${runtimeLabel}: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
writeFileSync(out, JSON.stringify(figures.map((f) => ({ ...f, runtime: runtimeLabel })), null, 1));
