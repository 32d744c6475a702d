/**
 * `npm run soak`: ten million mixed operations across three rings in this runtime (Deno or Bun), every one
 * checked to settle exactly once and every file read against what the writes before it may have left, then
 * RSS and open fds compared between the first and the last tenth.
 *
 *     deno run -A --v8-flags=--expose-gc scripts/soak.ts [--ops N] [--rings N] [--seed N]
 *     bun scripts/soak.ts [--ops N]
 *
 * `SOAK_OPS` sets the count too. Exits 1 when a check fails.
 *
 * @module
 */
import process from "node:process";
import { checkLeaks, KINDS, soak } from "./soak_core.ts";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? process.argv[at + 1] : process.env[`SOAK_${name.toUpperCase()}`];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`--${name} must be a positive integer: current value is ${raw}`);
  }
  return value;
}

const runtime = "Bun" in globalThis ? `Bun ${process.versions.bun}` : `Deno ${process.versions.deno}`;
const ops = option("ops", 10_000_000);
const rings = option("rings", 3);
console.log(`soak: ${ops} ops across ${rings} rings in ${runtime}`);
const result = await soak({ ops, rings, seed: option("seed", 1), log: (line) => console.log(line) });
console.log(
  `soak: ${result.ops} ops in ${result.seconds.toFixed(1)} s: ${result.opsPerSecond.toFixed(0)} ops/s`,
);
for (const kind of KINDS) {
  const { submitted, settled } = result.kinds[kind];
  console.log(
    `  ${kind.padEnd(8)} ${String(submitted).padStart(9)} submitted ${String(settled).padStart(9)} settled`,
  );
}
const { unordered, unorderedRead, linked } = result.overlaps;
console.log(
  `  writes of one block in one batch: ${unordered} blocks left to either of unlinked writes ` +
    `(${unorderedRead} read back holding one of them), ${linked} linked pairs`,
);
const problems = checkLeaks(result);
const [first, last] = [result.samples[0], result.samples.at(-1)!];
console.log(
  `soak: first tenth rss ${(first.rss / 2 ** 20).toFixed(1)} MiB, fds ${first.fds}; ` +
    `last rss ${
      (last.rss / 2 ** 20).toFixed(1)
    } MiB, fds ${last.fds}; fds before ${result.fdsBefore}, after ${result.fdsAfter}`,
);
if (problems.length > 0) {
  console.error(`soak: FAILED\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("soak: ok");
